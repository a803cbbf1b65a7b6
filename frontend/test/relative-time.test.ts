// Relative times move on by themselves, with one shared timer and no fetching.
import { afterEach, describe, expect, it, vi } from "vitest";
import "../src/index";
import { TICK_MS, clockListeners } from "../src/clock";
import type { PorchlightRelativeTime } from "../src/components/relative-time";

afterEach(() => {
  document.body.innerHTML = "";
  vi.useRealTimers();
});

async function mount(kind: string, datetime: string): Promise<PorchlightRelativeTime> {
  const el = document.createElement("porchlight-relative-time") as PorchlightRelativeTime;
  el.kind = kind as PorchlightRelativeTime["kind"];
  el.datetime = datetime;
  el.fmt = { locale: "en-GB", timeZone: "UTC" };
  document.body.append(el);
  await el.updateComplete;
  return el;
}

describe("<porchlight-relative-time>", () => {
  it("counts down as time passes and stops listening when removed", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-12-01T09:00:00Z") });
    const el = await mount("expiry", "2026-12-01T09:03:00+00:00");
    expect(el.textContent).toBe("Expires in 3 minutes");
    expect(el.querySelector("time")!.getAttribute("datetime")).toBe("2026-12-01T09:03:00+00:00");
    expect(el.querySelector("time")!.getAttribute("title")).toBe("1 Dec 2026, 09:03");
    const other = await mount("updated", "2026-12-01T08:00:00+00:00");
    expect(other.textContent).toBe("Updated 1 hour ago");
    expect(clockListeners()).toBe(2);
    await vi.advanceTimersByTimeAsync(4 * TICK_MS);
    await el.updateComplete;
    expect(el.textContent).toBe("Expires in 1 minute");
    await vi.advanceTimersByTimeAsync(4 * TICK_MS);
    await el.updateComplete;
    expect(el.textContent).toBe("Expired 1 minute ago");
    el.remove();
    other.remove();
    expect(clockListeners()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("words a deletion", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-12-03T09:00:00Z") });
    const el = await mount("deleted", "2026-12-01T09:00:00+00:00");
    expect(el.textContent).toBe("Deleted 2 days ago");
  });
});
