import { afterEach, describe, expect, it, vi } from "vitest";
import { Debouncer, clampRadius, dateToLocal, fieldOf, localToUtc } from "../src/form.js";

describe("the form's pure parts", () => {
  it("turns a datetime-local value into the hub's UTC form", () => {
    const local = "2026-11-30T09:15";
    const expected = new Date(2026, 10, 30, 9, 15).toISOString().replace(".000Z", "Z");
    expect(localToUtc(local)).toBe(expected);
    expect(localToUtc(local)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    expect(localToUtc("")).toBe("");
    expect(localToUtc("yesterday")).toBe("");
    expect(dateToLocal(new Date(2026, 10, 30, 9, 15))).toBe(local);
  });

  it("keeps the radius within 144-642 m", () => {
    expect(clampRadius(10)).toBe(144);
    expect(clampRadius(9999)).toBe(642);
    expect(clampRadius(400.4)).toBe(400);
    expect(clampRadius(Number.NaN)).toBe(144);
  });

  it("puts a refusal next to the field it is about", () => {
    expect(fieldOf({ field: null, rule: "window_length" })).toBe("window_end");
    expect(fieldOf({ field: null, rule: "window_age" })).toBe("window_start");
    expect(fieldOf({ field: null, rule: "area_size" })).toBe("area");
    expect(fieldOf({ field: "area.radius_m", rule: null })).toBe("area");
    expect(fieldOf({ field: "description", rule: null })).toBe("description");
    expect(fieldOf({ field: null, rule: "case_number" })).toBe("case_number");
    expect(fieldOf({ field: null, rule: "agency_kind" })).toBe("form");
    expect(fieldOf({ field: "whatever", rule: null })).toBe("form");
  });
});

describe("the debounced check", () => {
  afterEach(() => vi.useRealTimers());

  it("asks once typing pauses, and only the latest answer counts", async () => {
    vi.useFakeTimers();
    let n = 0;
    const seen: number[] = [];
    const d = new Debouncer(300, async () => ++n, (v) => seen.push(v));
    d.poke();
    d.poke();
    await vi.advanceTimersByTimeAsync(200);
    d.poke();
    expect(n).toBe(0);
    await vi.advanceTimersByTimeAsync(300);
    expect(n).toBe(1);
    expect(seen).toEqual([1]);
    d.poke();
    expect(await d.flush()).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(2);
  });
});
