import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("leaflet/dist/leaflet.css", () => ({}));
vi.mock("../src/public/public.css", () => ({}));
vi.mock("../src/theme.css", () => ({}));

const { circleOf, enhanceAll, tilesOf } = await import("../src/public/public-map.js");

afterEach(() => {
  document.head.replaceChildren();
  document.body.replaceChildren();
});

function area(attrs: Record<string, string>): HTMLElement {
  const div = document.createElement("div");
  div.className = "area-map";
  for (const [k, v] of Object.entries(attrs)) div.setAttribute(k, v);
  document.body.append(div);
  return div;
}

describe("the public page's area maps", () => {
  it("draws each circle as an SVG on a grid when the hub has no tiles", () => {
    const a = area({ "data-latitude": "37.77", "data-longitude": "-122.42", "data-radius-m": "400" });
    const b = area({ "data-latitude": "1", "data-longitude": "2", "data-radius-m": "150" });
    enhanceAll();
    for (const [el, r] of [[a, "400"], [b, "150"]] as const) {
      const svg = el.querySelector("svg")!;
      expect(svg.getAttribute("role")).toBe("img");
      expect(svg.getAttribute("aria-label")).toContain(`${r} m radius`);
      expect(svg.querySelector("circle.area")).not.toBeNull();
      expect(svg.querySelector("text")?.textContent).toBe(`${r} m`);
    }
  });

  it("leaves a div with hostile or missing numbers empty", () => {
    const bad = area({ "data-latitude": '"><img src=x onerror=alert(1)>', "data-longitude": "2", "data-radius-m": "150" });
    const missing = area({});
    enhanceAll();
    expect(bad.children).toHaveLength(0);
    expect(missing.children).toHaveLength(0);
    expect(circleOf(bad)).toBeNull();
  });

  it("reads the tiles from the page's meta, refusing unusable templates", () => {
    const meta = document.createElement("meta");
    meta.name = "porchlight-tiles";
    meta.content = "https://{s}.tile.example.org/{z}/{x}/{y}.png";
    meta.dataset.attribution = "© <b>Example</b>";
    document.head.append(meta);
    expect(tilesOf(document)).toEqual({ url: meta.content, attribution: "© <b>Example</b>" });
    meta.content = "javascript:alert(1)//{z}{x}{y}";
    expect(tilesOf(document)).toBeNull();
  });
});
