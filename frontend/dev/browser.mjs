#!/usr/bin/env node
// Real-Chromium checks of the built bundle against the mock dev page (dev/index.html):
//   node dev/browser.mjs bench [--runs N]     first render and selection-click timings vs targets
//   node dev/browser.mjs reach                at phone width every control is reachable, nothing scrolls sideways
//   node dev/browser.mjs browser              reach + a quick bench, up to 3 attempts (scripts/frontend browser)
//   node dev/browser.mjs screenshots DIR      PNGs: light/dark x desktop/phone x every view, and a few states
//   node dev/browser.mjs serve [PORT]         just serve the mock page, to open it in a browser by hand
// Serves the page itself on 127.0.0.1 (a random port) and launches Debian's chromium.
// PORCHLIGHT_BUNDLE=path tests another build of the bundle; CHROMIUM=path another browser.
import { resolve } from "node:path";
import { bench } from "./browser/bench.mjs";
import { reach } from "./browser/reach.mjs";
import { screenshots } from "./browser/screenshots.mjs";
import { launch, serve } from "./browser/server.mjs";

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
    if (mode === "bench") ok = (await bench(browser, base, runs)) && ok;
    if (mode === "browser") {
      // A smoke check for CI on a shared machine: a scheduling hiccup can push one click
      // of twenty past 100 ms, so up to three attempts (each printed); a real slowdown
      // fails all three. `bench` measures once, with no second chances.
      let passed = false;
      for (let attempt = 1; attempt <= 3 && !passed; attempt++) {
        if (attempt > 1) console.log(`quick bench: attempt ${attempt} of 3`);
        passed = await bench(browser, base, runs);
      }
      ok = passed && ok;
    }
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
