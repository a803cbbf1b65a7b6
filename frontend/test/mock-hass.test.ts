// The dev page's mock (dev/mock-hass.js) drives the real panel: it serves what the
// contract says, and a decision comes back through the subscribe event.
import { afterEach, describe, expect, it } from "vitest";
import "../src/index";
import { MockConnection, makeData, makeHass } from "../dev/mock-hass.js";
import type { PorchlightPanel } from "../src/panel";
import type { Hass } from "../src/api";
import { button, deepQuery, deepQueryAll, settle } from "./helpers";

afterEach(() => {
  document.body.innerHTML = "";
});

async function waitFor(check: () => boolean, root: Element, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((ok) => setTimeout(ok, 20));
    await settle(root, 1);
  }
}

describe("the dev mock", () => {
  it("generates the requested numbers of contract-shaped records", () => {
    const data = makeData({ pending: 5, clipsPerRequest: 3, decided: 6, shares: 4, ledger: 30, queued: true });
    const pending = data.requests.filter((r) => r.status === "pending");
    expect(pending).toHaveLength(6); // 5 + the queued one
    expect(pending.filter((r) => !r.queued).every((r) => r.clips.length === 3)).toBe(true);
    expect(new Set(data.requests.map((r) => r.status))).toEqual(
      new Set(["pending", "shared", "declined", "out_of_policy", "withdrawn", "expired", "closed"]),
    );
    // Pending first, soonest expiry first.
    const expiries = pending.map((r) => r.expires_at);
    expect([...expiries].sort()).toEqual(expiries);
    expect(data.ledger.map((e) => e.seq).slice(0, 3)).toEqual([30, 29, 28]);
  });

  it("drives the panel: sharing a clip turns the request into a shared one", async () => {
    const data = makeData({ pending: 2, clipsPerRequest: 2, decided: 0, shares: 0, ledger: 3, queued: false });
    const connection = new MockConnection(data);
    const el = document.createElement("porchlight-panel") as PorchlightPanel;
    el.hass = makeHass(connection) as unknown as Hass;
    document.body.append(el);
    await waitFor(() => deepQueryAll(el, "porchlight-request-item").length === 2, el);
    const first = data.requests[0]!;
    const chosen = first.clips[1]!.id;
    const item = deepQuery(el, `porchlight-request-item[data-request-id="${first.id}"]`);
    deepQuery<HTMLInputElement>(item, `input[data-clip-id="${chosen}"]`).click();
    await settle(el);
    button(item, "Share selected").click();
    // It moves from the pending list to the earlier ones: a new element there.
    const shown = () => deepQueryAll(el, `porchlight-request-item[data-request-id="${first.id}"]`)[0];
    await waitFor(() => !!shown()?.shadowRoot?.textContent?.includes("Outcome"), el);
    expect(shown()!.shadowRoot!.textContent).toContain("Shared");
    expect(deepQuery(el, "#earlier-h").textContent).toContain("(1)");
    expect(data.shares[0]!.clips.map((c) => c.clip_id)).toEqual([chosen]);
    expect(data.shares[0]!.retention_days).toBe(14);
  });
});
