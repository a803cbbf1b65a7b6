#!/usr/bin/env node
// Real-Chromium checks of the built bundle against the mock dev page (dev/index.html):
//   node dev/browser.mjs bench [--runs N]     first render and selection-click timings vs targets
//   node dev/browser.mjs reach                at phone width every control is reachable, nothing scrolls sideways
//   node dev/browser.mjs browser              reach + a quick bench (what scripts/frontend browser runs)
//   node dev/browser.mjs screenshots DIR      PNGs: light/dark x desktop/phone x every view, and a few states
//   node dev/browser.mjs serve [PORT]         just serve the mock page, to open it in a browser by hand
// Serves the page itself on 127.0.0.1 (a random port) and launches Debian's chromium.
// PORCHLIGHT_BUNDLE=path tests another build of the bundle; CHROMIUM=path another browser.
import { createServer } from "node:http";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { extname, join, normalize, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { cpus, loadavg } from "node:os";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
const FRONTEND = resolve(HERE, "..");
const REPO = resolve(FRONTEND, "..");
const BUNDLE = resolve(process.env.PORCHLIGHT_BUNDLE ?? join(REPO, "custom_components/porchlight/frontend/porchlight-panel.js"));
const SNAPSHOT = join(REPO, "config/demo_doorbell.jpg");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const TARGET_FIRST_RENDER_MS = 1000;
const TARGET_CLICK_MS = 100;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const TIMEOUT_MS = 30_000;

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css" };

function serve(port = 0) {
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

async function launch() {
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
async function open(browser, base, query, viewport, { waitItems = true } = {}) {
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
async function waitRendered(page) {
  await page.waitForFunction(() => {
    const s = window.__porchlight;
    const view = s.element.shadowRoot?.querySelector("porchlight-requests-view");
    if (!view || view.isUpdatePending) return false;
    const items = view.shadowRoot.querySelectorAll("porchlight-request-item");
    return items.length === s.data.requests.length && [...items].every((i) => i.hasUpdated && !i.isUpdatePending);
  });
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p + 0.5))];
}

/** Element creation -> all 50 items rendered and laid out; measured by dev/main.js in the page. */
async function firstRender(browser, base) {
  const page = await open(browser, base, "pending=50&clips=10&decided=0&queued=0&shares=0&ledger=5", DESKTOP, {
    waitItems: false,
  });
  await page.waitForFunction(() => window.__porchlight.firstRender !== undefined);
  const ms = await page.evaluate(() => window.__porchlight.firstRender);
  const errors = page.__errors;
  await page.close();
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
  return ms;
}

/** Real mouse clicks on 20 different clip checkboxes; each timed in the page. */
async function selectionClicks(browser, base, count = 20) {
  const page = await open(browser, base, "pending=50&clips=10&decided=0&queued=0&shares=0&ledger=5", DESKTOP);
  await page.evaluate(() => {
    const s = window.__porchlight;
    s.clicks = [];
    document.addEventListener(
      "click",
      (event) => {
        const path = event.composedPath();
        const input = path[0];
        if (!(input instanceof HTMLInputElement) || !input.dataset.clipId) return;
        const item = path.find((n) => n.tagName === "PORCHLIGHT-REQUEST-ITEM");
        const start = event.timeStamp;
        const handled = performance.now();
        // The checkbox's change event (its activation) comes after the click's listeners;
        // it does not leave the shadow root, and the item's own handler runs before this one.
        item.shadowRoot.addEventListener(
          "change",
          () =>
            queueMicrotask(async () => {
              await item.updateComplete;
              const updated = performance.now();
              const share = [...item.shadowRoot.querySelectorAll("button")].find((b) => b.textContent.trim() === "Share selected");
              requestAnimationFrame(() =>
                setTimeout(() => {
                  const end = performance.now();
                  s.clicks.push({
                    ms: end - start,
                    queued: handled - start,
                    update: updated - handled,
                    frame: end - updated,
                    checked: input.checked,
                    enabled: !share.disabled,
                  });
                }, 0),
              );
            }),
          { once: true },
        );
      },
      true,
    );
  });
  for (let n = 0; n < count; n++) {
    const request = `req-${String(Math.floor(n / 2) + 1).padStart(3, "0")}`;
    const clip = `clip-${Math.floor(n / 2)}-${n % 2 ? 7 : 2}`;
    const box = page.locator(`porchlight-request-item[data-request-id="${request}"] input[data-clip-id="${clip}"]`);
    // A person scrolls to a clip, then clicks: let the scroll's work (players built for
    // requests coming into view) finish first, so the figure is the click's own.
    await box.scrollIntoViewIfNeeded();
    await page.evaluate(
      () => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(() => requestIdleCallback(ok, { timeout: 2000 })))),
    );
    await box.click();
    await page.waitForFunction((k) => window.__porchlight.clicks.length > k, n);
  }
  const clicks = await page.evaluate(() => window.__porchlight.clicks);
  await page.close();
  const bad = clicks.filter((c) => !c.checked || !c.enabled);
  if (bad.length) throw new Error(`${bad.length} clicks did not check the box and enable Share selected`);
  if (process.env.PORCHLIGHT_BENCH_VERBOSE) {
    for (const c of clicks) console.log(`  click ${c.ms.toFixed(1)} ms = input queue ${c.queued.toFixed(1)} + update ${c.update.toFixed(1)} + frame ${c.frame.toFixed(1)}`);
  }
  return clicks.map((c) => c.ms);
}

