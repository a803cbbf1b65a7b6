// <porchlight-panel>'s Shares and Ledger tabs with a fake connection: what they show
// and exactly what Revoke, Export and "Load older" send.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import "../src/index";
import type { PorchlightPanel } from "../src/panel";
import {
  FakeConnection,
  button,
  buttonsNamed,
  deepQuery,
  deepQueryAll,
  ledgerEntries,
  ledgerResult,
  makeHass,
  settle,
  share,
  sharesResult,
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

beforeEach(() => {
  conn = new FakeConnection(standardHandlers());
});

afterEach(() => {
  document.body.innerHTML = "";
  vi.restoreAllMocks();
});

describe("shares view", () => {
  async function sharesTab(): Promise<PorchlightPanel> {
    const el = await mount((p) => (p.route = { prefix: "/porchlight", path: "/shares" }));
    return el;
  }

  it("shows agency, case, clips, expiry, accesses", async () => {
    const el = await sharesTab();
    const item = deepQuery(el, 'porchlight-share-item[data-share-id="s1"]');
    const text = item.shadowRoot!.textContent!.replace(/\s+/g, " ");
    expect(text).toContain("Springfield PD");
    expect(text).toContain("Case 2026-100");
    expect(text).toMatch(/Expires in \d+ days/);
    expect(text).toContain("Front door, 29 Nov 2026, 07:00:00");
    // Opened on another day than recorded: the clip's date is given too.
    expect(text).toContain("30 Nov 2026, 10:00 — Springfield PD opened Front door, 29 Nov 2026, 07:00:00");
  });

  it("asks before revoking; No cancels, Escape cancels, Yes sends revoke_share", async () => {
    conn.handlers["service:revoke_share"] = () => ({ context: {}, response: {} });
    const el = await sharesTab();
    button(el, "Revoke").click();
    await settle(el);
    expect(conn.services()).toHaveLength(0);
    const item = deepQuery(el, "porchlight-share-item");
    expect(item.shadowRoot!.activeElement?.textContent?.trim()).toBe("Cancel");
    button(el, "Cancel").click();
    await settle(el);
    expect(buttonsNamed(el, "Yes, revoke")).toHaveLength(0);
    button(el, "Revoke").click();
    await settle(el);
    deepQuery(item, ".confirm").dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    await settle(el);
    expect(buttonsNamed(el, "Yes, revoke")).toHaveLength(0);
    button(el, "Revoke").click();
    await settle(el);
    button(el, "Yes, revoke").click();
    await settle(el);
    expect(conn.services()).toEqual([
      {
        type: "call_service",
        domain: "porchlight",
        service: "revoke_share",
        service_data: { share_id: "s1", config_entry_id: "abc" },
        return_response: true,
      },
    ]);
  });

  it("shows a revoke error inline", async () => {
    conn.handlers["service:revoke_share"] = () => {
      throw { code: "service_validation_error", message: "This share has already ended." };
    };
    const el = await sharesTab();
    button(el, "Revoke").click();
    await settle(el);
    button(el, "Yes, revoke").click();
    await settle(el);
    expect(deepQuery(el, 'porchlight-share-item [role="alert"]').textContent).toContain("This share has already ended.");
  });

  it("offers no Revoke for ended or queued shares, and says queued", async () => {
    conn.handlers["porchlight/shares"] = () =>
      sharesResult([
        share("s1", { status: "revoked", deleted_at: "2026-11-30T00:00:00+00:00" }),
        share("s2", { status: "queued", queued: true }),
      ]);
    const el = await sharesTab();
    expect(buttonsNamed(el, "Revoke")).toHaveLength(0);
    const queued = deepQuery(el, 'porchlight-share-item[data-share-id="s2"]');
    expect(deepQuery(queued, '[role="status"]').textContent).toContain("Queued");
  });
});

describe("ledger view", () => {
  it("shows the entries newest first, the verification banner and raw JSON", async () => {
    const el = await mount((p) => (p.route = { prefix: "/porchlight", path: "/ledger" }));
    const seqs = deepQueryAll(el, ".entry .seq").map((s) => s.textContent);
    expect(seqs).toEqual(["#3", "#2", "#1"]);
    expect(deepQuery(el, ".banner").textContent).toContain("verifies: 3 entries");
    expect(deepQuery(el, ".entry .summary").textContent).toBe("Springfield PD · 1 clip");
    expect(JSON.parse(deepQuery(el, ".entry pre").textContent!)).toMatchObject({ seq: 3, kind: "share_accessed" });
  });

  it("warns when the chain does not verify", async () => {
    conn.handlers["porchlight/ledger"] = () => ({ ...ledgerResult(), verified: false, problem: "entry 2 was altered" });
    const el = await mount((p) => (p.route = { prefix: "/porchlight", path: "/ledger" }));
    const banner = deepQuery(el, ".banner");
    expect(banner.getAttribute("role")).toBe("alert");
    expect(banner.textContent).toContain("does NOT verify: entry 2 was altered");
  });

  it("loads older pages with before_seq until nothing is left", async () => {
    conn.handlers["porchlight/ledger"] = (m) => {
      if (m.before_seq === undefined) return ledgerResult(ledgerEntries(400, 201), 400);
      return ledgerResult(ledgerEntries(Number(m.before_seq) - 1, 1), 400);
    };
    const el = await mount((p) => (p.route = { prefix: "/porchlight", path: "/ledger" }));
    expect(conn.sent("porchlight/ledger")[0]).toEqual({ type: "porchlight/ledger", config_entry_id: "abc", limit: 200 });
    button(el, "Load older").click();
    await settle(el);
    expect(conn.sent("porchlight/ledger")[1]).toEqual({
      type: "porchlight/ledger",
      config_entry_id: "abc",
      limit: 200,
      before_seq: 201,
    });
    expect(deepQueryAll(el, ".entry")).toHaveLength(400);
    expect(buttonsNamed(el, "Load older")).toHaveLength(0);
    // A ledger event re-fetches as many as are shown.
    conn.clear();
    conn.emit("ledger");
    await settle(el);
    expect(conn.sent("porchlight/ledger")[0]).toMatchObject({ limit: 400 });
  });

  it("exports through export_ledger and downloads the response as a dated file", async () => {
    const response = { entries: ledgerEntries(2, 1), verified: true };
    conn.handlers["service:export_ledger"] = () => ({ context: {}, response });
    const blobs: Blob[] = [];
    vi.spyOn(URL, "createObjectURL").mockImplementation((b) => {
      blobs.push(b as Blob);
      return "blob:ledger";
    });
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    const el = await mount((p) => (p.route = { prefix: "/porchlight", path: "/ledger" }));
    button(el, "Export").click();
    await settle(el);
    expect(conn.services()).toEqual([
      {
        type: "call_service",
        domain: "porchlight",
        service: "export_ledger",
        service_data: { config_entry_id: "abc" },
        return_response: true,
      },
    ]);
    expect(clicked).toHaveLength(1);
    expect(clicked[0]!.download).toMatch(/^porchlight-ledger-\d{4}-\d{2}-\d{2}\.json$/);
    expect(JSON.parse(await blobs[0]!.text())).toEqual(response);
  });

  it("shows an export error inline", async () => {
    conn.handlers["service:export_ledger"] = () => {
      throw { code: "home_assistant_error", message: "The ledger could not be read." };
    };
    const el = await mount((p) => (p.route = { prefix: "/porchlight", path: "/ledger" }));
    button(el, "Export").click();
    await settle(el);
    expect(deepQuery(el, 'porchlight-ledger-view [role="alert"]').textContent).toContain("The ledger could not be read.");
  });
});
