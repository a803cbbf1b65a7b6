// Validation of the "Keep for (days)" field: a whole number from 1 to the hub's maximum.
import { strings } from "./strings";

export type RetentionCheck = { ok: true; days: number } | { ok: false; message: string };

/** The field's starting value: the options' default, kept inside 1..max. */
export function defaultRetention(defaultDays: number, maxDays: number): number {
  const max = Math.max(1, Math.floor(maxDays));
  const value = Number.isFinite(defaultDays) ? Math.floor(defaultDays) : max;
  return Math.min(max, Math.max(1, value));
}

export function checkRetention(raw: string, maxDays: number): RetentionCheck {
  const max = Math.max(1, Math.floor(maxDays));
  const text = raw.trim();
  if (!/^\d{1,6}$/.test(text)) return { ok: false, message: strings.retentionInvalid(max) };
  const days = Number(text);
  if (days < 1 || days > max) return { ok: false, message: strings.retentionInvalid(max) };
  return { ok: true, days };
}
