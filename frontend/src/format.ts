// Pure formatting of times, windows, durations, distances and sizes. Everything takes
// the locale and time zone explicitly (tests pin them); formatters are cached because
// a first render of 50 requests x 10 clips formats about a thousand times.
import { strings } from "./strings";
import type { Hass } from "./api";

export interface FormatOptions {
  /** BCP 47 language tag, e.g. "en-GB". */
  locale: string;
  /** IANA zone, e.g. "Europe/London"; undefined = the browser's own zone. */
  timeZone?: string | undefined;
  /** HA's time format setting: true = 12-hour, false = 24-hour, undefined = the language's. */
  hour12?: boolean | undefined;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The user's formatting choices from `hass`, following HA's "use server time zone" setting. */
export function formatOptionsFromHass(hass: Hass | undefined): FormatOptions {
  const locale = hass?.locale?.language || hass?.language || "en";
  const useServer = hass?.locale?.time_zone === "server";
  const timeZone = useServer && hass?.config?.time_zone ? hass.config.time_zone : undefined;
  const timeFormat = hass?.locale?.time_format;
  const hour12 = timeFormat === "am_pm" ? true : timeFormat === "24" ? false : undefined;
  return { locale: safeLocale(locale), timeZone, hour12 };
}

/** Same choices, so callers can keep one object (and skip re-rendering) when nothing changed. */
export function sameFormat(a: FormatOptions, b: FormatOptions): boolean {
  return a.locale === b.locale && a.timeZone === b.timeZone && a.hour12 === b.hour12;
}

function safeLocale(locale: string): string {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length ? locale : "en";
  } catch {
    return "en";
  }
}

const cache = new Map<string, Intl.DateTimeFormat>();

function dateFormat(
  opts: FormatOptions,
  key: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const cacheKey = `${opts.locale}|${opts.timeZone ?? ""}|${String(opts.hour12)}|${key}`;
  let format = cache.get(cacheKey);
  if (!format) {
    const hour = opts.hour12 === undefined || !("timeStyle" in options) ? {} : { hour12: opts.hour12 };
    format = new Intl.DateTimeFormat(opts.locale, { ...options, ...hour, timeZone: opts.timeZone });
    cache.set(cacheKey, format);
  }
  return format;
}

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "1 Dec 2026, 07:00" in the given zone; the raw text if it is not a time. */
export function formatDateTime(iso: string, opts: FormatOptions): string {
  const date = parse(iso);
  if (!date) return iso;
  return dateFormat(opts, "dt", { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** "07:32:10": a clip's time, to the second (clips last seconds). */
export function formatTime(iso: string, opts: FormatOptions): string {
  const date = parse(iso);
  if (!date) return iso;
  return dateFormat(opts, "t", { timeStyle: "medium" }).format(date);
}

/** "1 Dec 2026, 07:32:10": a moment to the second, with its date. */
export function formatTimestamp(iso: string, opts: FormatOptions): string {
  const date = parse(iso);
  if (!date) return iso;
  return dateFormat(opts, "dtm", { dateStyle: "medium", timeStyle: "medium" }).format(date);
}

/** A clip's time, with its date only when it is not on the same local day as `reference`. */
export function formatClipTime(iso: string, reference: string, opts: FormatOptions): string {
  const date = parse(iso);
  const ref = parse(reference);
  if (!date) return iso;
  if (ref && localDay(date, opts) === localDay(ref, opts)) return formatTime(iso, opts);
  return formatTimestamp(iso, opts);
}

function localDay(date: Date, opts: FormatOptions): string {
  return dateFormat(opts, "day", { year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

/** "2 h 30 min": at most the two largest units; "45 s" under a minute. */
export function formatDuration(ms: number): string {
  const units = strings.duration;
  const abs = Math.max(0, Math.round(Math.abs(ms) / 1000) * 1000);
  if (abs < MINUTE) return `${Math.round(abs / 1000)} ${units.second}`;
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / HOUR);
  const minutes = Math.floor((abs % HOUR) / MINUTE);
  const parts: string[] = [];
  if (days) parts.push(`${days} ${units.day}`);
  if (hours) parts.push(`${hours} ${units.hour}`);
  if (minutes && !days) parts.push(`${minutes} ${units.minute}`);
  return parts.slice(0, 2).join(" ");
}

/** "1 Dec 2026, 07:00 – 09:30 (2 h 30 min)": one date when the window stays in one day. */
export function formatWindow(start: string, end: string, opts: FormatOptions): string {
  const a = parse(start);
  const b = parse(end);
  if (!a || !b) return `${start} – ${end}`;
  const format = dateFormat(opts, "dt", { dateStyle: "medium", timeStyle: "short" });
  const range = b >= a ? format.formatRange(a, b) : `${format.format(a)} – ${format.format(b)}`;
  return `${range} (${formatDuration(b.getTime() - a.getTime())})`;
}

const numberCache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, digits: number): Intl.NumberFormat {
  const key = `${locale}|${digits}`;
  let format = numberCache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
    numberCache.set(key, format);
  }
  return format;
}

/** "120 m", "1.2 km", "15 km". */
export function formatDistance(meters: number, locale: string): string {
  if (!Number.isFinite(meters)) return "—";
  const m = Math.max(0, meters);
  if (m < 1000) return `${numberFormat(locale, 0).format(Math.round(m))} m`;
  const km = m / 1000;
  return `${numberFormat(locale, km < 10 ? 1 : 0).format(km)} km`;
}

/** "12 kB", "3.4 MB" (decimal units, as file managers show). */
export function formatBytes(bytes: number, locale: string): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${numberFormat(locale, digits).format(value)} ${units[unit]}`;
}

const relativeCache = new Map<string, Intl.RelativeTimeFormat>();

/** "in 3 days", "2 hours ago", "now": the time of `iso` relative to `now` (ms since epoch). */
export function formatRelative(iso: string, now: number, locale: string): string {
  const date = parse(iso);
  if (!date) return iso;
  let format = relativeCache.get(locale);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
    relativeCache.set(locale, format);
  }
  const diff = date.getTime() - now;
  const abs = Math.abs(diff);
  if (abs < MINUTE) return format.format(Math.round(diff / 1000), "second");
  if (abs < HOUR) return format.format(Math.round(diff / MINUTE), "minute");
  if (abs < DAY) return format.format(Math.round(diff / HOUR), "hour");
  return format.format(Math.round(diff / DAY), "day");
}

/** "Expires in 3 days" / "Expired 2 hours ago". */
export function formatExpiry(iso: string, now: number, locale: string): string {
  const date = parse(iso);
  if (!date) return iso;
  const rel = formatRelative(iso, now, locale);
  return date.getTime() > now ? strings.expiresIn(rel) : strings.expired(rel);
}

/** The local calendar date as YYYY-MM-DD (for file names). */
export function isoDate(date: Date, opts: FormatOptions): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: opts.timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}
