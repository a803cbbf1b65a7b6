// The new request's circle on a Leaflet map: drag the centre marker (or click the
// map) to move it, drag the handle on its edge (or use the form's slider) to size it.
// The hub's coarse density cells are drawn as shaded squares with their count ("<5"
// below 5); no home's position is ever known to the portal.
import L from "leaflet";
import iconRetinaUrl from "leaflet/dist/images/marker-icon-2x.png";
import iconUrl from "leaflet/dist/images/marker-icon.png";
import shadowUrl from "leaflet/dist/images/marker-shadow.png";
import { clampRadius, roundCoord } from "./form.js";
import { baseLayer, cellBounds, eastOf, textElement, type Tiles } from "./map-parts.js";
import type { Area, DensityCell } from "./types.js";

// Leaflet looks its marker images up from its stylesheet's path, which a bundle moves:
// name the bundle's own files instead.
let iconsFixed = false;
function fixDefaultIcon(): void {
  if (iconsFixed) return;
  iconsFixed = true;
  const proto = L.Icon.Default.prototype as unknown as { _getIconUrl?: unknown };
  delete proto._getIconUrl;
  L.Icon.Default.mergeOptions({ iconUrl, iconRetinaUrl, shadowUrl });
}

export interface AreaMapOptions {
  tiles: Tiles | null;
  cells: DensityCell[];
  cellM: number;
  area: Area;
  onChange: (area: Area) => void;
}

export class AreaMap {
  readonly map: L.Map;
  private readonly circle: L.Circle;
  private readonly centre: L.Marker;
  private readonly handle: L.Marker;
  private area: Area;

  constructor(element: HTMLElement, private readonly options: AreaMapOptions) {
    fixDefaultIcon();
    this.area = { ...options.area };
    const here = L.latLng(this.area.latitude, this.area.longitude);
    this.map = L.map(element, { center: here, zoom: 15, minZoom: 3, maxZoom: 19 });
    baseLayer(this.map, options.tiles);
    this.drawCells(options.cells, options.cellM);
    this.circle = L.circle(here, { radius: this.area.radius_m, className: "request-circle", interactive: false }).addTo(this.map);
    this.centre = L.marker(here, { draggable: true, autoPan: true, keyboard: true, title: "Centre of the area", alt: "Centre of the area" }).addTo(this.map);
    this.handle = L.marker(eastOf(here.lat, here.lng, this.area.radius_m), {
      draggable: true,
      keyboard: true,
      title: "Drag to size the circle",
      icon: L.divIcon({ className: "radius-handle", iconSize: [26, 26] }),
    }).addTo(this.map);
    this.centre.on("drag dragend", () => this.moveTo(this.centre.getLatLng()));
    this.handle.on("drag dragend", () => this.resizeTo(this.handle.getLatLng()));
    this.map.on("click", (e: L.LeafletMouseEvent) => this.moveTo(e.latlng));
    this.map.fitBounds(this.circle.getBounds(), { padding: [24, 24] });
    this.reflect();
  }

  /** The circle as data attributes of the map's element: what a test or a reader sees. */
  private reflect(): void {
    const el = this.map.getContainer();
    el.dataset.latitude = String(this.area.latitude);
    el.dataset.longitude = String(this.area.longitude);
    el.dataset.radiusM = String(this.area.radius_m);
  }

  private drawCells(cells: DensityCell[], cellM: number): void {
    for (const cell of cells) {
      const few = typeof cell.homes !== "number";
      const rect = L.rectangle(cellBounds(cell.latitude, cell.longitude, cellM), {
        className: few ? "density-cell density-few" : "density-cell",
        weight: 0,
        fillOpacity: few ? 0.15 : Math.min(0.55, 0.15 + Number(cell.homes) / 100),
      }).addTo(this.map);
      rect.bindTooltip(textElement(`Homes here: ${String(cell.homes)}`));
    }
  }

  private moveTo(where: L.LatLng): void {
    this.area = { ...this.area, latitude: roundCoord(where.lat), longitude: roundCoord(where.lng) };
    this.redraw(true);
  }

  private resizeTo(edge: L.LatLng): void {
    const centre = L.latLng(this.area.latitude, this.area.longitude);
    this.area = { ...this.area, radius_m: clampRadius(this.map.distance(centre, edge)) };
    this.redraw(true);
  }

  /** The form's slider or a typed radius. */
  setArea(area: Area): void {
    if (area.latitude === this.area.latitude && area.longitude === this.area.longitude && area.radius_m === this.area.radius_m) return;
    this.area = { ...area };
    this.redraw(false);
  }

  private redraw(notify: boolean): void {
    const here = L.latLng(this.area.latitude, this.area.longitude);
    this.circle.setLatLng(here);
    this.circle.setRadius(this.area.radius_m);
    this.centre.setLatLng(here);
    this.handle.setLatLng(eastOf(here.lat, here.lng, this.area.radius_m));
    this.reflect();
    if (notify) this.options.onChange({ ...this.area });
  }

  destroy(): void {
    this.map.remove();
  }
}
