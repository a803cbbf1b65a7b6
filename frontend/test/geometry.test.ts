import { describe, expect, it } from "vitest";
import { drawArea, niceScale, offsetMeters } from "../src/geometry";

const centre = { latitude: 51.5, longitude: -0.12 };

describe("offsetMeters", () => {
  it("measures north and east around the centre", () => {
    const north = offsetMeters(centre, { latitude: 51.501, longitude: -0.12 });
    expect(north.north).toBeCloseTo(111.2, 0);
    expect(north.east).toBeCloseTo(0, 6);
    const east = offsetMeters(centre, { latitude: 51.5, longitude: -0.119 });
    // A degree of longitude shrinks with the cosine of the latitude.
    expect(east.east).toBeCloseTo(111.195 * Math.cos((51.5 * Math.PI) / 180), 1);
  });
});

describe("niceScale", () => {
  it.each([
    [0.5, 1],
    [7, 5],
    [150, 100],
    [299, 200],
    [480, 200],
    [500, 500],
    [3_100, 2_000],
  ])("%d -> %d", (max, nice) => {
    expect(niceScale(max)).toBe(nice);
  });
});

describe("drawArea", () => {
  it("centres the circle and puts a home 200 m north above it, inside", () => {
    const home = { latitude: 51.5 + 200 / 111_195, longitude: -0.12 };
    const d = drawArea({ ...centre, radius_m: 400 }, home, 160, 14);
    expect(d.centre).toEqual({ x: 80, y: 80 });
    expect(d.homeInside).toBe(true);
    expect(d.homeOffChart).toBe(false);
    expect(d.homeDistanceM).toBeCloseTo(200, 0);
    expect(d.home!.x).toBeCloseTo(80, 3);
    expect(d.home!.y).toBeLessThan(80);
    // The home sits at half the radius from the centre.
    expect(80 - d.home!.y).toBeCloseTo(d.radius / 2, 1);
    // The circle fits in the drawing.
    expect(d.radius).toBeLessThanOrEqual(80 - 14);
  });

  it("zooms out to show a home outside the circle, east is right", () => {
    const home = { latitude: 51.5, longitude: -0.12 + 900 / (111_195 * Math.cos((51.5 * Math.PI) / 180)) };
    const d = drawArea({ ...centre, radius_m: 400 }, home, 160, 14);
    expect(d.homeInside).toBe(false);
    expect(d.homeOffChart).toBe(false);
    expect(d.home!.x).toBeGreaterThan(80 + d.radius);
    expect(d.home!.x).toBeLessThanOrEqual(160 - 14 + 1e-9);
  });

  it("pins a far home to the edge instead of shrinking the circle to a dot", () => {
    const home = { latitude: 51.5 - 0.2, longitude: -0.12 };
    const d = drawArea({ ...centre, radius_m: 300 }, home, 160, 14);
    expect(d.homeOffChart).toBe(true);
    expect(d.home!.y).toBeCloseTo(160 - 14, 6);
    expect(d.radius).toBeGreaterThan(10);
  });

  it("draws a scale bar of a round length, matching the projection", () => {
    const d = drawArea({ ...centre, radius_m: 400 }, null, 160, 14);
    expect([100, 200, 500]).toContain(d.scale.meters);
    expect(d.scale.length / d.radius).toBeCloseTo(d.scale.meters / 400, 6);
    expect(d.scale.length).toBeLessThan(160);
  });

  it("copes with no home and with junk", () => {
    const d = drawArea({ ...centre, radius_m: 400 }, null);
    expect(d.home).toBeNull();
    expect(d.homeInside).toBeNull();
    const junk = drawArea({ latitude: Number.NaN, longitude: 0, radius_m: -3 }, { latitude: 95, longitude: 0 });
    expect(junk.home).toBeNull();
    expect(Number.isFinite(junk.radius)).toBe(true);
  });
});
