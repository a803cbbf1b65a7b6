// The new-request form's pure parts: times, the circle's limits, and which field a
// hub refusal belongs to (the §2.3 messages are the hub's own, shown as they come).
import type { HubError } from "./api.js";

export const MIN_RADIUS_M = 144;
export const MAX_RADIUS_M = 642;

/**
 * A <input type="datetime-local"> value (the browser's local time) as the UTC string
 * the hub wants ("2026-12-01T13:30:00Z"); "" when empty or not a time.
 */
export function localToUtc(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return "";
  const when = new Date(value); // no zone: local time, per ECMAScript
  if (Number.isNaN(when.getTime())) return "";
  return when.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A Date as a datetime-local value in the browser's zone, to the minute. */
export function dateToLocal(when: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

export function clampRadius(metres: number): number {
  if (!Number.isFinite(metres)) return MIN_RADIUS_M;
  return Math.round(Math.min(MAX_RADIUS_M, Math.max(MIN_RADIUS_M, metres)));
}

/** Coordinates kept to 6 decimals (~0.1 m): short, and exact through JSON both ways. */
export function roundCoord(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export type FieldName =
  | "case_number"
  | "incident_type"
  | "description"
  | "contact"
  | "window_start"
  | "window_end"
  | "area"
  | "form";

const RULE_FIELDS: Record<string, FieldName> = {
  case_number: "case_number",
  incident_type: "incident_type",
  window_length: "window_end",
  window_in_future: "window_end",
  window_age: "window_start",
  area_size: "area",
  case_request_limit: "case_number",
  agency_kind: "form",
};

/** The form field a refusal is about: the hub's `field`, else its `rule`, else the form. */
export function fieldOf(error: Pick<HubError, "field" | "rule">): FieldName {
  const field = error.field ?? "";
  const top = field.split(".")[0] ?? "";
  if (top === "area") return "area";
  if (top in RULE_FIELDS || ["description", "contact", "window_start", "window_end"].includes(top)) {
    return (RULE_FIELDS[top] ?? top) as FieldName;
  }
  if (error.rule && error.rule in RULE_FIELDS) return RULE_FIELDS[error.rule]!;
  return "form";
}

/** A time from the hub, in the browser's zone, for reading. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  return when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** Calls `run` once typing pauses for `ms`; only the latest call's answer counts. */
export class Debouncer<T> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;

  constructor(
    private readonly ms: number,
    private readonly run: () => Promise<T>,
    private readonly done: (value: T) => void,
    private readonly failed: (error: unknown) => void = () => {},
  ) {}

  poke(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fire(), this.ms);
  }

  /** Run now (on submit), superseding a pending poke. */
  async flush(): Promise<T> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const mine = ++this.generation;
    const value = await this.run();
    if (mine === this.generation) this.done(value);
    return value;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.generation++;
  }

  private async fire(): Promise<void> {
    this.timer = null;
    const mine = ++this.generation;
    try {
      const value = await this.run();
      if (mine === this.generation) this.done(value);
    } catch (err) {
      if (mine === this.generation) this.failed(err);
    }
  }
}
