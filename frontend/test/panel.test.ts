// <porchlight-panel> with a fake connection: what it loads, when it re-fetches, how it
// subscribes and unsubscribes, tabs, entries, shares, ledger.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import "../src/index";
import type { PorchlightPanel } from "../src/panel";
import {
  FakeConnection,
  button,
  buttonsNamed,
  deepQuery,
  deepQueryAll,
  makeHass,
  request,
  requestsResult,
  settle,
  standardHandlers,
} from "./helpers";

let conn: FakeConnection;

async function mount(setup?: (el: PorchlightPanel) => void): Promise<PorchlightPanel> {
  const el = document.createElement("porchlight-panel") as PorchlightPanel;
  el.hass = makeHass(conn);
  el.narrow = false;
  el.route = { prefix: "/porchlight", path: "" };
  setup?.(el);
  document.body.append(el);
  await settle(el);
  return el;
}

function types(): string[] {
  return conn.messages.map((m) => String(m.type));
}

function tab(el: PorchlightPanel, name: string): HTMLElement {
  const found = deepQueryAll(el, '[role="tab"]').find((t) => t.textContent!.trim().startsWith(name));
  if (!found) throw new Error(`no tab ${name}`);
  return found;
}

beforeEach(() => {
  conn = new FakeConnection(standardHandlers());
});

afterEach(() => {
  document.body.innerHTML = "";
  vi.restoreAllMocks();
});

