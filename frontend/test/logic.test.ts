// Pure logic: selection, retention, errors, reconcile, ledger summaries.
import { describe, expect, it } from "vitest";
import { EMPTY_SELECTION, allSelected, orderedSelection, prune, selectAll, toggle } from "../src/selection";
import { checkRetention, defaultRetention } from "../src/retention";
import { errorMessage } from "../src/errors";
import { jsonEqual, reconcile } from "../src/reconcile";
import { summarizeLedgerData } from "../src/ledger-summary";
import { agencyKindLabel, ledgerKindLabel } from "../src/strings";

describe("selection", () => {
  it("toggles, sets and clears without touching the old set", () => {
    const one = toggle(EMPTY_SELECTION, "a");
    expect([...one]).toEqual(["a"]);
    expect(EMPTY_SELECTION.size).toBe(0);
    const two = toggle(one, "b", true);
    expect([...two].sort()).toEqual(["a", "b"]);
    expect([...one]).toEqual(["a"]);
    expect([...toggle(two, "a")]).toEqual(["b"]);
    expect([...toggle(two, "a", false)]).toEqual(["b"]);
  });

  it("returns the same set when nothing changes (no re-render)", () => {
    const one = toggle(EMPTY_SELECTION, "a");
    expect(toggle(one, "a", true)).toBe(one);
    expect(toggle(one, "z", false)).toBe(one);
    expect(prune(one, ["a", "b"])).toBe(one);
    expect(prune(EMPTY_SELECTION, [])).toBe(EMPTY_SELECTION);
  });

  it("drops clips no longer offered", () => {
    const sel = selectAll(["a", "b", "c"]);
    expect([...prune(sel, ["c", "a"])].sort()).toEqual(["a", "c"]);
  });

  it("knows when all are selected and keeps the offered order", () => {
    const ids = ["c1", "c2", "c3"];
    const sel = toggle(toggle(EMPTY_SELECTION, "c3"), "c1");
    expect(allSelected(sel, ids)).toBe(false);
    expect(allSelected(selectAll(ids), ids)).toBe(true);
    expect(allSelected(EMPTY_SELECTION, [])).toBe(false);
    expect(orderedSelection(sel, ids)).toEqual(["c1", "c3"]);
    expect(selectAll([])).toBe(EMPTY_SELECTION);
  });
});

describe("retention", () => {
  it.each(["1", "14", "30", " 7 "])("accepts %j of 30", (raw) => {
    expect(checkRetention(raw, 30)).toEqual({ ok: true, days: Number(raw.trim()) });
  });

  it.each(["", "0", "31", "-1", "2.5", "1e1", "abc", "99999999"])("refuses %j of 30 with a message", (raw) => {
    const result = checkRetention(raw, 30);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toBe("Enter a whole number of days from 1 to 30.");
  });

  it("keeps the default inside 1..max", () => {
    expect(defaultRetention(14, 30)).toBe(14);
    expect(defaultRetention(60, 30)).toBe(30);
    expect(defaultRetention(0, 30)).toBe(1);
    expect(defaultRetention(Number.NaN, 7)).toBe(7);
    expect(defaultRetention(5, 0)).toBe(1);
  });
});

describe("errorMessage", () => {
  it("shows a WS error's translated message as is", () => {
    expect(
      errorMessage({ code: "service_validation_error", message: "No clip matches this request's window.", translation_domain: "porchlight" }),
    ).toBe("No clip matches this request's window.");
  });

  it("explains a lost connection (home-assistant-js-websocket's shape)", () => {
    expect(errorMessage({ type: "result", success: false, error: { code: 3, message: "Connection lost" } })).toBe(
      "The connection to Home Assistant was lost. Try again when it is back.",
    );
  });

  it("handles Errors, strings and junk", () => {
    expect(errorMessage(new Error("boom"))).toBe("boom");
    expect(errorMessage("  plain  ")).toBe("plain");
    expect(errorMessage({ code: "unknown_entry" })).toBe("Something went wrong (unknown_entry).");
    expect(errorMessage(undefined)).toBe("Something went wrong.");
    expect(errorMessage({ message: "   " })).toBe("Something went wrong.");
    expect(errorMessage(42)).toBe("Something went wrong.");
  });
});

describe("reconcile", () => {
  it("keeps unchanged items identical and takes changed ones", () => {
    const a = { id: "a", n: 1, tags: ["x"] };
    const b = { id: "b", n: 2, tags: [] as string[] };
    const next = [{ id: "a", n: 1, tags: ["x"] }, { id: "b", n: 3, tags: [] }];
    const out = reconcile([a, b], next, (i) => i.id);
    expect(out[0]).toBe(a);
    expect(out[1]).toBe(next[1]);
  });

  it("returns the previous array when nothing at all changed", () => {
    const prev = [{ id: "a" }, { id: "b" }];
    expect(reconcile(prev, [{ id: "a" }, { id: "b" }], (i) => i.id)).toBe(prev);
    const reordered = reconcile(prev, [{ id: "b" }, { id: "a" }], (i) => i.id);
    expect(reordered).not.toBe(prev);
    expect(reordered[0]).toBe(prev[1]);
  });

  it("compares JSON deeply", () => {
    expect(jsonEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });
});

describe("ledger summaries and labels", () => {
  it("says the known fields in plain words", () => {
    expect(
      summarizeLedgerData({ agency: "Springfield PD", case_number: "2026-1", clip_ids: ["a", "b"], retention_days: 30 }),
    ).toBe("Springfield PD · case 2026-1 · 2 clips · 30 days");
    expect(summarizeLedgerData({ reason: "retention_expired", clips: 1 })).toBe("1 clip · retention expired");
  });

  it("falls back to a few plain values, and to nothing", () => {
    expect(summarizeLedgerData({ share_id: "s1", nested: { x: 1 }, ok: true, n: 3, more: "x" })).toBe(
      "share id: s1 · ok: true · n: 3",
    );
    expect(summarizeLedgerData(null)).toBe("");
    expect(summarizeLedgerData(["a"])).toBe("");
    expect(summarizeLedgerData({ agency: "x".repeat(100) })).toHaveLength(60);
  });

  it("words kinds", () => {
    expect(ledgerKindLabel("share_accessed")).toBe("Share accessed");
    expect(ledgerKindLabel("decision.share")).toBe("Decision share");
    expect(agencyKindLabel("police")).toBe("Police");
    expect(agencyKindLabel("coast_guard")).toBe("Coast_guard");
  });
});
