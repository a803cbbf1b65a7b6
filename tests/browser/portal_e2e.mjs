#!/usr/bin/env node
// The agency portal and the hub's public page in real Chromium, as an agency uses them:
//   node tests/browser/portal_e2e.mjs CONFIG.json
// Run by tests/hub/test_portal_browser.py, which starts the hub and a real Home Assistant
// home, registers the agency and writes CONFIG (the hub's URL, the agency's API key and
// identity file, a wrong identity file, the home's position, the case numbers, where
// screenshots go). It answers this script's asks (channel.mjs): the home shares a clip,
// the home's ledger shows the access. This script only drives the browser and reports
// what it saw; the test asserts on the report.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ask, log } from "./channel.mjs";
import { cspViolations, main, recordCsp } from "./portal_parts.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const HUB = config.hub_url;
const WAIT_MS = 60_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const HOSTILE = `<img src=x onerror="window.__pwned=1"> \u202eevil\u202c ${"W".repeat(160)}`;
const out = { screenshots: [], page_errors: [], csp_violations: [] };

// Asia/Kolkata is UTC+05:30 all year: the page's datetime-local fields are in that zone.
const OFFSET_MS = 5.5 * 3600_000;
const local = (ms) => new Date(Math.floor(ms / 1000) * 1000 + OFFSET_MS).toISOString().slice(0, 19);

async function open(context, path, viewport) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.setDefaultTimeout(WAIT_MS);
  page.on("pageerror", (err) => out.page_errors.push(`${path}: ${err}`));
  await page.goto(`${HUB}${path}`);
  return page;
}

async function shot(page, name, { fullPage = false } = {}) {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(500);
  const path = join(config.screenshots, name);
  await page.screenshot({ path, fullPage });
  out.screenshots.push(path);
  log(`screenshot ${name}`);
}

const widest = (page) => page.evaluate(() => document.scrollingElement.scrollWidth);

/** The circle the map shows (the map element's data attributes). */
async function circle(page) {
  return page.locator(".area-map-holder").evaluate((el) => ({
    latitude: Number(el.dataset.latitude),
    longitude: Number(el.dataset.longitude),
    radius_m: Number(el.dataset.radiusM),
  }));
}

async function drag(page, locator, dx, dy) {
  const box = await locator.boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx / 2, y + dy / 2, { steps: 5 });
  await page.mouse.move(x + dx, y + dy, { steps: 5 });
  await page.mouse.up();
  await page.waitForTimeout(200);
}

function metres(a, b) {
  const rad = Math.PI / 180;
  const x = (b.longitude - a.longitude) * rad * Math.cos(((a.latitude + b.latitude) / 2) * rad);
  const y = (b.latitude - a.latitude) * rad;
  return Math.hypot(x, y) * 6_371_000;
}