describe("loading and live updates", () => {
  it("asks for the entries, subscribes for that entry and loads every collection once", async () => {
    const el = await mount();
    expect(types()).toEqual([
      "porchlight/entries",
      "porchlight/subscribe",
      "porchlight/requests",
      "porchlight/shares",
      "porchlight/ledger",
    ]);
    expect(conn.sent("porchlight/subscribe")[0]).toEqual({ type: "porchlight/subscribe", config_entry_id: "abc" });
    expect(conn.sent("porchlight/requests")[0]).toEqual({ type: "porchlight/requests", config_entry_id: "abc" });
    expect(deepQueryAll(el, 'porchlight-request-item[data-request-id="r1"]')).toHaveLength(1);
  });

  it("re-fetches only the collection an event names", async () => {
    await mount();
    conn.clear();
    conn.emit("shares");
    await settle(document.body);
    expect(types()).toEqual(["porchlight/shares"]);
    conn.clear();
    conn.emit("ledger");
    await settle(document.body);
    expect(types()).toEqual(["porchlight/ledger"]);
  });

  it("shows a new request when the requests event comes", async () => {
    let list = [request("r1")];
    conn.handlers["porchlight/requests"] = () => requestsResult(list);
    const el = await mount();
    list = [request("r1"), request("r2", { agency: "County Sheriff" })];
    conn.emit("requests");
    await settle(el);
    expect(deepQueryAll(el, "porchlight-request-item").map((i) => i.dataset.requestId)).toEqual(["r1", "r2"]);
  });

  it("keeps unchanged requests' objects (so their items do not re-render)", async () => {
    const el = await mount();
    const item = deepQuery<HTMLElement & { request: unknown }>(el, "porchlight-request-item");
    const before = item.request;
    conn.emit("requests");
    await settle(el);
    expect(deepQuery<HTMLElement & { request: unknown }>(el, "porchlight-request-item").request).toBe(before);
  });

  it("does nothing when HA hands it a new hass object with the same connection", async () => {
    const el = await mount();
    conn.clear();
    for (let i = 0; i < 5; i++) el.hass = makeHass(conn);
    await settle(el);
    expect(conn.messages).toHaveLength(0);
  });

  it("never polls", async () => {
    vi.useFakeTimers();
    try {
      const el = document.createElement("porchlight-panel") as PorchlightPanel;
      el.hass = makeHass(conn);
      document.body.append(el);
      await vi.advanceTimersByTimeAsync(100);
      conn.clear();
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(conn.messages).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("unsubscribes when taken out of the page, and subscribes again when put back", async () => {
    const el = await mount();
    expect(conn.subscriptions.filter((s) => s.active)).toHaveLength(1);
    el.remove();
    await settle(document.body);
    expect(conn.subscriptions.filter((s) => s.active)).toHaveLength(0);
    conn.clear();
    conn.emit("requests");
    await settle(document.body);
    expect(conn.messages).toHaveLength(0);
    document.body.append(el);
    await settle(el);
    expect(conn.subscriptions.filter((s) => s.active)).toHaveLength(1);
    expect(types()).toContain("porchlight/requests");
  });

  it("unsubscribes a subscription that was still being made when it left", async () => {
    let release!: () => void;
    const gate = new Promise<void>((ok) => (release = ok));
    const original = conn.subscribeMessage.bind(conn);
    conn.subscribeMessage = async (cb, msg) => {
      await gate;
      return original(cb, msg);
    };
    const el = await mount();
    el.remove();
    release();
    await settle(document.body);
    expect(conn.subscriptions.filter((s) => s.active)).toHaveLength(0);
  });

  it("re-fetches everything after the connection came back, and stops listening when gone", async () => {
    const el = await mount();
    conn.clear();
    conn.reconnect();
    await settle(el);
    expect(types().sort()).toEqual(["porchlight/ledger", "porchlight/requests", "porchlight/shares"]);
    el.remove();
    expect(conn.readyListeners.size).toBe(0);
  });

  it("starts over on a new connection", async () => {
    const el = await mount();
    const other = new FakeConnection(standardHandlers());
    el.hass = makeHass(other);
    await settle(el);
    expect(conn.subscriptions.filter((s) => s.active)).toHaveLength(0);
    expect(other.sent("porchlight/requests")).toHaveLength(1);
  });

  it("shows a load error with a retry that works", async () => {
    let fail = true;
    conn.handlers["porchlight/requests"] = () => {
      if (fail) throw { code: "unknown_entry", message: "No Porchlight home with that id." };
      return requestsResult();
    };
    const el = await mount();
    expect(deepQuery(el, '[role="alert"]').textContent).toContain("No Porchlight home with that id.");
    fail = false;
    button(el, "Try again").click();
    await settle(el);
    expect(deepQueryAll(el, "porchlight-request-item")).toHaveLength(1);
  });

  it("says so when no home is set up", async () => {
    conn.handlers["porchlight/entries"] = () => ({ entries: [] });
    const el = await mount();
    expect(el.shadowRoot!.textContent).toContain("No Porchlight home is set up");
    expect(types()).toEqual(["porchlight/entries"]);
  });
});

describe("requests view", () => {
  it("lists pending first, then the others with their outcome", async () => {
    conn.handlers["porchlight/requests"] = () =>
      requestsResult([request("r1"), request("r2"), request("r3", { status: "declined", decision: "decline", clips: [] })]);
    const el = await mount();
    const ids = deepQueryAll(el, "porchlight-request-item").map((i) => i.dataset.requestId);
    expect(ids).toEqual(["r1", "r2", "r3"]);
    expect(deepQuery(el, "#pending-h").textContent).toContain("(2)");
    expect(deepQuery(el, "#earlier-h").textContent).toContain("(1)");
    expect(tab(el, "Requests").querySelector(".badge")!.textContent).toBe("2");
  });

  it("sends a share through call_service with the entry and re-fetches once after", async () => {
    const el = await mount();
    conn.handlers["service:share_clips"] = () => ({ context: {}, response: { share_id: "s9", clips: ["c1"] } });
    conn.clear();
    deepQuery<HTMLInputElement>(el, 'input[data-clip-id="c1"]').click();
    await settle(el);
    button(el, "Share selected").click();
    await settle(el);
    expect(conn.services()).toEqual([
      {
        type: "call_service",
        domain: "porchlight",
        service: "share_clips",
        service_data: { request_id: "r1", clip_ids: ["c1"], retention_days: 14, config_entry_id: "abc" },
        return_response: true,
      },
    ]);
    expect(types().filter((t) => t === "porchlight/requests")).toHaveLength(1);
  });

  it("shows the service's error message next to the request", async () => {
    conn.handlers["service:decline"] = () => {
      throw { code: "service_validation_error", message: "This request has already been answered." };
    };
    const el = await mount();
    button(el, "Decline").click();
    await settle(el);
    const item = deepQuery(el, 'porchlight-request-item[data-request-id="r1"]');
    expect(deepQuery(item, '[role="alert"]').textContent).toContain("This request has already been answered.");
  });

  it("a queued decision updates by itself when the event comes", async () => {
    let queued = true;
    conn.handlers["porchlight/requests"] = () =>
      requestsResult([
        queued
          ? request("r1", { decision: "share", queued: true })
          : request("r1", { decision: "share", status: "shared", queued: false }),
      ]);
    const el = await mount();
    expect(el.shadowRoot!.innerHTML).toBeDefined();
    expect(deepQuery(el, "porchlight-request-item").shadowRoot!.textContent).toContain("Queued — will be sent");
    queued = false;
    conn.emit("requests");
    await settle(el);
    expect(deepQuery(el, "porchlight-request-item").shadowRoot!.textContent).not.toContain("Queued");
  });
});

describe("tabs, narrow, entries", () => {
  it("has three tabs with roles, switches by click and by arrow keys", async () => {
    const el = await mount();
    expect(deepQuery(el, '[role="tablist"]')).toBeTruthy();
    expect(deepQueryAll(el, '[role="tab"]').map((t) => t.getAttribute("aria-selected"))).toEqual(["true", "false", "false"]);
    tab(el, "Shares").click();
    await settle(el);
    expect(deepQueryAll(el, "porchlight-share-item")).toHaveLength(1);
    expect(deepQuery(el, '[role="tabpanel"]').getAttribute("aria-labelledby")).toBe("tab-shares");
    tab(el, "Shares").dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true, composed: true }));
    await settle(el);
    expect(tab(el, "Ledger").getAttribute("aria-selected")).toBe("true");
    expect(tab(el, "Ledger").getAttribute("tabindex")).toBe("0");
    tab(el, "Ledger").dispatchEvent(new KeyboardEvent("keydown", { key: "Home", bubbles: true, composed: true }));
    await settle(el);
    expect(tab(el, "Requests").getAttribute("aria-selected")).toBe("true");
  });

  it("opens the view named in the route", async () => {
    const el = await mount((p) => (p.route = { prefix: "/porchlight", path: "/ledger" }));
    expect(tab(el, "Ledger").getAttribute("aria-selected")).toBe("true");
  });

  it("shows a menu button when narrow that fires hass-toggle-menu", async () => {
    const el = await mount();
    expect(buttonsNamed(el, "Open the sidebar")).toHaveLength(0);
    el.narrow = true;
    await settle(el);
    const fired = vi.fn();
    window.addEventListener("hass-toggle-menu", fired);
    button(el, "Open the sidebar").click();
    window.removeEventListener("hass-toggle-menu", fired);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it("offers an entry picker with several homes and reloads for the one picked", async () => {
    conn.handlers["porchlight/entries"] = () => ({
      entries: [
        { config_entry_id: "abc", title: "Home" },
        { config_entry_id: "def", title: "Cabin" },
      ],
    });
    const el = await mount();
    const select = deepQuery<HTMLSelectElement>(el, "select");
    expect([...select.options].map((o) => o.textContent!.trim())).toEqual(["Home", "Cabin"]);
    conn.clear();
    select.value = "def";
    select.dispatchEvent(new Event("change"));
    await settle(el);
    expect(conn.subscriptions.filter((s) => s.active).map((s) => s.message.config_entry_id)).toEqual(["def"]);
    expect(conn.sent("porchlight/requests")).toEqual([{ type: "porchlight/requests", config_entry_id: "def" }]);
  });

  it("shows no picker for one home", async () => {
    const el = await mount();
    expect(deepQueryAll(el, "select")).toHaveLength(0);
  });
});
