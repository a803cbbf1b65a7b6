import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatClipTime,
  formatDateTime,
  formatDistance,
  formatDuration,
  formatExpiry,
  formatOptionsFromHass,
  formatRelative,
  formatTime,
  formatTimestamp,
  formatWindow,
  isoDate,
} from "../src/format";
import type { HassConnection } from "../src/api";

const london = { locale: "en-GB", timeZone: "Europe/London" };
const newYork = { locale: "en-GB", timeZone: "America/New_York" };
const tokyo = { locale: "en-GB", timeZone: "Asia/Tokyo" };
const conn = {} as HassConnection;

describe("formatDateTime / formatTime", () => {
  it("shows the moment in the zone given", () => {
    const iso = "2026-12-01T07:00:00+00:00";
    expect(formatDateTime(iso, london)).toBe("1 Dec 2026, 07:00");
    expect(formatDateTime(iso, newYork)).toBe("1 Dec 2026, 02:00");
    expect(formatDateTime(iso, tokyo)).toBe("1 Dec 2026, 16:00");
  });

  it("follows the locale's conventions", () => {
    const text = formatDateTime("2026-12-01T15:05:00+00:00", { locale: "en-US", timeZone: "UTC" });
    expect(text).toMatch(/Dec 1, 2026/);
    expect(text).toMatch(/3:05\sPM/);
  });

  it("gives clip times to the second", () => {
    expect(formatTime("2026-12-01T07:32:10+00:00", london)).toBe("07:32:10");
    expect(formatTimestamp("2026-12-01T07:32:10+00:00", newYork)).toBe("1 Dec 2026, 02:32:10");
  });

  it("returns text that is not a time unchanged", () => {
    expect(formatDateTime("soon", london)).toBe("soon");
    expect(formatTime("", london)).toBe("");
  });
});

