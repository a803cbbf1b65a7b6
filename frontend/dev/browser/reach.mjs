// At phone width every control is in view after scrollIntoView, not covered, at least
// 40 px, and nothing scrolls sideways; plus the tabs' arrow keys and the menu button.
import { PHONE, open } from "./server.mjs";


/**
 * In the page: every control (deep in shadow roots) is in view after scrollIntoView, not
 * covered, >= 40 px. `root` is a selector for the element holding the panel, looked up
 * through shadow roots: the mock page's #main, or Home Assistant's ha-panel-custom.
 */
export async function checkControls(page, label, root = "#main") {
  return page.evaluate(async ({ label, root }) => {
    const problems = [];
    const all = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll("*")) {
        if (el.matches("button, a[href], select, summary, input")) all.push(el);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    const find = (scope) => {
      const hit = scope.querySelector(root);
      if (hit) return hit;
      for (const el of scope.querySelectorAll("*")) {
        const inner = el.shadowRoot && find(el.shadowRoot);
        if (inner) return inner;
      }
      return null;
    };
    const main = find(document);
    if (!main) return { problems: [`${label}: nothing on the page matches ${root}`], checked: 0 };
    walk(main);
    if (main.shadowRoot) walk(main.shadowRoot);
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
    walkScroll(main);
    if (main.shadowRoot) walkScroll(main.shadowRoot);
    if (document.scrollingElement.scrollWidth > innerWidth + 1) problems.push(`${label}: the page scrolls sideways`);
    for (const el of scrollers.slice(1)) problems.push(`${label}: ${el.tagName.toLowerCase()}.${el.className} scrolls sideways`);
    return { problems, checked: all.length };
  }, { label, root });
}

export async function reach(browser, base) {
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
  problems.push(...(await keyboard(page, tab)));
  // The narrow panel's menu button opens the sidebar (hass-toggle-menu).
  await page.getByRole("button", { name: "Open the sidebar" }).click();
  if (!(await page.evaluate(() => document.body.classList.contains("menu-open")))) problems.push("the menu button did not fire hass-toggle-menu");
  if (page.__errors.length) problems.push(...page.__errors.map((e) => `page error: ${e}`));
  await page.close();
  console.log(`Phone width (${PHONE.width} px): ${checked} controls checked in three views and the revoke confirmation.`);
  for (const p of problems) console.log(`  FAIL ${p}`);
  console.log(problems.length ? `reach: ${problems.length} problem(s)` : "reach: PASS (every control in view, uncovered, >= 40 px; no sideways scrolling; Space ticks, Tab shows a focus ring)");
  return problems.length === 0;
}

/** Keyboard only: Space ticks a clip, Tab walks the controls, each with a visible focus ring. */
async function keyboard(page, tab) {
  const problems = [];
  await tab("Requests").click();
  await page.waitForTimeout(200);
  const box = page.locator('porchlight-request-item[data-request-id="req-001"] input[data-clip-id="clip-0-0"]');
  await box.focus();
  await page.keyboard.press("Space");
  const share = page.locator('porchlight-request-item[data-request-id="req-001"]').getByRole("button", { name: "Share selected" });
  if (!(await box.isChecked())) problems.push("keyboard: Space does not tick a clip");
  if (!(await share.isEnabled())) problems.push("keyboard: Share selected stays disabled after ticking a clip with Space");
  await page.keyboard.press("Space");
  // Walk on with Tab from the top of the page; every stop must show where focus is.
  await tab("Requests").focus();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const stop = await page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
      return { tag: el.tagName.toLowerCase(), text: (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 30), ring };
    });
    if (!stop) continue;
    // <video controls> draws its own focus ring inside the browser's controls.
    if (!stop.ring && stop.tag !== "video") problems.push(`keyboard: no visible focus ring on ${stop.tag} "${stop.text}"`);
  }
  return problems;
}
