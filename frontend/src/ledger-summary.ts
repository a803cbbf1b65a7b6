// One line of plain words for a ledger entry's data, so the list reads without
// opening the raw JSON. Known fields first, then whatever scalars the entry has.
import { strings } from "./strings";

const MAX_VALUE = 60;

function clip(text: string): string {
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function count(value: unknown): number | null {
  if (Array.isArray(value)) return value.length;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  return null;
}

const KNOWN = [
  "agency",
  "case_number",
  "incident_type",
  "clip_ids",
  "clips",
  "retention_days",
  "status",
  "reason",
  "rule",
  "policy_violation",
];

export function summarizeLedgerData(data: unknown): string {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "";
  const record = data as Record<string, unknown>;
  const parts: string[] = [];
  const text = (key: string) => {
    const value = record[key];
    return typeof value === "string" && value ? clip(value) : null;
  };
  const agency = text("agency");
  if (agency) parts.push(agency);
  const caseNumber = text("case_number");
  if (caseNumber) parts.push(strings.summaryCase(caseNumber));
  const incident = text("incident_type");
  if (incident) parts.push(incident.replace(/_/g, " "));
  const clips = count(record.clip_ids) ?? count(record.clips);
  if (clips !== null) parts.push(strings.summaryClips(clips));
  const days = count(record.retention_days);
  if (days !== null) parts.push(strings.summaryDays(days));
  for (const key of ["status", "reason", "rule", "policy_violation"]) {
    const value = text(key);
    if (value) parts.push(value.replace(/_/g, " "));
  }
  if (parts.length) return parts.join(" · ");
  // Nothing we know: the first few plain values, as key: value.
  for (const [key, value] of Object.entries(record)) {
    if (KNOWN.includes(key)) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      parts.push(`${key.replace(/_/g, " ")}: ${clip(String(value))}`);
    }
    if (parts.length === 3) break;
  }
  return parts.join(" · ");
}
