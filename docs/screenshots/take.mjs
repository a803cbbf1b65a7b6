// Retakes the README's screenshots of the real Home Assistant UI, from the demo.
//
// Not used by any test: the README's pictures should show what a newcomer sees
// after `scripts/develop`, so they are taken from it, not drawn.
//
// How to run it:
//   1. Once, outside the repository, Chromium and playwright-core:
//        apt-get install chromium      (Debian; or point CHROMIUM at one)
//        mkdir -p /tmp/shots && cd /tmp/shots && npm i playwright-core
//   2. Start the demo from a fresh config/ (no config/.storage) and note the
//      pairing code it prints:
//        scripts/develop
//   3. In another terminal, from the repository root:
//        PLAYWRIGHT_DIR=/tmp/shots node docs/screenshots/take.mjs PAIRING_CODE
//
// It onboards Home Assistant (user HA_USER / HA_PASSWORD, default alex /
// porchlight-demo), pairs Porchlight with the demo hub, adopts the demo
// doorbell as "Front door", adds an automation that turns each new video
// request into a persistent notification, rings the doorbell, waits for the
// demo agency's request (every 2 to 3.5 minutes; MIN_PENDING, default 2, so
// the sensor reads "2 requests") and writes the PNGs next to this file. Steps
// already done are skipped, so a second run only retakes the pictures.
// Ctrl-C scripts/develop afterwards; deleting config/.storage starts afresh.
//
// Environment: HA_URL (default http://localhost:8123), HUB_URL (default
// http://127.0.0.1:8765), CHROMIUM (default /usr/bin/chromium).

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HA = process.env.HA_URL ?? 'http://localhost:8123';
const HUB = process.env.HUB_URL ?? 'http://127.0.0.1:8765';
const CLIENT_ID = `${HA}/`;
const USER = process.env.HA_USER ?? 'alex';
const PASSWORD = process.env.HA_PASSWORD ?? 'porchlight-demo';
const MIN_PENDING = Number(process.env.MIN_PENDING ?? 2);
const OUT = dirname(fileURLToPath(import.meta.url));
const PAIRING_CODE = process.argv[2];

// playwright-core lives outside the repository, so nothing here needs npm.
const require = createRequire(join(process.env.PLAYWRIGHT_DIR ?? process.cwd(), 'noop.js'));
const { chromium } = require('playwright-core');

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const log = (text) => console.log(`take: ${text}`);