async function bench(browser, base, runs) {
  const renders = [];
  for (let i = 0; i < runs; i++) renders.push(await firstRender(browser, base));
  const clicks = await selectionClicks(browser, base);
  const render50 = percentile(renders, 0.5);
  const clickP50 = percentile(clicks, 0.5);
  const clickMax = Math.max(...clicks);
  const rows = [
    ["first render, 50 requests x 10 clips (p50 of " + runs + ")", render50, TARGET_FIRST_RENDER_MS, render50 <= TARGET_FIRST_RENDER_MS],
    ["first render, worst of " + runs, Math.max(...renders), TARGET_FIRST_RENDER_MS, null],
    ["selection click p50 (20 clicks)", clickP50, TARGET_CLICK_MS, clickP50 <= TARGET_CLICK_MS],
    ["selection click max (20 clicks)", clickMax, TARGET_CLICK_MS, clickMax <= TARGET_CLICK_MS],
  ];
  const [load1] = loadavg();
  console.log(
    `Porchlight panel benchmark (Chromium, headless; load average ${load1.toFixed(1)} on ${cpus().length} cores: ` +
      "wall-clock figures, a busy machine inflates them)",
  );
  for (const [name, value, target, pass] of rows) {
    const verdict = pass === null ? "info" : pass ? "PASS" : "FAIL";
    console.log(`  ${name.padEnd(52)} ${value.toFixed(1).padStart(8)} ms   target <= ${target} ms   ${verdict}`);
  }
  return rows.every(([, , , pass]) => pass !== false);
}

// --- reachability at phone width -------------------------------------------------------

