// What the portal's browser scripts share: Chromium launched as the frontend's checks
// launch it, CSP violations recorded in every page, and the script's frame (run, then
// always close the browser and send the report, with the error if one stopped it).
import { launch } from "../../frontend/dev/browser/server.mjs";
import { close, log, report } from "./channel.mjs";

/** Record every Content-Security-Policy violation of the context's pages. */
export async function recordCsp(context) {
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

export async function cspViolations(pages) {
  const all = [];
  for (const page of pages) all.push(...(await page.evaluate(() => window.__csp)));
  return all;
}

/** Run `run(browser)`, then report `out` (with `failed` when it threw). */
export async function main(run, out) {
  const browser = await launch();
  try {
    await run(browser);
  } catch (err) {
    out.failed = String(err?.stack ?? err);
    log(`failed: ${out.failed}`);
  } finally {
    await browser.close();
    report(out);
    close();
  }
}
