// The request circle and the home's position in the small map of a request: an
// equirectangular projection around the circle's centre (exact enough for a few km),
// no map tiles. Pure numbers; components/area-map.ts draws them.
import type { Area, LatLon } from "./api";

export const EARTH_RADIUS_M = 6_371_008.8;

export interface Point {
  x: number;
  y: number;
}

export interface AreaDrawing {
  /** The drawing is a square of size x size (SVG user units). */
  size: number;
  centre: Point;
  radius: number;
  /** Where the home marker goes, or null when the home's position is unknown. */
  home: Point | null;
  homeDistanceM: number | null;
  homeInside: boolean | null;
  /** The home lies beyond the drawing: the marker sits on the edge, towards it. */
  homeOffChart: boolean;
  scale: { meters: number; length: number };
}

/** Metres east and north of `from` to `to`, equirectangular around `from`. */
export function offsetMeters(from: LatLon, to: LatLon): { east: number; north: number } {
  const rad = Math.PI / 180;
  const east = (to.longitude - from.longitude) * rad * Math.cos(from.latitude * rad) * EARTH_RADIUS_M;
  const north = (to.latitude - from.latitude) * rad * EARTH_RADIUS_M;
  return { east, north };
}

/** The largest 1, 2 or 5 x 10^k metres not above `max` (at least 1 m). */
export function niceScale(max: number): number {
  if (!(max > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [5, 2, 1]) {
    if (step * power <= max) return step * power;
  }
  return power;
}

function validPoint(p: LatLon | null | undefined): p is LatLon {
  return (
    !!p &&
    Number.isFinite(p.latitude) &&
    Number.isFinite(p.longitude) &&
    Math.abs(p.latitude) <= 90 &&
    Math.abs(p.longitude) <= 180
  );
}

export function drawArea(
  area: Area,
  home: LatLon | null | undefined,
  size = 160,
  padding = 14,
): AreaDrawing {
  const radiusM = Number.isFinite(area.radius_m) && area.radius_m > 0 ? area.radius_m : 1;
  const half = size / 2 - padding;
  const centre = { x: size / 2, y: size / 2 };
  let offset: { east: number; north: number } | null = null;
  let distance: number | null = null;
  if (validPoint(home) && validPoint(area)) {
    offset = offsetMeters(area, home);
    distance = Math.hypot(offset.east, offset.north);
  }
  // Show the circle with some room, and the home too unless it is far away (then the
  // circle would shrink to a dot): beyond 4 radii the marker is pinned to the edge.
  const extent = Math.max(radiusM * 1.25, Math.min((distance ?? 0) * 1.2, radiusM * 4));
  const metersPerUnit = extent / half;
  let homePoint: Point | null = null;
  let offChart = false;
  if (offset) {
    let dx = offset.east / metersPerUnit;
    let dy = -offset.north / metersPerUnit;
    const length = Math.hypot(dx, dy);
    if (length > half) {
      dx = (dx / length) * half;
      dy = (dy / length) * half;
      offChart = true;
    }
    homePoint = { x: centre.x + dx, y: centre.y + dy };
  }
  const scaleMeters = niceScale(extent * 0.8);
  return {
    size,
    centre,
    radius: radiusM / metersPerUnit,
    home: homePoint,
    homeDistanceM: distance,
    homeInside: distance === null ? null : distance <= radiusM,
    homeOffChart: offChart,
    scale: { meters: scaleMeters, length: scaleMeters / metersPerUnit },
  };
}
