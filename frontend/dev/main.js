// The dev page: builds a mock hass from the query, loads the built bundle and mounts
// the panel (or the card with ?card=1). window.__porchlight exposes the pieces to
// dev/browser.mjs (the benchmark reads its timings from here).
import { MockConnection, makeData, makeHass } from "/dev/mock-hass.js";

const q = new URLSearchParams(location.search);
const num = (name, fallback) => (q.has(name) ? Number(q.get(name)) : fallback);
const dark = q.get("theme") === "dark";
document.documentElement.classList.toggle("dark", dark);

const data = makeData({
  pending: num("pending", 4),
  clipsPerRequest: num("clips", 4),
  decided: num("decided", 6),
  shares: num("shares", 5),
  ledger: num("ledger", 450),
  entries: num("entries", 1),
  queued: q.get("queued") !== "0",
  media: q.get("media") ?? "mixed",
});
const fail = {};
for (const service of q.getAll("fail")) fail[service] = `Mock failure: porchlight.${service} was refused by the hub.`;
const connection = new MockConnection(data, { latency: num("latency", 0), fail, queue: q.get("queue") === "1" });
const hass = makeHass(connection, { dark });

const narrowQuery = window.matchMedia("(max-width: 870px)");
const main = document.getElementById("main");
const state = { connection, hass, data, t0: 0, rendered: 0 };
window.__porchlight = state;

await import("/bundle/porchlight-panel.js");

let element;
if (q.get("card") === "1") {
  main.classList.add("card-demo");
  element = document.createElement("porchlight-requests-card");
  element.setConfig({ type: "custom:porchlight-requests-card", title: "Video requests" });
} else {
  state.t0 = performance.now();
  element = document.createElement("porchlight-panel");
  element.route = { prefix: "/porchlight", path: q.has("view") ? `/${q.get("view")}` : "" };
  element.panel = { config: {} };
}
const applyNarrow = () => {
  document.body.classList.toggle("narrow", narrowQuery.matches);
  if ("narrow" in element) element.narrow = narrowQuery.matches;
};
narrowQuery.addEventListener("change", applyNarrow);
applyNarrow();
element.hass = hass;
main.append(element);
state.element = element;
if (q.get("card") !== "1") watchFirstRender();

/**
 * The benchmark's first-render figure: from creating the element to every request item
 * rendered (Lit update done, clip checkboxes in place) and laid out. Polled each frame.
 */
function watchFirstRender() {
  const expected = data.requests.length;
  const tick = () => {
    const view = element.shadowRoot?.querySelector("porchlight-requests-view");
    const items = view?.shadowRoot?.querySelectorAll("porchlight-request-item") ?? [];
    const done =
      view &&
      !view.isUpdatePending &&
      items.length === expected &&
      [...items].every(
        (item) =>
          item.hasUpdated &&
          !item.isUpdatePending &&
          item.shadowRoot.querySelectorAll("input[data-clip-id]").length === (item.request.status === "pending" && !item.request.queued ? item.request.clips.length : 0),
      );
    if (!done) return requestAnimationFrame(tick);
    void document.body.offsetHeight; // style and layout belong in the figure
    state.firstRender = performance.now() - state.t0;
  };
  tick();
}
window.addEventListener("hass-toggle-menu", () => document.body.classList.toggle("menu-open"));
document.addEventListener("click", (e) => {
  if (document.body.classList.contains("menu-open") && !e.composedPath().includes(document.getElementById("sidebar"))) {
    if (!e.composedPath().some((n) => n instanceof Element && n.classList?.contains("menu"))) {
      document.body.classList.remove("menu-open");
    }
  }
});
// HA hands panels a new hass object on every state change: do the same, often.
state.churn = setInterval(() => {
  element.hass = { ...hass };
}, 500);