/** In the page: every control (deep in shadow roots) is in view after scrollIntoView, not covered, >= 40 px. */
async function checkControls(page, label) {
  return page.evaluate(async (label) => {
    const problems = [];
    const all = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll("*")) {
        if (el.matches("button, a[href], select, summary, input")) all.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document.getElementById("main"));
    const deepAt = (x, y) => {
      let el = document.elementFromPoint(x, y);
      while (el?.shadowRoot) {
        const inner = el.shadowRoot.elementFromPoint(x, y);
        if (!inner || inner === el) break;
        el = inner;
      }
      return el;
    };
    const name = (el) => `${el.tagName.toLowerCase()}${el.dataset.clipId ? `[data-clip-id=${el.dataset.clipId}]` : ""} "${(el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 40)}"`;
    for (const el of all) {
      const target = el.matches("input[type=checkbox]") ? el.closest("label") ?? el : el;
      target.scrollIntoView({ block: "center", inline: "nearest" });
      await new Promise((ok) => requestAnimationFrame(ok));
      const r = target.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // hidden (e.g. an option of a closed select)
      if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) {
        problems.push(`${label}: ${name(el)} not in the viewport after scrollIntoView (${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)})`);
        continue;
      }
      const hit = deepAt(r.left + r.width / 2, r.top + r.height / 2);
      if (!hit || !(hit === target || target.contains(hit) || hit.contains(target))) {
        problems.push(`${label}: ${name(el)} is covered by ${hit ? hit.tagName.toLowerCase() + "." + hit.className : "nothing"}`);
      }
      if (r.height < 39.5 || r.width < 39.5) {
        problems.push(`${label}: ${name(el)} is a small touch target (${Math.round(r.width)}x${Math.round(r.height)})`);
      }
    }
    const scrollers = [document.scrollingElement];
    const walkScroll = (root) => {
      for (const el of root.querySelectorAll("*")) {
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "hidden" && getComputedStyle(el).overflowX !== "visible" && el.tagName !== "PRE") scrollers.push(el);
        if (el.shadowRoot) walkScroll(el.shadowRoot);
      }
    };
    walkScroll(document.getElementById("main"));
    if (document.scrollingElement.scrollWidth > innerWidth + 1) problems.push(`${label}: the page scrolls sideways`);
    for (const el of scrollers.slice(1)) problems.push(`${label}: ${el.tagName.toLowerCase()}.${el.className} scrolls sideways`);
    return { problems, checked: all.length };
  }, label);
}

async function reach(browser, base) {
  const page = await open(browser, base, "pending=3&clips=4&decided=6&shares=5&ledger=30", PHONE);
  const problems = [];
  let checked = 0;
  const tab = (name) => page.getByRole("tab", { name: new RegExp(`^${name}`) });
  for (const view of ["Requests", "Shares", "Ledger"]) {
    await tab(view).click();
    await page.waitForTimeout(300);
    if (view === "Ledger") await page.locator("porchlight-ledger-view details summary").first().click();
    const result = await checkControls(page, view);
    problems.push(...result.problems);
    checked += result.checked;
  }
  // The revoke confirmation's buttons too.
  await tab("Shares").click();
  await page.getByRole("button", { name: "Revoke", exact: true }).first().click();
  const confirm = await checkControls(page, "Shares (confirming revoke)");
  problems.push(...confirm.problems);
  checked += confirm.checked;
  await page.keyboard.press("Escape");
  // Keyboard: arrow keys move between the tabs.
  await tab("Shares").focus();
  await page.keyboard.press("ArrowRight");
  if ((await tab("Ledger").getAttribute("aria-selected")) !== "true") problems.push("keyboard: ArrowRight on a tab does not select the next tab");
  // The narrow panel's menu button opens the sidebar (hass-toggle-menu).
  await page.getByRole("button", { name: "Open the sidebar" }).click();
  if (!(await page.evaluate(() => document.body.classList.contains("menu-open")))) problems.push("the menu button did not fire hass-toggle-menu");
  if (page.__errors.length) problems.push(...page.__errors.map((e) => `page error: ${e}`));
  await page.close();
  console.log(`Phone width (${PHONE.width} px): ${checked} controls checked in three views and the revoke confirmation.`);
  for (const p of problems) console.log(`  FAIL ${p}`);
  console.log(problems.length ? `reach: ${problems.length} problem(s)` : "reach: PASS (every control in view, uncovered, >= 40 px; no sideways scrolling)");
  return problems.length === 0;
}

// --- screenshots -------------------------------------------------------------------------

async function settle(page) {
  // Video players show a short loading animation when built; wait it out.
  await page.waitForTimeout(1500);
  await page.evaluate(() => Promise.all([...document.images].map((i) => (i.complete ? null : new Promise((ok) => i.addEventListener("load", ok, { once: true }))))));
}

