// The hub's public page (GET /, server-rendered) marks each request's area as
//   <div class="area-map" data-latitude="…" data-longitude="…" data-radius-m="…"></div>
// This script draws each one: a small Leaflet map when the page carries
//   <meta name="porchlight-tiles" content="TILE URL" data-attribution="…">
// and otherwise a plain SVG of the circle on a grid with its scale. Maps are made when
// they come near the viewport, so a page of 50 requests stays light. Nothing here
// reads HTML from the page: the numbers come from data attributes, every label is text.
import "leaflet/dist/leaflet.css";
import "../theme.css";
import "./public.css";
import L from "leaflet";
import { baseLayer, usableTiles, type Tiles } from "../map-parts.js";

const SVG = "http://www.w3.org/2000/svg";
const DONE = "areaMapReady";

export interface Circle {
  latitude: number;
  longitude: number;
  radius_m: number;
}

/** The circle a div describes, or null when its attributes are not numbers in range. */
export function circleOf(el: HTMLElement): Circle | null {
  const lat = Number(el.dataset.latitude);
  const lon = Number(el.dataset.longitude);
  const r = Number(el.dataset.radiusM);
  if (![lat, lon, r].every(Number.isFinite) || Math.abs(lat) > 90 || Math.abs(lon) > 180 || r <= 0 || r > 50_000) return null;
  return { latitude: lat, longitude: lon, radius_m: r };
}

export function tilesOf(doc: Document): Tiles | null {
  const meta = doc.querySelector<HTMLMetaElement>('meta[name="porchlight-tiles"]');
  if (!meta) return null;
  return usableTiles({ url: meta.content, attribution: meta.dataset.attribution ?? "" });
}

function svgEl(name: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function label(c: Circle): string {
  return `A circle of ${Math.round(c.radius_m)} m radius around ${c.latitude.toFixed(4)}, ${c.longitude.toFixed(4)}`;
}

/** The circle on a grid: one square of the grid is a quarter of the radius. */
export function drawPlain(el: HTMLElement, c: Circle): void {
  const size = 200;
  const r = 70;
  const svg = svgEl("svg", { viewBox: `0 0 ${size} ${size}`, class: "area-map-plain", role: "img", "aria-label": label(c) });
  const step = r / 2;
  // The grid runs past the view box: a wide or tall box shows grid to its edges.
  for (let x = (size / 2) % step - 3 * size; x < 4 * size; x += step) {
    svg.append(svgEl("line", { x1: x, y1: -3 * size, x2: x, y2: 4 * size, class: "grid" }));
    svg.append(svgEl("line", { x1: -3 * size, y1: x, x2: 4 * size, y2: x, class: "grid" }));
  }
  svg.append(svgEl("circle", { cx: size / 2, cy: size / 2, r, class: "area" }));
  svg.append(svgEl("circle", { cx: size / 2, cy: size / 2, r: 2.5, class: "centre" }));
  svg.append(svgEl("line", { x1: size / 2, y1: size / 2, x2: size / 2 + r, y2: size / 2, class: "radius" }));
  const text = svgEl("text", { x: size / 2 + r / 2, y: size / 2 - 6, class: "scale", "text-anchor": "middle" });
  text.textContent = `${Math.round(c.radius_m)} m`;
  svg.append(text);
  const title = svgEl("title", {});
  title.textContent = label(c);
  svg.prepend(title);
  el.replaceChildren(svg);
}

export function drawLeaflet(el: HTMLElement, c: Circle, tiles: Tiles): L.Map {
  el.replaceChildren();
  el.classList.add("area-map-leaflet");
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", label(c));
  const map = L.map(el, { zoomControl: false, scrollWheelZoom: false, dragging: false, keyboard: false, doubleClickZoom: false, boxZoom: false, touchZoom: false });
  baseLayer(map, tiles);
  const circle = L.circle([c.latitude, c.longitude], { radius: c.radius_m, className: "area", interactive: false }).addTo(map);
  map.fitBounds(circle.getBounds(), { padding: [8, 8] });
  return map;
}

export function enhance(el: HTMLElement, tiles: Tiles | null): void {
  if (el.dataset[DONE]) return;
  const c = circleOf(el);
  el.dataset[DONE] = "1";
  if (!c) return;
  if (tiles) drawLeaflet(el, c, tiles);
  else drawPlain(el, c);
}

export function enhanceAll(doc: Document = document): void {
  const tiles = tilesOf(doc);
  const maps = [...doc.querySelectorAll<HTMLElement>("div.area-map")];
  if (!tiles || typeof IntersectionObserver === "undefined") {
    for (const el of maps) enhance(el, tiles);
    return;
  }
  const seen = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        seen.unobserve(entry.target);
        enhance(entry.target as HTMLElement, tiles);
      }
    },
    { rootMargin: "400px" },
  );
  for (const el of maps) seen.observe(el);
}

if (typeof document !== "undefined") {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => enhanceAll());
  else enhanceAll();
}
