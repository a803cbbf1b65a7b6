// The portal's elements in happy-dom, against the scripted hub: hostile strings stay
// text, the hub's rule messages appear next to their fields, an expired session goes
// back to sign-in with a message, and the API key leaves no trace in the page.
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../src/area-map.js", () => ({
  AreaMap: class {
    setArea(): void {}
    destroy(): void {}
  },
}));

import "../src/components/portal-app.js";
import "../src/components/request-form.js";
import "../src/components/requests-view.js";
import "../src/components/shares-view.js";
import type { PortalApp } from "../src/components/portal-app.js";
import type { RequestForm } from "../src/components/request-form.js";
import type { RequestsView } from "../src/components/requests-view.js";
import type { SharesView } from "../src/components/shares-view.js";
import { AGENCY, FakeHub, SESSION, json, until } from "./fake-hub.js";

const HOSTILE = [
  "<script>window.__pwned = 1</script>",
  '"><img src=x onerror="window.__pwned = 2">',
  "\u202eevil RTL override\u202c",
  "W".repeat(5000),
];

const PORTAL = {
  hub: { hub_id: "hub_1", name: HOSTILE[0] },
  tiles: null,
  policy: {},
  incident_types: ["burglary", "package_theft"],
  density: { cell_m: 500, cells: [{ latitude: 37.77, longitude: -122.42, homes: "<5" }] },
};

function request(id: string, status = "open") {
  return {
    id,
    agency_id: "agy_1",
    case_number: HOSTILE[1],
    incident_type: "package_theft",
    description: HOSTILE.join(" "),
    contact: HOSTILE[2],
    window_start: "2026-11-30T09:00:00Z",
    window_end: "2026-11-30T10:00:00Z",
    area: { latitude: 37.77, longitude: -122.42, radius_m: 400 },
    status,
    homes_reached: "<5",
    shares: 7,
    created_at: "2026-11-30T10:05:00Z",
    updated_at: null,
    expires_at: "2026-12-14T10:05:00Z",
  };
}

function mount<T extends HTMLElement>(tag: string, props: Record<string, unknown>): T {
  const el = document.createElement(tag) as T;
  Object.assign(el, props);
  document.body.append(el);
  return el;
}

function noHostileMarkup(root: HTMLElement): void {
  expect(root.querySelectorAll("script")).toHaveLength(0);
  expect(root.querySelectorAll("img[onerror], [onerror]")).toHaveLength(0);
  expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
}

afterEach(() => {
  document.body.replaceChildren();
});

describe("escaping", () => {
  it("shows a request's hostile strings as text", async () => {
    const hub = new FakeHub()
      .on("GET /api/v1/agency/requests", () => json({ requests: [request("req_1")] }))
      .on("GET /api/v1/transparency", () =>
        json({ agencies: [{ agency: AGENCY.name, kind: AGENCY.kind, requests: 1, declines_by_week: [{ week: "2026-W48", declines: "<5" }] }] }),
      );
    const view = mount<RequestsView>("porchlight-requests", { api: hub.api, agency: AGENCY, keys: null });
    await until(() => view.querySelector("[data-request-id]") !== null);
    noHostileMarkup(view);
    const text = view.textContent ?? "";
    for (const s of HOSTILE) expect(text).toContain(s);
    expect(view.querySelector("[data-homes-reached]")?.textContent).toBe("<5");
    expect(view.querySelector("[data-declines]")?.textContent).toContain("2026-W48: <5");
  });

  it("shows hostile neighbour and camera names as text", async () => {
    const hub = new FakeHub().on("GET /api/v1/agency/requests/req_1/shares", () =>
      json({
        request_id: "req_1",
        count: 1,
        shares: [
          {
            share_id: "shr_1",
            neighbour: HOSTILE[1],
            status: "complete",
            shared_at: "2026-11-30T11:00:00Z",
            expires_at: "2026-12-30T11:00:00Z",
            deleted_at: null,
            clips: [
              { id: "clp_1", camera: HOSTILE[0], start: "2026-11-30T09:10:00Z", end: "2026-11-30T09:10:00Z", content_type: "application/age", inner_content_type: "image/jpeg", plaintext_sha256: "a", size: 10, sha256: "b", available: false, url: null },
            ],
          },
        ],
      }),
    );
    const view = mount<SharesView>("porchlight-shares", { api: hub.api, keys: null, requestId: "req_1" });
    await until(() => view.querySelector("[data-share-id]") !== null);
    noHostileMarkup(view);
    expect(view.textContent).toContain(HOSTILE[0]);
    expect(view.textContent).toContain(HOSTILE[1]);
    expect(view.querySelector("[data-gone]")?.textContent).toContain("revoked or expired");
  });

  it("says why a clip is gone when the hub answers 410", async () => {
    const hub = new FakeHub()
      .on("GET /api/v1/agency/requests/req_1/shares", () =>
        json({
          request_id: "req_1",
          count: 1,
          shares: [
            { share_id: "shr_1", neighbour: "Neighbour 1", status: "complete", shared_at: null, expires_at: null, deleted_at: null, clips: [{ id: "clp_1", camera: "Door", start: "2026-11-30T09:10:00Z", end: "2026-11-30T09:10:00Z", content_type: "application/age", inner_content_type: "image/jpeg", plaintext_sha256: "a", size: 10, sha256: "b", available: true, url: "/api/v1/agency/clips/clp_1" }] },
          ],
        }),
      )
      .on("GET /api/v1/agency/clips/clp_1", () => json({ error: "gone", message: "This clip was deleted: its share was revoked or expired." }, 410));
    const view = mount<SharesView>("porchlight-shares", { api: hub.api, keys: null, requestId: "req_1" });
    await until(() => view.querySelector("[data-action=open-clip]") !== null);
    view.querySelector<HTMLButtonElement>("[data-action=open-clip]")!.click();
    await until(() => view.querySelector("[data-clip-problem]") !== null);
    expect(view.querySelector("[data-clip-problem]")?.textContent).toContain("Gone: This clip was deleted: its share was revoked or expired.");
  });
});

