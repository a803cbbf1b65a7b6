// The small drawing of a request's circle and the home (no tiles, no network).
import { css, svg, html, type TemplateResult } from "lit";
import type { Area, LatLon } from "../api";
import { drawArea } from "../geometry";
import { formatDistance } from "../format";
import { strings } from "../strings";

export function areaMapLabel(area: Area, home: LatLon | null | undefined, locale: string): string {
  const drawing = drawArea(area, home);
  const radius = formatDistance(area.radius_m, locale);
  const distance = drawing.homeDistanceM;
  const where =
    distance === null
      ? strings.homeUnknown
      : drawing.homeInside
        ? strings.homeInside(formatDistance(distance, locale))
        : strings.homeOutside(formatDistance(distance, locale));
  return strings.mapLabel(radius, where);
}

export function renderAreaMap(
  area: Area,
  home: LatLon | null | undefined,
  locale: string,
): TemplateResult {
  const d = drawArea(area, home);
  const { size, centre, radius, scale } = d;
  const barX = 10;
  const barY = size - 10;
  let homeMark = svg``;
  if (d.home) {
    const { x, y } = d.home;
    if (d.homeOffChart) {
      // An arrow on the edge, pointing from the centre towards the home.
      const angle = (Math.atan2(y - centre.y, x - centre.x) * 180) / Math.PI;
      // Off the drawing: say how far, and keep the words inside the frame.
      const far = strings.mapHomeFar(formatDistance(d.homeDistanceM ?? 0, locale));
      const labelX = Math.min(size - 40, Math.max(40, x));
      homeMark = svg`<g transform="translate(${x} ${y}) rotate(${angle})">
          <path class="home" d="M6 0 L-6 -6 L-3 0 L-6 6 Z"></path></g>
        <text class="label" x=${labelX} y=${y < centre.y ? y + 18 : y - 10} text-anchor="middle">${far}</text>`;
    } else {
      homeMark = svg`<g transform="translate(${x} ${y})">
          <path class="home" d="M0 -7 L7 0 L4.5 0 L4.5 6 L-4.5 6 L-4.5 0 L-7 0 Z"></path></g>
        <text class="label" x=${x} y=${y > size - 30 ? y - 10 : y + 17} text-anchor="middle">${strings.mapHome}</text>`;
    }
  }
  return html`<svg
    class="area-map"
    viewBox="0 0 ${size} ${size}"
    role="img"
    aria-label=${areaMapLabel(area, home, locale)}
  >
    <rect class="bg" x="0.5" y="0.5" width=${size - 1} height=${size - 1} rx="8"></rect>
    <circle class="area" cx=${centre.x} cy=${centre.y} r=${radius}></circle>
    <path class="centre" d="M${centre.x - 4} ${centre.y} h8 M${centre.x} ${centre.y - 4} v8"></path>
    ${homeMark}
    <g class="north" transform="translate(${size - 14} 16)">
      <path d="M0 -8 L4 4 L0 1 L-4 4 Z"></path>
      <text class="label" x="0" y="14" text-anchor="middle">N</text>
    </g>
    <path class="scale" d="M${barX} ${barY - 4} V${barY} H${barX + scale.length} V${barY - 4}"></path>
    <text class="label" x=${barX} y=${barY - 7}>${formatDistance(scale.meters, locale)}</text>
  </svg>`;
}

export const areaMapStyles = css`
  .area-map {
    display: block;
    width: 100%;
    max-width: 160px;
    height: auto;
    aspect-ratio: 1;
  }
  .area-map .bg {
    fill: var(--primary-background-color, #fafafa);
    stroke: var(--divider-color, #e0e0e0);
  }
  .area-map .area {
    fill: color-mix(in srgb, var(--primary-color, #03a9f4) 18%, transparent);
    stroke: var(--primary-color, #03a9f4);
    stroke-width: 1.5;
  }
  .area-map .centre,
  .area-map .scale {
    fill: none;
    stroke: var(--secondary-text-color, #727272);
    stroke-width: 1.2;
  }
  .area-map .home {
    fill: var(--warning-color, #ffa600);
    stroke: var(--primary-text-color, #212121);
    stroke-width: 0.8;
  }
  .area-map .north path {
    fill: var(--secondary-text-color, #727272);
  }
  .area-map .label {
    font-size: 10px;
    fill: var(--primary-text-color, #212121);
    paint-order: stroke;
    stroke: var(--primary-background-color, #fafafa);
    stroke-width: 3px;
  }
`;