/** Drag the centre marker onto the home: one drag to learn the scale, one to arrive. */
async function drawCircle(page) {
  const marker = page.locator(".leaflet-marker-icon:not(.radius-handle)");
  const before = await circle(page);
  await drag(page, marker, 60, 40);
  const moved = await circle(page);
  const lonPerPx = (moved.longitude - before.longitude) / 60;
  const latPerPx = (moved.latitude - before.latitude) / 40;
  const dx = Math.round((config.home.longitude - moved.longitude) / lonPerPx);
  const dy = Math.round((config.home.latitude - moved.latitude) / latPerPx);
  await drag(page, marker, dx, dy);
  // Size it with the handle on its edge, then fine-tune with the slider.
  const handle = page.locator(".radius-handle");
  const sized = await circle(page);
  await drag(page, handle, 30, 0);
  const grown = await circle(page);
  if (!(grown.radius_m > sized.radius_m)) throw new Error(`the handle did not grow the circle: ${sized.radius_m} -> ${grown.radius_m}`);
  await page.locator("#radius").evaluate((el) => {
    el.value = "450";
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
  const final = await circle(page);
  return { ...final, handle_grew_from: sized.radius_m, handle_grew_to: grown.radius_m, distance_to_home_m: metres(final, config.home) };
}

async function fillTerms(page, caseNumber, description) {
  await page.locator("#case_number").fill(caseNumber);
  await page.locator("#incident_type").selectOption("package_theft");
  await page.locator("#description").fill(description);
  await page.locator("#contact").fill("Det. Rivera, 555-0142");
}

async function setWindow(page, hours) {
  const end = Date.now() - 1000;
  await page.locator("#window_start").fill(local(end - hours * 3600_000));
  await page.locator("#window_end").fill(local(end));
}

async function send(page) {
  await page.locator(".check-state[data-check=ok]").waitFor();
  await page.getByRole("button", { name: "Sign and send" }).click();
  const sent = page.locator("[data-sent]");
  await sent.waitFor();
  return {
    id: await sent.getAttribute("data-sent"),
    homes_reached: (await sent.locator("[data-homes-reached]").textContent()).trim(),
  };
}

async function tab(page, id) {
  await page.locator(`[data-tab=${id}]`).click();
}

const requestItem = (page, id) => page.locator(`li.request[data-request-id="${id}"]`);

async function run(browser) {
  const context = await browser.newContext({ timezoneId: config.time_zone, acceptDownloads: true });
  await recordCsp(context);
  const page = await open(context, "/agency/", DESKTOP);

  // Sign in.
  await page.locator("#api-key").waitFor();
  await shot(page, "portal-sign-in.png");
  await page.locator("#api-key").fill(config.api_key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("[data-agency-name]").waitFor();
  out.signed_in = {
    agency: await page.locator("[data-agency-name]").textContent(),
    key_input_after: await page.evaluate(() => document.querySelector("#api-key")?.value ?? ""),
    key_in_page: (await page.content()).includes(config.api_key),
    key_in_storage: await page.evaluate(
      (key) => JSON.stringify({ ...localStorage }).includes(key) || JSON.stringify({ ...sessionStorage }).includes(key),
      config.api_key,
    ),
  };
  log(`signed in as ${out.signed_in.agency}`);
  out.csrf_without_header = await page.evaluate(async () => {
    const resp = await fetch("/api/v1/agency/requests/check", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    return { status: resp.status, error: (await resp.json()).error };
  });

  // Keys: a wrong file is refused, the agency's own is imported.
  await tab(page, "keys");
  await page.locator("#identity-file").setInputFiles(config.wrong_identity_file);
  await page.locator("porchlight-keys [data-error]").waitFor();
  out.wrong_identity = (await page.locator("porchlight-keys [data-error]").textContent()).trim();
  await page.locator("#identity-file").setInputFiles(config.identity_file);
  await page.locator("[data-tab=new][aria-selected=true]").waitFor();
  await tab(page, "keys");
  out.keys = { status: await page.locator("[data-keys-status]").getAttribute("data-keys-status") };
  out.keys.stored_extractable = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open("porchlight-portal");
        req.onsuccess = () => {
          const get = req.result.transaction("agency-keys").objectStore("agency-keys").getAll();
          get.onsuccess = () => resolve([get.result[0].signing.extractable, get.result[0].age.extractable]);
          get.onerror = () => reject(get.error);
        };
        req.onerror = () => reject(req.error);
      }),
  );
  log(`keys ${out.keys.status}, extractable ${out.keys.stored_extractable}`);

  // A new request: the circle, a 13-hour window refused with the hub's words, fixed, sent.
  await tab(page, "new");
  await page.locator(".area-map-holder.leaflet-container").waitFor();
  out.circle = await drawCircle(page);
  log(`circle ${JSON.stringify(out.circle)}`);
  await fillTerms(page, config.cases[0], "A parcel taken from a porch.");
  await setWindow(page, 13);
  const message = page.locator("[data-rule-message=window_end]");
  await message.waitFor();
  out.rule_message = (await message.textContent()).trim();
  log(`rule message: ${out.rule_message}`);
  await message.scrollIntoViewIfNeeded();
  await shot(page, "portal-request.png");
  await setWindow(page, 2);
  await message.waitFor({ state: "detached" });
  out.first = await send(page);
  log(`first request ${out.first.id}, homes reached ${out.first.homes_reached}`);

  // The home shares one clip; the portal shows the share and opens the clip.
  const shared = await ask("share_one_clip", { request_id: out.first.id });
  await tab(page, "requests");
  const item = requestItem(page, out.first.id);
  await item.waitFor();
  await item.locator("[data-action=shares]").click();
  const share = item.locator(`[data-share-id="${shared.share_id}"]`);
  await share.waitFor();
  out.share = {
    neighbour: (await share.locator("h4 .text").textContent()).trim(),
    expires: (await share.locator(".hint").textContent()).includes("expires"),
  };
  await share.locator("[data-action=open-clip]").click();
  const opened = share.locator("[data-opened]");
  await opened.waitFor();
  const media = opened.locator("img, video");
  await media.waitFor();
  out.opened = {
    sha256: await opened.getAttribute("data-sha256"),
    shown: await media.evaluate((el) => el.localName),
  };
  // What "Save" writes: the decrypted bytes, from the page's blob: URL.
  const [download] = await Promise.all([page.waitForEvent("download"), opened.locator("[data-action=save]").click()]);
  out.opened.saved_as = download.suggestedFilename();
  out.opened.blob_sha256 = createHash("sha256").update(readFileSync(await download.path())).digest("hex");
  log(`opened ${JSON.stringify(out.opened)}`);
  await shot(page, "portal-shares.png");
  await ask("accessed");

  // A second request, with a hostile description, withdrawn after a confirm.
  await tab(page, "new");
  await page.locator(".area-map-holder.leaflet-container").waitFor();
  await fillTerms(page, config.cases[1], HOSTILE);
  await setWindow(page, 1);
  out.second = await send(page);
  await tab(page, "requests");
  const second = requestItem(page, out.second.id);
  await second.waitFor();
  out.hostile = {
    pwned: await page.evaluate(() => window.__pwned ?? null),
    text_shown: ((await second.locator("p.text").textContent()) ?? "").includes(HOSTILE),
  };
  await second.locator("[data-action=withdraw]").click();
  await second.locator("[data-action=confirm]").click();
  await page.locator(`li.request[data-request-id="${out.second.id}"][data-status=withdrawn]`).waitFor();
  out.second.status_after = await second.getAttribute("data-status");
  log(`second request ${out.second.id} ${out.second.status_after}`);

  // The phone: same session, same keys.
  const phone = await open(context, "/agency/", PHONE);
  await phone.locator(".area-map-holder.leaflet-container").waitFor();
  await shot(phone, "portal-phone-request.png");
  out.overflow = { phone_request: await widest(phone) };
  await tab(phone, "requests");
  await requestItem(phone, out.first.id).waitFor();
  await shot(phone, "portal-phone-requests.png");
  out.overflow.phone_requests = await widest(phone);

  // The public page.
  const pub = await open(context, "/", DESKTOP);
  await pub.locator("div.area-map").first().waitFor();
  await pub.waitForFunction(() => document.querySelectorAll("div.area-map svg, div.area-map.leaflet-container").length >= 2);
  out.public = {
    html: await pub.content(),
    maps: await pub.locator("div.area-map").count(),
    maps_drawn: await pub.locator("div.area-map svg, div.area-map.leaflet-container").count(),
  };
  await shot(pub, "public-desktop.png", { fullPage: true });
  const pubPhone = await open(context, "/", PHONE);
  await pubPhone.waitForFunction(() => document.querySelectorAll("div.area-map svg").length >= 1);
  await pubPhone.evaluate(() => document.querySelector("#requests")?.scrollIntoView());
  await shot(pubPhone, "public-phone.png");
  out.overflow.public_phone = await widest(pubPhone);

  // Sign out: the portal's calls answer 401.
  await page.locator("[data-action=sign-out]").click();
  await page.locator("#api-key").waitFor();
  const paths = [
    "/api/v1/agency/session",
    "/api/v1/agency/requests",
    "/api/v1/agency/portal",
    `/api/v1/agency/requests/${out.first.id}/shares`,
    `/api/v1/agency/clips/${shared.hub_clip_id}`,
  ];
  out.after_sign_out = {
    sign_in_shown: await page.locator("#api-key").isVisible(),
    statuses: await page.evaluate(async (all) => {
      const statuses = {};
      for (const path of all) statuses[`GET ${path}`] = (await fetch(path)).status;
      return statuses;
    }, paths),
  };
  out.csp_violations = await cspViolations([page, phone, pub, pubPhone]);
  await context.close();
}

await main(run, out);