describe("the rules as you type", () => {
  it("shows the hub's own message next to the field it names, and clears it when fixed", async () => {
    let answer = () =>
      json(
        { error: "rule_violation", rule: "window_length", message: "Rule window_length: the window must last between 15 minutes and 12 hours." },
        422,
      );
    const hub = new FakeHub().on("POST /api/v1/agency/requests/check", () => answer());
    const form = mount<RequestForm>("porchlight-request-form", { api: hub.api, config: PORTAL, agency: AGENCY, keys: null });
    await form.updateComplete;
    const end = form.querySelector<HTMLInputElement>("#window_end")!;
    end.value = "2026-11-30T23:00";
    end.dispatchEvent(new Event("input"));
    await until(() => form.querySelector("[data-rule-message=window_end]") !== null);
    expect(form.querySelector("[data-rule-message=window_end]")?.textContent?.trim()).toBe(
      "Rule window_length: the window must last between 15 minutes and 12 hours.",
    );
    expect(end.getAttribute("aria-invalid")).toBe("true");
    const check = hub.calls.find((c) => c.path === "/api/v1/agency/requests/check")!;
    expect(check.headers["X-CSRF-Token"]).toBeUndefined(); // not signed in on this fake api
    expect((check.body as { window_end: string }).window_end).toMatch(/Z$/);
    answer = () => json({ ok: true });
    end.value = "2026-11-30T10:00";
    end.dispatchEvent(new Event("input"));
    await until(() => form.querySelector("[data-check=ok]") !== null);
    expect(form.querySelector("[data-rule-message]")).toBeNull();
  });

  it("does not let a form without keys send", async () => {
    const hub = new FakeHub();
    const form = mount<RequestForm>("porchlight-request-form", { api: hub.api, config: PORTAL, agency: AGENCY, keys: null });
    await form.updateComplete;
    expect(form.querySelector<HTMLButtonElement>("button[type=submit]")!.disabled).toBe(true);
    expect(form.querySelector("[data-needs-keys]")).not.toBeNull();
  });
});

describe("the session", () => {
  it("signs in, clears the key input, and goes back to sign-in with a message when the session expires", async () => {
    const app = document.createElement("porchlight-portal") as PortalApp;
    const hub = new FakeHub();
    // The shell's own Api, answered by the scripted hub.
    Object.assign(app.api, { fetcher: (hub.api as unknown as { fetcher: unknown }).fetcher });
    hub
      .on("GET /api/v1/agency/portal", () => json(PORTAL))
      .on("GET /api/v1/transparency", () => json({ agencies: [] }))
      .on("GET /api/v1/agency/requests", () => json({ error: "session_expired", message: "The session expired." }, 401));
    document.body.append(app);
    await until(() => app.querySelector("#api-key") !== null);
    const input = app.querySelector<HTMLInputElement>("#api-key")!;
    input.value = "the-secret-api-key";
    app.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    expect(input.value).toBe("");
    await until(() => app.querySelector("[data-agency-name]") !== null);
    expect(document.body.innerHTML).not.toContain("the-secret-api-key");
    expect(localStorage.length + sessionStorage.length).toBe(0);
    expect(app.querySelector("[data-hub-name]")?.textContent).toBe(HOSTILE[0]);
    noHostileMarkup(app);
    app.querySelector<HTMLButtonElement>("[data-tab=requests]")!.click();
    await until(() => app.querySelector("[data-notice]") !== null);
    expect(app.querySelector("[data-notice]")?.textContent).toBe("Your session expired. Sign in again.");
    expect(app.querySelector("#api-key")).not.toBeNull();
  });

  it("signs out with the CSRF token and shows the sign-in form", async () => {
    const app = document.createElement("porchlight-portal") as PortalApp;
    const hub = new FakeHub();
    Object.assign(app.api, { fetcher: (hub.api as unknown as { fetcher: unknown }).fetcher });
    hub.on("GET /api/v1/agency/session", () => json(SESSION)).on("GET /api/v1/agency/portal", () => json(PORTAL));
    document.body.append(app);
    await until(() => app.querySelector("[data-action=sign-out]") !== null);
    app.querySelector<HTMLButtonElement>("[data-action=sign-out]")!.click();
    await until(() => app.querySelector("[data-notice]") !== null);
    const out = hub.calls.find((c) => c.method === "DELETE")!;
    expect(out.headers["X-CSRF-Token"]).toBe("csrf-123");
    expect(app.querySelector("[data-notice]")?.textContent).toBe("You signed out.");
  });
});