async function http(method, path, { json, form, token } = {}) {
  const headers = {};
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = new URLSearchParams(form);
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(HA + path, { method, headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// --- Logging in: onboarding the first time, the login flow after that. ---

async function exchange(code) {
  const tokens = await http('POST', '/auth/token', {
    form: { grant_type: 'authorization_code', code, client_id: CLIENT_ID },
  });
  return { ...tokens, hassUrl: HA, clientId: CLIENT_ID, expires: Date.now() + tokens.expires_in * 1000 };
}

async function login() {
  const steps = Object.fromEntries(
    (await http('GET', '/api/onboarding')).map((step) => [step.step, step.done]),
  );
  let tokens;
  if (!steps.user) {
    log(`onboarding Home Assistant as ${USER}`);
    const { auth_code: code } = await http('POST', '/api/onboarding/users', {
      json: { client_id: CLIENT_ID, name: 'Alex', username: USER, password: PASSWORD, language: 'en' },
    });
    tokens = await exchange(code);
  } else {
    const flow = await http('POST', '/auth/login_flow', {
      json: { client_id: CLIENT_ID, handler: ['homeassistant', null], redirect_uri: CLIENT_ID },
    });
    const result = await http('POST', `/auth/login_flow/${flow.flow_id}`, {
      json: { client_id: CLIENT_ID, username: USER, password: PASSWORD },
    });
    if (result.type !== 'create_entry') throw new Error(`cannot log in as ${USER}`);
    tokens = await exchange(result.result);
  }
  // The location stays the one in config/configuration.yaml: the demo home.
  const finish = {
    core_config: {},
    analytics: {},
    integration: { client_id: CLIENT_ID, redirect_uri: `${CLIENT_ID}?auth_callback=1` },
  };
  for (const [step, json] of Object.entries(finish)) {
    if (steps[step] === false) {
      await http('POST', `/api/onboarding/${step}`, { json, token: tokens.access_token });
    }
  }
  return tokens;
}

// --- The demo: pairing, the doorbell, the notification, a ring. ---

async function setUpDemo(token) {
  const api = (method, path, json) => http(method, path, { json, token });
  let [entry] = await api('GET', '/api/config/config_entries/entry?domain=porchlight');
  if (!entry) {
    if (!PAIRING_CODE) {
      throw new Error('Porchlight is not paired yet: pass the pairing code scripts/develop printed');
    }
    log(`pairing Porchlight with ${HUB}`);
    const flow = await api('POST', '/api/config/config_entries/flow', { handler: 'porchlight' });
    const result = await api('POST', `/api/config/config_entries/flow/${flow.flow_id}`, {
      url: HUB,
      pairing_code: PAIRING_CODE,
    });
    if (result.type !== 'create_entry') throw new Error(`pairing failed: ${JSON.stringify(result.errors)}`);
    entry = result.result;
  }
  if (!entry.num_subentries) {
    log('adopting the demo doorbell as "Front door"');
    const flow = await api('POST', '/api/config/config_entries/subentries/flow', {
      handler: [entry.entry_id, 'doorbell'],
    });
    await api('POST', `/api/config/config_entries/subentries/flow/${flow.flow_id}`, {
      name: 'Front door',
      camera_entity: 'camera.demo_doorbell_camera',
      trigger_entity: 'input_button.demo_doorbell',
      record_seconds: 10,
    });
  }
  let ids;
  await waitUntil("Porchlight's entities", async () => (ids = await entityIds(token)), 60);
  // The demo has no phone: a persistent notification stands in for one. A
  // state trigger without `attribute:` also fires for a second "received" in a row.
  const attr = (name) => `trigger.to_state.attributes.${name}`;
  await api('POST', '/api/config/automation/config/porchlight_request_notification', {
    alias: 'Tell me about video requests',
    triggers: [{ trigger: 'state', entity_id: ids.requestEvent, not_from: 'unavailable' }],
    conditions: [{ condition: 'template', value_template: `{{ ${attr('event_type')} == 'received' }}` }],
    actions: [
      {
        action: 'persistent_notification.create',
        data: {
          notification_id: `porchlight_{{ ${attr('request_id')} }}`,
          title: `{{ ${attr('agency')} }} asks for footage`,
          message:
            `Case {{ ${attr('case_number')} }}, {{ ${attr('incident_type')} | replace('_', ' ') }},` +
            ` {{ ${attr('distance_m')} | round(0) | int }} m from home: footage from` +
            ` {{ as_timestamp(${attr('window_start')}) | timestamp_custom('%-I:%M %p') }} to` +
            ` {{ as_timestamp(${attr('window_end')}) | timestamp_custom('%-I:%M %p') }}.` +
            ` {{ ${attr('matching_clips')} }} of your doorbell clips fall in that window.` +
            ' Nothing leaves home unless you share it; the request expires on' +
            ` {{ as_timestamp(${attr('expires_at')}) | timestamp_custom('%B %-d') }}.`,
        },
      },
    ],
    mode: 'queued',
  });
  if (Number((await state(token, ids.clips)).state) === 0) {
    log('ringing the demo doorbell');
    await api('POST', '/api/services/input_button/press', { entity_id: 'input_button.demo_doorbell' });
  }
  await waitUntil('a clip recorded', async () => Number((await state(token, ids.clips)).state) > 0, 60);
  await waitUntil(
    `${MIN_PENDING} pending video requests and a notification (the demo agency asks every 2 to 3.5 minutes)`,
    async () =>
      Number((await state(token, ids.pending)).state) >= MIN_PENDING &&
      (await state(token, 'automation.tell_me_about_video_requests')).attributes.last_triggered != null,
    15 * 60,
  );
  return ids;
}

async function entityIds(token) {
  const pick = (key, pattern) => `"${key}": e | select("match", "${pattern}") | first | default(none)`;
  const template =
    "{% set e = integration_entities('porchlight') %}{{ {" +
    [
      pick('pending', 'sensor\\..*_pending_video_requests$'),
      pick('requestEvent', 'event\\..*_video_requests$'),
      pick('clips', 'sensor\\..*_recorded_clips$'),
      pick('visitor', 'image\\..*_last_visitor$'),
    ].join(', ') +
    '} | to_json }}';
  // Until the entry has reloaded with the doorbell, some are missing (null).
  // /api/template answers with the rendered text, here JSON.
  const found = await http('POST', '/api/template', { json: { template }, token });
  if (Object.values(found).some((id) => !id)) return null;
  [found.homeDevice, found.doorbellDevice] = await http('POST', '/api/template', {
    json: { template: `{{ [device_id('${found.pending}'), device_id('${found.visitor}')] | to_json }}` },
    token,
  });
  return found;
}

const state = (token, entityId) => http('GET', `/api/states/${entityId}`, { token });

async function waitUntil(what, check, seconds) {
  log(`waiting for ${what}`);
  const deadline = Date.now() + seconds * 1000;
  let lastError;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error; // Home Assistant may be busy reloading: try again
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`, { cause: lastError });
    await sleep(5000);
  }
}

// --- The pictures. ---

async function shoot(page, name, height = 800) {
  await page.setViewportSize({ width: 1280, height });
  await page.mouse.move(1275, height - 5); // no hover effects or tooltips
  await sleep(3000); // animations, icons and images settle
  if (await page.getByText('Loading data').isVisible()) {
    throw new Error(`${name}: Home Assistant is still loading`);
  }
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  log(`${name}.png (${Math.round(statSync(path).size / 1024)} KB)`);
}

// Navigates inside the frontend, as its own links do: a reload would show
// the loading screen again.
async function open(page, path, ...texts) {
  if (page.url().startsWith(HA)) {
    await page.evaluate((target) => {
      history.pushState(null, '', target);
      window.dispatchEvent(new CustomEvent('location-changed'));
    }, path);
  } else {
    await page.goto(HA + path);
  }
  for (const text of texts) await page.getByText(text).first().waitFor();
}

async function takePictures(tokens, ids) {
  const profile = mkdtempSync(join(tmpdir(), 'porchlight-shots-'));
  // Without the background-networking flags Chromium keeps dialling out,
  // which a closed network answers with errors.
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    locale: 'en-US',
    timezoneId: 'America/Chicago', // the demo home's, as in config/configuration.yaml
  });
  try {
    // The frontend reads its login from localStorage: no login page to fill.
    await browser.addInitScript(
      ([origin, saved]) => {
        if (location.origin === origin) localStorage.setItem('hassTokens', saved);
      },
      [new URL(HA).origin, JSON.stringify(tokens)],
    );
    const page = browser.pages()[0] ?? (await browser.newPage());

    // Taller, so that the Diagnostic card (hub connection) is in the picture.
    const home = `/config/devices/device/${ids.homeDevice}`;
    await open(page, home, 'Pending video requests', 'Hub connection', 'detected an event');
    await shoot(page, 'home-device', 1010);

    await open(page, `/config/devices/device/${ids.doorbellDevice}`, 'Recorded clips', 'Front door Ring');
    await shoot(page, 'doorbell-device');

    await open(page, home, 'Pending video requests');
    await page.getByText('Notifications', { exact: true }).click();
    await page.getByText('asks for footage').first().waitFor();
    await shoot(page, 'request-notification');

    await open(page, '/media-browser/browser', 'Porchlight');
    await page.getByText('Porchlight', { exact: true }).first().click();
    await page.getByText('Front door', { exact: true }).first().click();
    await page.getByText(/^\d{4}-\d{2}-\d{2}$/).first().click();
    await page.getByText(/Front door · \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/).first().waitFor(); // a clip
    await shoot(page, 'media-browser');

    // A second doorbell's form, filled in but not submitted.
    await open(page, '/config/integrations/integration/porchlight', 'Front door');
    await page.locator('ha-md-button-menu').first().click();
    await page.getByText('Add doorbell').first().click();
    await page.getByLabel('Name').fill('Back door');
    await page.getByLabel('Camera').first().click();
    await page.getByText('camera.demo_doorbell_camera').click();
    await page.getByLabel('Ring trigger').first().click();
    await page.getByText('input_button.demo_doorbell').click();
    await shoot(page, 'add-doorbell');
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const tokens = await login();
const ids = await setUpDemo(tokens.access_token);
await takePictures(tokens, ids);
log('done; look at each picture before committing it');
