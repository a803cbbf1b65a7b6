// Screenshots of the mock panel for people to look at: light and dark, desktop and
// phone, every view, and a few states (sharing, an error, the revoke confirmation).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DESKTOP, PHONE, open } from "./server.mjs";


async function settle(page) {
  // Video players show a short loading animation when built; wait it out.
  await page.waitForTimeout(1500);
  await page.evaluate(() => Promise.all([...document.images].map((i) => (i.complete ? null : new Promise((ok) => i.addEventListener("load", ok, { once: true }))))));
}

export async function screenshots(browser, base, dir) {
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
