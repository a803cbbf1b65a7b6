#!/usr/bin/env node
// The portal's map with the operator's tiles (serve --tiles), in real Chromium:
//   node tests/browser/portal_tiles.mjs CONFIG.json
// Run by tests/hub/test_portal_browser.py, which serves the tiles itself and starts the
// hub with a hostile --tiles-attribution. Reports what the map showed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { log } from "./channel.mjs";
import { cspViolations, main, recordCsp } from "./portal_parts.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = { page_errors: [], csp_violations: [] };

async function run(browser) {
  const context = await browser.newContext();
  await recordCsp(context);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on("pageerror", (err) => out.page_errors.push(String(err)));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${config.hub_url}/agency/`);
  await page.locator("#api-key").fill(config.api_key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("[data-tab=new]").click();
  await page.waitForFunction(() => document.querySelectorAll(".area-map-holder .leaflet-tile-loaded").length >= 4);
  const attribution = page.locator(".leaflet-control-attribution");
  out.tiles_loaded = await page.locator(".area-map-holder .leaflet-tile-loaded").count();
  out.tile_sources = await page
    .locator(".area-map-holder img.leaflet-tile")
    .evaluateAll((all) => [...new Set(all.map((img) => new URL(img.src).origin))]);
  out.attribution_text = await attribution.textContent();
  out.attribution_elements = await attribution.locator("img, script").count();
  out.hint = (await page.locator(".request-form .hint").first().textContent()).trim();
  out.pwned = await page.evaluate(() => window.__pwned ?? null);
  const path = join(config.screenshots, "portal-tiles.png");
  await page.screenshot({ path });
  out.screenshot = path;
  out.csp_violations = await cspViolations([page]);
  log(`tiles: ${out.tiles_loaded} loaded from ${out.tile_sources}`);
  await context.close();
}

await main(run, out);
