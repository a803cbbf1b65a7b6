// What the portal's map and the public page's maps share: a plain
// grid when the hub has no tiles, and the escaping of the one string Leaflet would
// otherwise insert as HTML (the operator's tile attribution).
import L from "leaflet";

const M_PER_DEG_LAT = 111_320;

/** Text made safe for the places Leaflet sets innerHTML (attribution). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export interface Tiles {
  url: string;
  attribution: string;
}

/** A tile URL template Leaflet can use: http(s) or same-origin, with {z}, {x}, {y}. */
export function usableTiles(tiles: Tiles | null | undefined): Tiles | null {
  if (!tiles || typeof tiles.url !== "string") return null;
  const url = tiles.url.trim();
  if (!/^(https?:\/\/|\/)/i.test(url) || !url.includes("{z}") || !url.includes("{x}") || !url.includes("{y}")) return null;
  return { url, attribution: typeof tiles.attribution === "string" ? tiles.attribution : "" };
}

/** A grid drawn on the client: the map without tiles still shows scale and movement. */
const PlainGrid = L.GridLayer.extend({
  createTile(): HTMLElement {
    const tile = document.createElement("canvas");
    const size = this.getTileSize() as L.Point;
    tile.width = size.x;
    tile.height = size.y;
    const ctx = tile.getContext("2d");
    if (ctx) {
      ctx.fillStyle = "#f4f1ea";
      ctx.fillRect(0, 0, size.x, size.y);
      ctx.strokeStyle = "#d8d2c4";
      ctx.lineWidth = 1;
      ctx.beginPath();
      for (let i = 0; i <= 4; i++) {
        const p = (i * size.x) / 4 + 0.5;
        ctx.moveTo(p, 0);
        ctx.lineTo(p, size.y);
        ctx.moveTo(0, p);
        ctx.lineTo(size.x, p);
      }
      ctx.stroke();
    }
    return tile;
  },
});

export function baseLayer(map: L.Map, tiles: Tiles | null): void {
  map.attributionControl?.setPrefix(escapeHtml("Leaflet"));
  if (tiles) {
    L.tileLayer(tiles.url, { attribution: escapeHtml(tiles.attribution), maxZoom: 19 }).addTo(map);
  } else {
    new (PlainGrid as unknown as new (o: L.GridLayerOptions) => L.GridLayer)({ maxZoom: 20 }).addTo(map);
  }
}

/** The corners of a square cell of `m` metres centred at (lat, lon). */
export function cellBounds(lat: number, lon: number, m: number): L.LatLngBoundsExpression {
  const dLat = m / 2 / M_PER_DEG_LAT;
  const dLon = m / 2 / (M_PER_DEG_LAT * Math.max(0.01, Math.cos((lat * Math.PI) / 180)));
  return [
    [lat - dLat, lon - dLon],
    [lat + dLat, lon + dLon],
  ];
}

/** A point `metres` east of (lat, lon). */
export function eastOf(lat: number, lon: number, metres: number): L.LatLng {
  return L.latLng(lat, lon + metres / (M_PER_DEG_LAT * Math.max(0.01, Math.cos((lat * Math.PI) / 180))));
}

/** A text node in a span: Leaflet tooltips take elements, so nothing is parsed as HTML. */
export function textElement(text: string, className = ""): HTMLElement {
  const span = document.createElement("span");
  if (className) span.className = className;
  span.textContent = text;
  return span;
}
