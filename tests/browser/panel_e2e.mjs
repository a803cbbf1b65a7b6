#!/usr/bin/env node
// The consent panel in a real Home Assistant, in real Chromium, as a household uses it:
//   node tests/browser/panel_e2e.mjs CONFIG.json
// Run by tests/test_panel_browser.py, which starts the hub and Home Assistant, writes
// CONFIG (Home Assistant's URL, the admin's and a non-admin's tokens, the request
// posted before the panel opens, where screenshots go) and answers this script's asks
// (channel.mjs): it posts requests and checks the hub as the agency. This script only
// drives the browser and reports what it saw; the test asserts on the report.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkControls } from "../../frontend/dev/browser/reach.mjs";
import { ask, close, log, report } from "./channel.mjs";
import {
  DESKTOP,
  PHONE,
  WAIT_MS,
  backgroundLuminance,
  countDeep,
  launchBrowser,
  logIn,
  openPage,
  settle,
  sidebarLinks,
} from "./ha.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const URL_ = config.hass_url;
const PANEL_ROOT = "ha-panel-custom"; // Home Assistant's holder of the panel element
const out = { screenshots: [], reach: {}, page_errors: [] };
const pages = [];

const item = (page, id) => page.locator(`porchlight-request-item[data-request-id="${id}"]`);
const shareItem = (page, id) => page.locator(`porchlight-share-item[data-share-id="${id}"]`);
const tab = (page, name) => page.getByRole("tab", { name: new RegExp(`^${name}`) });
// What the element shows (its shadow root's article), as the user reads it.
const shownText = (locator) =>
  locator.evaluate((el) => (el.shadowRoot?.querySelector("article") ?? el).innerText);