async function screenshots(browser, base, dir) {
  mkdirSync(dir, { recursive: true });
  const shots = [];
  const shot = async (page, file) => {
    await settle(page);
    const path = join(dir, file);
    await page.screenshot({ path });
    shots.push(path);
  };
  for (const theme of ["light", "dark"]) {
    for (const [device, viewport] of [["desktop", DESKTOP], ["phone", PHONE]]) {
      for (const view of ["requests", "shares", "ledger"]) {
        const page = await open(browser, base, `theme=${theme}&view=${view}&entries=2`, viewport, { waitItems: view === "requests" });
        if (view === "ledger") {
          await page.waitForSelector("porchlight-ledger-view .entry");
          await page.locator("porchlight-ledger-view details summary").nth(1).click();
        }
        if (view === "shares") await page.waitForSelector("porchlight-share-item");
        await shot(page, `${theme}-${device}-${view}.png`);
        await page.close();
      }
    }
    // The decided requests under the pending ones.
    const earlier = await open(browser, base, `theme=${theme}`, DESKTOP);
    await earlier.locator("porchlight-requests-view #earlier-h").evaluate((h) => h.scrollIntoView());
    await shot(earlier, `${theme}-desktop-earlier.png`);
    await earlier.close();
    // A long phone page of requests: everything a phone user scrolls through.
    const long = await open(browser, base, `theme=${theme}`, { width: PHONE.width, height: 3200 });
    await long.locator('input[data-clip-id="clip-0-1"]').check();
    await shot(long, `${theme}-phone-requests-long.png`);
    await long.close();
    const card = await open(browser, base, `theme=${theme}&card=1`, { width: 520, height: 900 }, { waitItems: false });
    await card.waitForSelector("porchlight-requests-card li.request");
    await shot(card, `${theme}-card.png`);
    await card.close();
  }
  // States: an action in flight, an error next to the request, the revoke confirmation, the queued message.
  const busy = await open(browser, base, "latency=4000", DESKTOP);
  await busy.locator('input[data-clip-id="clip-0-0"]').check();
  await busy.locator('porchlight-request-item[data-request-id="req-001"]').getByRole("button", { name: "Share selected" }).click();
  await shot(busy, "light-desktop-sharing.png");
  await busy.close();
  const failing = await open(browser, base, "fail=share_all", PHONE);
  await failing.locator('porchlight-request-item[data-request-id="req-001"]').getByRole("button", { name: "Share all" }).click();
  await failing.waitForSelector('porchlight-request-item[data-request-id="req-001"] [role="alert"]');
  await failing.locator('porchlight-request-item[data-request-id="req-001"] [role="alert"]').scrollIntoViewIfNeeded();
  await shot(failing, "light-phone-error.png");
  await failing.close();
  const revoking = await open(browser, base, "theme=dark&view=shares", PHONE, { waitItems: false });
  await revoking.getByRole("button", { name: "Revoke", exact: true }).first().click();
  await shot(revoking, "dark-phone-revoke-confirm.png");
  await revoking.close();
  console.log(`${shots.length} screenshots in ${dir}:`);
  for (const s of shots) console.log(`  ${s}`);
  return true;
}

async function main() {
  const [mode = "browser", ...rest] = process.argv.slice(2);
  const runsAt = rest.indexOf("--runs");
  const runs = runsAt >= 0 ? Number(rest[runsAt + 1]) : mode === "bench" ? 3 : 1;
  if (mode === "screenshots" && !rest[0]) {
    console.error("usage: node dev/browser.mjs screenshots DIR");
    return 2;
  }
  if (!["bench", "reach", "browser", "screenshots", "serve"].includes(mode)) {
    console.error("usage: node dev/browser.mjs bench|reach|browser|screenshots DIR|serve [PORT]");
    return 2;
  }
  const server = await serve(mode === "serve" ? Number(rest[0] ?? 0) : 0);
  const base = `http://127.0.0.1:${server.address().port}`;
  if (mode === "serve") {
    console.log(`Mock panel at ${base}/porchlight (Ctrl-C stops)`);
    return new Promise(() => undefined);
  }
  let browser;
  try {
    browser = await launch();
    let ok = true;
    if (mode === "reach" || mode === "browser") ok = (await reach(browser, base)) && ok;
    if (mode === "bench" || mode === "browser") ok = (await bench(browser, base, runs)) && ok;
    if (mode === "screenshots") ok = await screenshots(browser, base, resolve(rest[0]));
    return ok ? 0 : 1;
  } finally {
    await browser?.close();
    server.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`browser check failed: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