describe("formatClipTime", () => {
  it("leaves the date out on the window's day and adds it on another day", () => {
    const ref = "2026-12-01T22:00:00+00:00";
    expect(formatClipTime("2026-12-01T23:10:00+00:00", ref, london)).toBe("23:10:00");
    expect(formatClipTime("2026-12-02T00:10:00+00:00", ref, london)).toBe("2 Dec 2026, 00:10:00");
  });

  it("compares days in the zone shown, not in UTC", () => {
    // 23:10 UTC on 1 Dec is already 2 Dec in Tokyo, like the reference (22:00 UTC = 07:00 on 2 Dec).
    expect(formatClipTime("2026-12-01T23:10:00+00:00", "2026-12-01T22:00:00+00:00", tokyo)).toBe("08:10:00");
    // 04:00 UTC on 2 Dec is still 1 Dec in New York, like a 1 Dec 20:00 UTC reference.
    expect(formatClipTime("2026-12-02T04:00:00+00:00", "2026-12-01T20:00:00+00:00", newYork)).toBe("23:00:00");
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0 s"],
    [45_000, "45 s"],
    [60_000, "1 min"],
    [45 * 60_000, "45 min"],
    [2.5 * 3_600_000, "2 h 30 min"],
    [3_600_000, "1 h"],
    [26 * 3_600_000 + 5 * 60_000, "1 d 2 h"],
    [-90_000, "1 min"],
  ])("%d ms -> %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("formatWindow", () => {
  it("gives one date for a window within a day, with its length", () => {
    expect(formatWindow("2026-12-01T07:00:00+00:00", "2026-12-01T09:30:00+00:00", london)).toBe(
      "1 Dec 2026, 07:00–09:30 (2 h 30 min)",
    );
  });

  it("gives both dates across midnight in the zone shown", () => {
    const text = formatWindow("2026-12-01T22:00:00+00:00", "2026-12-02T01:00:00+00:00", london);
    expect(text).toContain("1 Dec 2026, 22:00");
    expect(text).toContain("2 Dec 2026, 01:00");
    expect(text).toMatch(/\(3 h\)$/);
    // In New York the same window stays on 1 Dec.
    expect(formatWindow("2026-12-01T22:00:00+00:00", "2026-12-02T01:00:00+00:00", newYork)).toBe(
      "1 Dec 2026, 17:00–20:00 (3 h)",
    );
  });

  it("does not throw on a reversed or broken window", () => {
    expect(formatWindow("2026-12-01T09:00:00+00:00", "2026-12-01T08:00:00+00:00", london)).toContain("(1 h)");
    expect(formatWindow("x", "y", london)).toBe("x – y");
  });
});

describe("formatDistance / formatBytes", () => {
  it.each([
    [0, "0 m"],
    [120.5, "121 m"],
    [999.4, "999 m"],
    [1_234, "1.2 km"],
    [15_400, "15 km"],
    [-5, "0 m"],
    [Number.NaN, "—"],
  ])("%d m -> %s", (m, text) => {
    expect(formatDistance(m, "en-GB")).toBe(text);
  });

  it("uses the locale's decimal separator", () => {
    expect(formatDistance(1_234, "de-DE")).toBe("1,2 km");
  });

  it.each([
    [512, "512 B"],
    [40_000, "40 kB"],
    [2_400_000, "2.4 MB"],
    [3_000_000_000, "3 GB"],
    [-1, "—"],
  ])("%d bytes -> %s", (b, text) => {
    expect(formatBytes(b, "en-GB")).toBe(text);
  });
});

describe("formatRelative / formatExpiry", () => {
  const now = Date.parse("2026-12-01T09:00:00+00:00");

  it("picks the unit by distance", () => {
    expect(formatRelative("2026-12-04T09:00:00+00:00", now, "en")).toBe("in 3 days");
    expect(formatRelative("2026-12-01T11:00:00+00:00", now, "en")).toBe("in 2 hours");
    expect(formatRelative("2026-12-01T08:50:00+00:00", now, "en")).toBe("10 minutes ago");
    expect(formatRelative("2026-12-01T09:00:20+00:00", now, "en")).toBe("in 20 seconds");
    expect(formatRelative("2026-11-30T09:00:00+00:00", now, "en")).toBe("yesterday");
  });

  it("says whether a request still runs", () => {
    expect(formatExpiry("2026-12-04T09:00:00+00:00", now, "en")).toBe("Expires in 3 days");
    expect(formatExpiry("2026-12-01T07:00:00+00:00", now, "en")).toBe("Expired 2 hours ago");
  });
});

describe("formatOptionsFromHass", () => {
  it("uses the server's zone only when the user chose it", () => {
    const base = { connection: conn, config: { time_zone: "Asia/Tokyo" } };
    expect(formatOptionsFromHass({ ...base, locale: { language: "nl", time_zone: "server" } })).toEqual({
      locale: "nl",
      timeZone: "Asia/Tokyo",
      hour12: undefined,
    });
    expect(formatOptionsFromHass({ ...base, locale: { language: "nl", time_zone: "local" } })).toEqual({
      locale: "nl",
      timeZone: undefined,
      hour12: undefined,
    });
  });

  it("follows HA's 12/24-hour setting over the language's habit", () => {
    const hass = (time_format: string) =>
      formatOptionsFromHass({ connection: conn, config: { time_zone: "UTC" }, locale: { language: "en-GB", time_zone: "server", time_format } });
    expect(formatDateTime("2026-12-01T15:05:00+00:00", hass("am_pm"))).toMatch(/3:05\spm/i);
    expect(formatDateTime("2026-12-01T15:05:00+00:00", hass("24"))).toBe("1 Dec 2026, 15:05");
    expect(formatDateTime("2026-12-01T15:05:00+00:00", { ...hass("24"), locale: "en-US" })).toMatch(/15:05/);
    expect(formatDateTime("2026-12-01T15:05:00+00:00", hass("language"))).toBe("1 Dec 2026, 15:05");
  });

  it("falls back to English for a missing or unusable language", () => {
    expect(formatOptionsFromHass(undefined).locale).toBe("en");
    expect(formatOptionsFromHass({ connection: conn, language: "not a locale!" }).locale).toBe("en");
    expect(formatOptionsFromHass({ connection: conn, language: "fr" }).locale).toBe("fr");
  });
});

describe("isoDate", () => {
  it("gives the local calendar date", () => {
    const late = new Date("2026-12-01T23:30:00Z");
    expect(isoDate(late, london)).toBe("2026-12-01");
    expect(isoDate(late, tokyo)).toBe("2026-12-02");
  });
});
