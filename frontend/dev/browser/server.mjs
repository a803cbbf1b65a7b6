// The mock page's server and the browser: a tiny static server on 127.0.0.1 and
// Debian's chromium, launched the way this machine needs (no background networking).
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const FRONTEND = resolve(HERE, "..");
const REPO = resolve(FRONTEND, "..");
const BUNDLE = resolve(process.env.PORCHLIGHT_BUNDLE ?? join(REPO, "custom_components/porchlight/frontend/porchlight-panel.js"));
const SNAPSHOT = join(REPO, "config/demo_doorbell.jpg");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const TIMEOUT_MS = 30_000;

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css" };

export function serve(port = 0) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (process.env.PORCHLIGHT_SERVE_LOG) console.log(`${req.method} ${url.pathname}${url.search}`);
    const send = (status, body, type = "text/plain") => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    try {
      if (url.pathname === "/" || url.pathname.startsWith("/porchlight")) {
        return send(200, readFileSync(join(HERE, "index.html")), TYPES[".html"]);
      }
      if (url.pathname === "/bundle/porchlight-panel.js") return send(200, readFileSync(BUNDLE), TYPES[".js"]);
      if (url.pathname === "/clips/snapshot.jpg") return send(200, readFileSync(SNAPSHOT), "image/jpeg");
      if (url.pathname.startsWith("/dev/")) {
        const file = normalize(join(HERE, url.pathname.slice("/dev/".length)));
        if (file.startsWith(HERE) && existsSync(file)) {
          return send(200, readFileSync(file), TYPES[extname(file)] ?? "application/octet-stream");
        }
      }
      return send(404, "not found");
    } catch (err) {
      return send(500, String(err));
    }
  });
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => ok(server)));
}

export async function launch() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium), or run scripts/frontend browser as root.`);
  }
  if (!existsSync(BUNDLE)) throw new Error(`No bundle at ${BUNDLE}: run scripts/frontend build first.`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: TIMEOUT_MS,
  });
}

/** Opens the dev page and waits until the panel shows `count` request items (or the view's content). */
export async function open(browser, base, query, viewport, { waitItems = true } = {}) {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(TIMEOUT_MS);
  const errors = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().includes("404")) errors.push(msg.text());
  });
  await page.goto(`${base}/porchlight?${query}`);
  await page.waitForFunction(() => window.__porchlight?.element);
  if (waitItems) await waitRendered(page);
  page.__errors = errors;
  return page;
}

/** Every pending + decided request item of the mock is rendered (and laid out). */
export async function waitRendered(page) {
  await page.waitForFunction(() => {
    const s = window.__porchlight;
    const view = s.element.shadowRoot?.querySelector("porchlight-requests-view");
    if (!view || view.isUpdatePending) return false;
    const items = view.shadowRoot.querySelectorAll("porchlight-request-item");
    return items.length === s.data.requests.length && [...items].every((i) => i.hasUpdated && !i.isUpdatePending);
  });
}
