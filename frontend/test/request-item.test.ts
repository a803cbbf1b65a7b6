// <porchlight-request-item> in happy-dom: what it shows and exactly what it sends.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import "../src/index";
import type { PorchlightRequestItem } from "../src/components/request-item";
import type { ServiceName, VideoRequest } from "../src/api";
import { NOW, button, buttonsNamed, clip, deepQuery, deepQueryAll, deferred, request, settle } from "./helpers";

interface Call {
  service: ServiceName;
  data: Record<string, unknown>;
}

let calls: Call[];
let answer: () => Promise<unknown>;

async function mount(r: VideoRequest, retention = { default_days: 14, max_days: 30 }): Promise<PorchlightRequestItem> {
  const el = document.createElement("porchlight-request-item") as PorchlightRequestItem;
  el.request = r;
  el.retention = retention;
  el.home = { latitude: 51.5005, longitude: -0.1195 };
  el.fmt = { locale: "en-GB", timeZone: "Europe/London" };
  el.runAction = (service, data) => {
    calls.push({ service, data });
    return answer();
  };
  document.body.append(el);
  await settle(el);
  return el;
}

function checkbox(el: Element, id: string): HTMLInputElement {
  return deepQuery<HTMLInputElement>(el, `input[data-clip-id="${id}"]`);
}

async function tick(el: Element, id: string): Promise<void> {
  const box = checkbox(el, id);
  box.click();
  await settle(el);
}

async function setRetention(el: Element, value: string): Promise<void> {
  const input = deepQuery<HTMLInputElement>(el, 'input[type="number"]');
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
  await settle(el);
}

beforeEach(() => {
  // Only the clock is fake: relative times read Date.now(); timers stay real.
  vi.useFakeTimers({ toFake: ["Date"], now: NOW });
  calls = [];
  answer = () => Promise.resolve({ share_id: "s1", clips: [] });
});

afterEach(() => {
  document.body.innerHTML = "";
  vi.useRealTimers();
});

