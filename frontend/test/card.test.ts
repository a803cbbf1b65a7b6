// The dashboard card, its editor, and the registration guards.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defineAll } from "../src/index";
import { PANEL_PATH, validateCardConfig, type PorchlightRequestsCard } from "../src/card";
import type { PorchlightRequestsCardEditor } from "../src/card-editor";
import { FakeConnection, button, buttonsNamed, deepQuery, deepQueryAll, makeHass, request, requestsResult, settle, standardHandlers } from "./helpers";

const TYPE = "custom:porchlight-requests-card";
let conn: FakeConnection;

function CardClass(): typeof PorchlightRequestsCard {
  return customElements.get("porchlight-requests-card") as unknown as typeof PorchlightRequestsCard;
}

async function mount(config: Record<string, unknown> = { type: TYPE }): Promise<PorchlightRequestsCard> {
  const el = document.createElement("porchlight-requests-card") as PorchlightRequestsCard;
  el.setConfig(config);
  el.hass = makeHass(conn);
  document.body.append(el);
  await settle(el);
  return el;
}

beforeEach(() => {
  conn = new FakeConnection(
    standardHandlers({
      requests: () =>
        requestsResult([
          request("r1"),
          request("r2", { clips: [], agency: "County Sheriff" }),
          request("r3", { status: "declined", decision: "decline", clips: [] }),
        ]),
    }),
  );
});

afterEach(() => {
  document.body.innerHTML = "";
  vi.restoreAllMocks();
});

describe("setConfig", () => {
  it.each([
    [null, "must be an object"],
    ["custom:porchlight-requests-card", "must be an object"],
    [[], "must be an object"],
    [{}, "`type` must be custom:porchlight-requests-card"],
    [{ type: "custom:other-card" }, "`type` must be"],
    [{ type: TYPE, title: 5 }, "`title` must be text"],
    [{ type: TYPE, config_entry_id: { id: 1 } }, "`config_entry_id` must be text"],
    [{ type: TYPE, colour: "red" }, "unknown option `colour`"],
  ])("rejects %j with a clear error", (config, words) => {
    expect(() => validateCardConfig(config)).toThrowError(words);
    const el = document.createElement("porchlight-requests-card") as PorchlightRequestsCard;
    expect(() => el.setConfig(config)).toThrow(Error);
  });

  it("accepts the documented options, and HA's layout keys", () => {
    expect(validateCardConfig({ type: TYPE, title: " Door ", config_entry_id: "abc", grid_options: { columns: 6 } })).toEqual({
      type: TYPE,
      title: "Door",
      config_entry_id: "abc",
    });
    expect(validateCardConfig({ type: TYPE, title: "" })).toEqual({ type: TYPE });
  });

  it("has a stub config, a size and a config element", () => {
    const Card = CardClass();
    expect(Card.getStubConfig()).toEqual({ type: TYPE });
    expect(() => validateCardConfig(Card.getStubConfig())).not.toThrow();
    expect(Card.getConfigElement().tagName.toLowerCase()).toBe("porchlight-requests-card-editor");
  });
});