/** The element's text once it shows `needle` (an element re-rendered meanwhile is fine). */
async function textOnceShown(locator, needle, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  let text = "";
  while (Date.now() < deadline) {
    text = await shownText(locator).catch(() => "");
    if (text.includes(needle)) return text;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(`"${needle}" not shown within ${ms / 1000} s; the element shows: ${JSON.stringify(text)}`);
}
const clipIds = (request) =>
  request.locator("input[data-clip-id]").evaluateAll((all) => all.map((el) => el.dataset.clipId));

async function open(context, path, viewport = DESKTOP) {
  const page = await openPage(context, `${URL_}${path}`, viewport);
  pages.push(page);
  return page;
}

async function openPanel(context, viewport = DESKTOP) {
  const page = await open(context, "/porchlight", viewport);
  await page.locator("porchlight-panel").waitFor();
  return page;
}

async function shot(page, name, locator = null) {
  await settle(page);
  const path = join(config.screenshots, name);
  await (locator ?? page).screenshot({ path });
  out.screenshots.push(path);
  log(`screenshot ${name}`);
}

async function reach(page, label) {
  const result = await checkControls(page, label, PANEL_ROOT);
  out.reach[label] = result;
  log(`reach ${label}: ${result.checked} controls, ${result.problems.length} problem(s)`);
}

async function run(browser) {
  const who = { timezoneId: config.time_zone };
  const admin = await logIn(browser, URL_, config.admin, who);

  log("the panel, with the request posted before it opened");
  const desk = await openPanel(admin);
  const first = item(desk, config.first_request);
  await first.waitFor();
  out.first_request_clips = await clipIds(first);
  out.admin_sidebar = await sidebarLinks(desk);

  log("a request posted while the panel is open");
  await desk.evaluate(() => (window.__porchlightE2E = "same page"));
  const posted = await ask("post_request");
  const asked = Date.now();
  const second = item(desk, posted.request_id);
  await second.waitFor();
  out.live = {
    request_id: posted.request_id,
    appeared_ms: Date.now() - asked,
    same_page: await desk.evaluate(() => window.__porchlightE2E === "same page"),
  };
  out.second_request_clips = await clipIds(second);

  log("pictures and reach at phone width, while both requests wait");
  // In the pictures one clip is ticked, as when a household is choosing.
  const tickFirst = (page) => item(page, config.first_request).locator("input[data-clip-id]").first().check();
  await tickFirst(desk);
  await shot(desk, "panel-requests-light.png");
  const phone = await openPanel(admin, PHONE);
  await item(phone, posted.request_id).waitFor();
  await tickFirst(phone);
  await shot(phone, "panel-phone-light.png");
  await reach(phone, "Requests");
  const dark = await logIn(browser, URL_, config.admin, { ...who, dark: true });
  const darkDesk = await openPanel(dark);
  await item(darkDesk, posted.request_id).waitFor();
  await tickFirst(darkDesk);
  out.luminance = {
    light: await backgroundLuminance(desk.locator("porchlight-panel")),
    dark: await backgroundLuminance(darkDesk.locator("porchlight-panel")),
  };
  await shot(darkDesk, "panel-requests-dark.png");
  await darkDesk.setViewportSize(PHONE);
  await shot(darkDesk, "panel-phone-dark.png");
  await darkDesk.close();
  await dark.close();
  const board = await open(admin, config.dashboard_path);
  const card = board.locator("porchlight-requests-card");
  await card.locator("li.request").first().waitFor();
  out.card_requests = await card.locator("li.request").count();
  await shot(board, "panel-card-light.png", card);
  await board.close();

  log("Share selected, with one of the two clips");
  const chosen = out.second_request_clips[0];
  await second.locator(`input[data-clip-id="${chosen}"]`).check();
  await second.getByRole("button", { name: "Share selected" }).click();
  await second.locator("article.decided").waitFor();
  out.shared_clip = chosen;
  const shared = await ask("shared", { request_id: posted.request_id, clip_id: chosen });
  out.share_id = shared.share_id;

  log("Decline on the other request");
  await first.getByRole("button", { name: "Decline" }).click();
  out.first_request_text = await textOnceShown(first, "Declined");
  await ask("declined", { request_id: config.first_request });

  log("the share, with the agency's access");
  await tab(desk, "Shares").click();
  const share = shareItem(desk, shared.share_id);
  out.share_text = await textOnceShown(share, "Agency accesses (1)");
  await shot(desk, "panel-shares-light.png");
  await tab(phone, "Shares").click();
  const phoneShare = shareItem(phone, shared.share_id);
  await phoneShare.getByRole("button", { name: "Revoke", exact: true }).waitFor();
  await reach(phone, "Shares");
  await phoneShare.getByRole("button", { name: "Revoke", exact: true }).click();
  await reach(phone, "Shares (confirming revoke)");
  await phoneShare.getByRole("button", { name: "Cancel" }).click();

  log("Revoke");
  await share.getByRole("button", { name: "Revoke", exact: true }).click();
  await share.getByRole("button", { name: "Yes, revoke" }).click();
  out.revoked_text = await textOnceShown(share, "Revoked");
  out.revoke_buttons_after = await share.getByRole("button", { name: "Revoke", exact: true }).count();
  await ask("revoked", { share_id: shared.share_id });

  log("the ledger");
  await tab(desk, "Ledger").click();
  const ledger = desk.locator("porchlight-ledger-view");
  await ledger.locator(".entry .kind", { hasText: "Share revoked" }).first().waitFor();
  out.ledger = {
    banner: await ledger.locator(".banner").innerText(),
    kinds: await ledger.locator(".entry .kind").allInnerTexts(),
  };
  await tab(phone, "Ledger").click();
  await phone.locator("porchlight-ledger-view details summary").first().click();
  await reach(phone, "Ledger");

  log("a household member who is not an administrator");
  const member = await logIn(browser, URL_, config.user, who);
  const theirs = await open(member, "/porchlight");
  out.non_admin = { sidebar: await sidebarLinks(theirs) };
  // The frontend has its panel list by now; give a panel that would load time to.
  await theirs.waitForTimeout(3000);
  out.non_admin.panels = await countDeep(theirs, "porchlight-panel");
  out.non_admin.path = new URL(theirs.url()).pathname;
  out.non_admin.answers = await theirs.evaluate(async (requestId) => {
    const hass = document.querySelector("home-assistant").hass;
    const answers = {};
    const types = ["porchlight/entries", "porchlight/requests", "porchlight/shares", "porchlight/ledger"];
    const refusal = (err) => ({ code: err.code ?? null, message: err.message ?? String(err) });
    for (const type of types) {
      answers[type] = await hass.callWS({ type }).then(() => "ok", refusal);
    }
    answers["porchlight.decline"] = await hass
      .callService("porchlight", "decline", { request_id: requestId })
      .then(() => "ok", refusal);
    return answers;
  }, posted.request_id);
}

async function main() {
  const browser = await launchBrowser();
  try {
    await run(browser);
    return true;
  } catch (err) {
    out.failed = String(err?.stack ?? err);
    log(`FAILED: ${out.failed}`);
    for (const [i, page] of pages.entries()) {
      if (page.isClosed()) continue;
      const path = join(config.debug_dir, `failure-${i}.png`);
      await page.screenshot({ path }).then(() => log(`failure picture: ${path}`), () => undefined);
    }
    return false;
  } finally {
    for (const page of pages) out.page_errors.push(...(page.errors ?? []));
    await browser.close();
  }
}

main().then(
  (ok) => {
    report(out);
    close();
    process.exit(ok ? 0 : 1);
  },
  (err) => {
    out.failed = String(err?.stack ?? err);
    report(out);
    process.exit(1);
  },
);