describe("a pending request", () => {
  it("shows agency, kind, case, incident, window, distance, expiry, description and the map", async () => {
    const el = await mount(request("r1"));
    const text = el.shadowRoot!.textContent!.replace(/\s+/g, " ");
    expect(text).toContain("Springfield PD");
    expect(text).toContain("Police");
    expect(text).toContain("Case 2026-123");
    expect(text).toContain("Burglary");
    expect(text).toContain("1 Dec 2026, 07:00–09:30 (2 h 30 min)");
    expect(text).toContain("121 m from your home");
    expect(text).toContain("Expires in 3 days");
    expect(text).toContain("Break-in on Elm Street.");
    const map = deepQuery(el, "svg.area-map");
    expect(map.getAttribute("role")).toBe("img");
    expect(map.getAttribute("aria-label")).toMatch(/400 m radius.*inside/);
    expect(map.textContent).toContain("200 m"); // the scale bar
  });

  it("points to a home beyond the drawing, with its distance", async () => {
    const el = await mount(request("r1", { area: { latitude: 51.52, longitude: -0.12, radius_m: 200 } }));
    const map = deepQuery(el, "svg.area-map");
    expect(map.getAttribute("aria-label")).toMatch(/outside it, 2\.2 km from its centre/);
    expect(map.textContent).toContain("Home, 2.2 km");
  });

  it("shows videos as lazy players and snapshots as lazy images, labelled with doorbell and time", async () => {
    const el = await mount(request("r1"));
    const video = deepQuery<HTMLVideoElement>(el, "video");
    expect(video.getAttribute("preload")).toBe("none");
    expect(video.hasAttribute("controls")).toBe(true);
    expect(video.getAttribute("src")).toBe("/api/porchlight/clips/abc/c1?authSig=x");
    const img = deepQuery<HTMLImageElement>(el, "img");
    expect(img.getAttribute("loading")).toBe("lazy");
    expect(img.getAttribute("alt")).toBe("Side gate, 08:00:00");
    const label = checkbox(el, "c1").closest("label")!;
    expect(label.textContent!.trim()).toBe("Front door, 07:10:00");
  });

  it("enables Share selected only once a clip is ticked, and sends exactly share_clips", async () => {
    const el = await mount(request("r1"));
    const share = button(el, "Share selected");
    expect(share.disabled).toBe(true);
    await tick(el, "c2");
    expect(checkbox(el, "c2").checked).toBe(true);
    expect(button(el, "Share selected").disabled).toBe(false);
    await setRetention(el, "7");
    button(el, "Share selected").click();
    await settle(el);
    expect(calls).toEqual([
      { service: "share_clips", data: { request_id: "r1", clip_ids: ["c2"], retention_days: 7 } },
    ]);
  });

  it("sends the ticked clips in the offered order with the default retention", async () => {
    const el = await mount(request("r1"));
    await tick(el, "c2");
    await tick(el, "c1");
    button(el, "Share selected").click();
    await settle(el);
    expect(calls[0]).toEqual({ service: "share_clips", data: { request_id: "r1", clip_ids: ["c1", "c2"], retention_days: 14 } });
  });

  it("Select all / Select none tick every clip and clear them", async () => {
    const el = await mount(request("r1"));
    button(el, "Select all").click();
    await settle(el);
    expect(el.selectedClipIds).toEqual(["c1", "c2"]);
    expect(el.shadowRoot!.textContent).toContain("2 of 2 selected");
    button(el, "Select none").click();
    await settle(el);
    expect(el.selectedClipIds).toEqual([]);
  });

  it("Share all sends share_all with the retention; Decline sends decline", async () => {
    const el = await mount(request("r1"));
    button(el, "Share all").click();
    await settle(el);
    button(el, "Decline").click();
    await settle(el);
    expect(calls).toEqual([
      { service: "share_all", data: { request_id: "r1", retention_days: 14 } },
      { service: "decline", data: { request_id: "r1" } },
    ]);
  });

  it("refuses a bad retention with a message and disables sharing, not declining", async () => {
    const el = await mount(request("r1"), { default_days: 30, max_days: 30 });
    await tick(el, "c1");
    await setRetention(el, "45");
    const message = deepQuery(el, ".field-error");
    expect(message.hidden).toBe(false);
    expect(message.textContent).toContain("from 1 to 30");
    expect(deepQuery(el, 'input[type="number"]').getAttribute("aria-invalid")).toBe("true");
    expect(button(el, "Share selected").disabled).toBe(true);
    expect(button(el, "Share all").disabled).toBe(true);
    expect(button(el, "Decline").disabled).toBe(false);
    await setRetention(el, "30");
    expect(deepQuery(el, ".field-error").hidden).toBe(true);
    expect(button(el, "Share selected").disabled).toBe(false);
  });

  it("caps the default at the hub's maximum", async () => {
    const el = await mount(request("r1"), { default_days: 30, max_days: 10 });
    const input = deepQuery<HTMLInputElement>(el, 'input[type="number"]');
    expect(input.value).toBe("10");
    expect(input.getAttribute("max")).toBe("10");
  });

  it("disables Share all when no clip matches", async () => {
    const el = await mount(request("r1", { clips: [] }));
    expect(button(el, "Share all").disabled).toBe(true);
    expect(button(el, "Decline").disabled).toBe(false);
    expect(el.shadowRoot!.textContent).toContain("No clip recorded at home matches this window.");
  });

  it("shows progress and disables every action of the request while one runs", async () => {
    const pending = deferred<unknown>();
    answer = () => pending.promise;
    const el = await mount(request("r1"));
    await tick(el, "c1");
    button(el, "Share selected").click();
    await settle(el);
    const busy = button(el, "Sharing…");
    expect(busy.disabled).toBe(true);
    expect(busy.querySelector(".spinner")).not.toBeNull();
    expect(button(el, "Share all").disabled).toBe(true);
    expect(button(el, "Decline").disabled).toBe(true);
    expect(checkbox(el, "c2").disabled).toBe(true);
    // A second press does nothing while the first runs.
    button(el, "Decline").click();
    await settle(el);
    expect(calls).toHaveLength(1);
    pending.resolve({});
    await settle(el);
    expect(button(el, "Decline").disabled).toBe(false);
  });

  it("shows the WS error's message in an alert by the request, dismissible", async () => {
    answer = () => Promise.reject({ code: "service_validation_error", message: "The hub refused: window too long." });
    const el = await mount(request("r1"));
    button(el, "Share all").click();
    await settle(el);
    const alert = deepQuery(el, '[role="alert"]');
    expect(alert.textContent).toContain("The hub refused: window too long.");
    expect(button(el, "Share all").disabled).toBe(false);
    button(el, "Dismiss").click();
    await settle(el);
    expect(deepQueryAll(el, '[role="alert"]')).toHaveLength(0);
  });

  it("keeps the selection across a re-fetch, dropping clips that went away", async () => {
    const el = await mount(request("r1"));
    await tick(el, "c1");
    await tick(el, "c2");
    el.request = request("r1", { clips: [clip("c2"), clip("c3")] });
    await settle(el);
    expect(el.selectedClipIds).toEqual(["c2"]);
    expect(checkbox(el, "c2").checked).toBe(true);
    expect(checkbox(el, "c3").checked).toBe(false);
  });
});

describe("a request that is no longer open", () => {
  it.each([
    ["shared", "Shared"],
    ["declined", "Declined"],
    ["withdrawn", "Withdrawn by the agency"],
    ["expired", "Expired without a decision"],
    ["closed", "Closed"],
  ] as const)("%s: shows the outcome and no action", async (status, words) => {
    const el = await mount(request("r1", { status, clips: status === "shared" ? [clip("c1")] : [] }));
    expect(el.shadowRoot!.textContent).toContain(words);
    for (const name of ["Share selected", "Share all", "Decline"]) expect(buttonsNamed(el, name)).toHaveLength(0);
    expect(deepQueryAll(el, "input[data-clip-id]")).toHaveLength(0);
    expect(deepQueryAll(el, 'input[type="number"]')).toHaveLength(0);
  });

  it("out_of_policy: names the rule broken", async () => {
    const el = await mount(request("r1", { status: "out_of_policy", policy_violation: "max_window_hours", clips: [] }));
    const text = el.shadowRoot!.textContent!.replace(/\s+/g, " ");
    expect(text).toContain("Refused: outside the sharing rules");
    expect(text).toContain("Broke the rule: Max window hours");
  });

  it("queued: says it will be sent, with the decision, and offers nothing more", async () => {
    const el = await mount(request("r1", { decision: "share", queued: true }));
    const status = deepQuery(el, '[role="status"]');
    expect(status.textContent).toBe("Queued — will be sent when the hub is reachable");
    expect(el.shadowRoot!.textContent).toContain("You chose to share");
    expect(buttonsNamed(el, "Share all")).toHaveLength(0);
    el.request = request("r1", { decision: "share", queued: false, status: "shared" });
    await settle(el);
    expect(deepQueryAll(el, '[role="status"]')).toHaveLength(0);
    expect(el.shadowRoot!.textContent).toContain("Shared");
  });
});