describe("the card", () => {
  it("shows only pending requests, with agency, incident, window and clip count", async () => {
    const el = await mount({ type: TYPE, title: "Doorbell requests" });
    expect(deepQuery(el, "h2").textContent).toBe("Doorbell requests");
    const items = deepQueryAll(el, "li.request");
    expect(items.map((i) => i.dataset.requestId)).toEqual(["r1", "r2"]);
    const text = items[0]!.textContent!.replace(/\s+/g, " ");
    expect(text).toContain("Springfield PD");
    expect(text).toContain("Burglary");
    expect(text).toContain("1 Dec 2026, 07:00–09:30 (2 h 30 min)");
    expect(text).toContain("2 clips");
    expect(el.getCardSize()).toBe(5);
  });

  it("Share all sends share_all with the default retention; Decline sends decline", async () => {
    conn.handlers["service:share_all"] = () => ({ context: {}, response: { share_id: "s", clips: ["c1", "c2"] } });
    conn.handlers["service:decline"] = () => ({ context: {}, response: {} });
    const el = await mount();
    const first = deepQuery(el, 'li[data-request-id="r1"]');
    button(first, "Share all").click();
    await settle(el);
    button(deepQuery(el, 'li[data-request-id="r2"]'), "Decline").click();
    await settle(el);
    expect(conn.services().map((m) => [m.service, m.service_data])).toEqual([
      ["share_all", { request_id: "r1", retention_days: 14, config_entry_id: "abc" }],
      ["decline", { request_id: "r2", config_entry_id: "abc" }],
    ]);
  });

  it("disables Share all for a request without clips", async () => {
    const el = await mount();
    expect(button(deepQuery(el, 'li[data-request-id="r2"]'), "Share all").disabled).toBe(true);
  });

  it("shows a service error next to its request", async () => {
    conn.handlers["service:share_all"] = () => {
      throw { code: "service_validation_error", message: "No clip matches." };
    };
    const el = await mount();
    button(deepQuery(el, 'li[data-request-id="r1"]'), "Share all").click();
    await settle(el);
    expect(deepQuery(deepQuery(el, 'li[data-request-id="r1"]'), '[role="alert"]').textContent).toContain("No clip matches.");
    expect(deepQueryAll(deepQuery(el, 'li[data-request-id="r2"]'), '[role="alert"]')).toHaveLength(0);
  });

  it("links to the panel to choose clips, navigating inside HA", async () => {
    const el = await mount();
    const link = deepQuery<HTMLAnchorElement>(el, "a");
    expect(link.getAttribute("href")).toBe(PANEL_PATH);
    expect(link.textContent!.trim()).toBe("Choose clips");
    const changed = vi.fn();
    window.addEventListener("location-changed", changed);
    link.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, button: 0 }));
    window.removeEventListener("location-changed", changed);
    expect(changed).toHaveBeenCalledTimes(1);
    expect(location.pathname).toBe(PANEL_PATH);
  });

  it("uses its config_entry_id without asking for entries", async () => {
    await mount({ type: TYPE, config_entry_id: "def" });
    expect(conn.sent("porchlight/entries")).toHaveLength(0);
    expect(conn.sent("porchlight/requests")).toEqual([{ type: "porchlight/requests", config_entry_id: "def" }]);
    expect(conn.sent("porchlight/subscribe")[0]).toEqual({ type: "porchlight/subscribe", config_entry_id: "def" });
    // It loads requests only: shares and ledger events are none of its business.
    conn.clear();
    conn.emit("shares");
    conn.emit("requests");
    await settle(document.body);
    expect(conn.messages.map((m) => m.type)).toEqual(["porchlight/requests"]);
  });

  it("says when nothing waits", async () => {
    conn.handlers["porchlight/requests"] = () => requestsResult([]);
    const el = await mount();
    expect(el.shadowRoot!.textContent).toContain("No video request is waiting.");
    expect(buttonsNamed(el, "Share all")).toHaveLength(0);
  });
});

describe("the editor", () => {
  it("fires config-changed with the new config, leaving empty fields out", async () => {
    const editor = document.createElement("porchlight-requests-card-editor") as PorchlightRequestsCardEditor;
    editor.setConfig({ type: TYPE, title: "Old" });
    document.body.append(editor);
    await settle(editor);
    const events: unknown[] = [];
    editor.addEventListener("config-changed", (e) => events.push((e as CustomEvent).detail));
    const title = deepQuery<HTMLInputElement>(editor, 'input[name="title"]');
    expect(title.value).toBe("Old");
    title.value = "";
    title.dispatchEvent(new Event("input"));
    const entry = deepQuery<HTMLInputElement>(editor, 'input[name="config_entry_id"]');
    entry.value = "abc";
    entry.dispatchEvent(new Event("input"));
    expect(events).toEqual([{ config: { type: TYPE } }, { config: { type: TYPE, config_entry_id: "abc" } }]);
  });
});

describe("registration", () => {
  it("defines every element and lists the card once, however often the module runs", async () => {
    for (const name of ["porchlight-panel", "porchlight-requests-card", "porchlight-requests-card-editor"]) {
      expect(customElements.get(name)).toBeDefined();
    }
    expect(() => defineAll()).not.toThrow();
    // A second copy of the module (new class objects, same names) must not throw either.
    vi.resetModules();
    await import("../src/index");
    expect(window.customCards!.filter((c) => c.type === "porchlight-requests-card")).toEqual([
      {
        type: "porchlight-requests-card",
        name: "Porchlight requests",
        description: expect.any(String),
        preview: false,
      },
    ]);
  });
});
