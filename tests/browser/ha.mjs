// A real Home Assistant frontend in Chromium: logged in as a given user, in light or
// dark, at a given size; and what the tests read from its pages.
// Debian's chromium, launched as the frontend's own checks launch it (playwright-core
// from frontend/node_modules; Playwright gives it a fresh temporary profile).
export { launch as launchBrowser } from "../../frontend/dev/browser/server.mjs";

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const WAIT_MS = 60_000;

/**
 * A browser context logged in as `user` ({access_token, refresh_token, expires_in}):
 * the frontend reads its tokens (`hassTokens`) and theme (`selectedTheme`) from
 * localStorage, so no login page is filled in. Requests leaving Home Assistant (map
 * tiles) are refused, as on a closed network.
 */
export async function logIn(browser, hassUrl, user, { dark = false, viewport = DESKTOP, timezoneId } = {}) {
  const tokens = {
    access_token: user.access_token,
    refresh_token: user.refresh_token,
    expires_in: user.expires_in,
    token_type: "Bearer",
    hassUrl,
    clientId: `${hassUrl}/`,
    expires: Date.now() + user.expires_in * 1000,
  };
  const context = await browser.newContext({
    viewport,
    colorScheme: dark ? "dark" : "light",
    locale: "en-US",
    timezoneId,
    storageState: {
      cookies: [],
      origins: [
        {
          origin: hassUrl,
          localStorage: [
            { name: "hassTokens", value: JSON.stringify(tokens) },
            { name: "selectedTheme", value: JSON.stringify({ theme: "default", dark }) },
          ],
        },
      ],
    },
  });
  context.setDefaultTimeout(WAIT_MS);
  await context.route(
    (url) => url.origin !== hassUrl,
    (route) => route.abort(),
  );
  return context;
}

/** A page of the frontend, with its uncaught errors collected in `page.errors`. */
export async function openPage(context, url, viewport = DESKTOP) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.errors = [];
  // With the stack, so a test can tell Home Assistant's own errors from ours.
  page.on("pageerror", (err) => page.errors.push(err.stack ? `${err}\n${err.stack}` : String(err)));
  await page.goto(url);
  // Home Assistant's frontend boots slowly in a cold, busy browser: a
  // bound for a loaded machine, not a speed target.
  await page.locator("home-assistant-main").waitFor({ timeout: 180_000 });
  return page;
}

/** The sidebar's links, once it shows any. */
export async function sidebarLinks(page) {
  const links = page.locator("ha-sidebar a[href]");
  await links.first().waitFor();
  return links.evaluateAll((all) => all.map((a) => a.getAttribute("href")));
}

/** How many elements match `selector`, through every shadow root. */
export function countDeep(page, selector) {
  return page.evaluate((selector) => {
    let n = 0;
    const walk = (root) => {
      n += root.querySelectorAll(selector).length;
      for (const el of root.querySelectorAll("*")) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return n;
  }, selector);
}

/** Images in view have loaded and players have drawn (bounded), so a picture is whole. */
export async function settle(page) {
  await page.mouse.move(0, 0);
  await page.waitForTimeout(800);
  await page
    .waitForFunction(
      () => {
        const images = [];
        const walk = (root) => {
          images.push(...root.querySelectorAll("img"));
          for (const el of root.querySelectorAll("*")) if (el.shadowRoot) walk(el.shadowRoot);
        };
        walk(document);
        return images.every((img) => {
          const r = img.getBoundingClientRect();
          const inView = r.bottom > 0 && r.top < innerHeight && r.width > 0;
          return !inView || (img.complete && img.naturalWidth > 0);
        });
      },
      null,
      { timeout: 15_000 },
    )
    .catch(() => undefined);
}

/** The relative luminance (0 black .. 1 white) of an element's background. */
export function backgroundLuminance(locator) {
  return locator.evaluate((el) => {
    const [r, g, b] = getComputedStyle(el)
      .backgroundColor.match(/[\d.]+/g)
      .slice(0, 3)
      .map((v) => Number(v) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  });
}
