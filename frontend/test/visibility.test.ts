// Off-screen requests build no video players until they come near the viewport.
import { afterEach, describe, expect, it, vi } from "vitest";

class FakeObserver {
  static last: FakeObserver | undefined;
  readonly targets = new Set<Element>();
  constructor(readonly callback: IntersectionObserverCallback) {
    FakeObserver.last = this;
  }
  observe(target: Element) {
    this.targets.add(target);
  }
  unobserve(target: Element) {
    this.targets.delete(target);
  }
  disconnect() {
    this.targets.clear();
  }
  show(target: Element, isIntersecting = true) {
    this.callback([{ target, isIntersecting } as unknown as IntersectionObserverEntry], this as unknown as IntersectionObserver);
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

describe("lazy video players", () => {
  it("renders placeholders until the request is near the viewport, then <video preload=none>", async () => {
    vi.resetModules();
    vi.stubGlobal("IntersectionObserver", FakeObserver);
    await import("../src/index");
    const { request, settle, deepQueryAll } = await import("./helpers");
    const el = document.createElement("porchlight-request-item") as HTMLElement & { request: unknown };
    el.request = request("r1");
    document.body.append(el);
    await settle(el);
    const observer = FakeObserver.last!;
    expect(observer.targets.has(el)).toBe(true);
    const videos = () => deepQueryAll(el, "video");
    expect(videos()).toHaveLength(0);
    expect(deepQueryAll(el, ".media.placeholder")).toHaveLength(1);
    expect(deepQueryAll(el, "img")).toHaveLength(1); // images are lazy by themselves
    observer.show(el);
    await settle(el);
    expect(videos()).toHaveLength(1);
    expect(videos()[0]!.getAttribute("preload")).toBe("none");
    // Scrolled far away: the player goes, unless it plays.
    observer.show(el, false);
    await settle(el);
    expect(videos()).toHaveLength(0);
    observer.show(el);
    await settle(el);
    Object.defineProperty(videos()[0]!, "paused", { value: false });
    observer.show(el, false);
    await settle(el);
    expect(videos()).toHaveLength(1);
    // Taken out of the page: no longer watched.
    el.remove();
    expect(observer.targets.has(el)).toBe(false);
  });

  it("watchNearViewport reports coming and going, and nothing after cancel", async () => {
    vi.resetModules();
    vi.stubGlobal("IntersectionObserver", FakeObserver);
    const { watchNearViewport } = await import("../src/visibility");
    const a = document.createElement("div");
    const b = document.createElement("div");
    const seen: string[] = [];
    watchNearViewport(a, (near) => seen.push(`a:${near}`));
    const cancel = watchNearViewport(b, (near) => seen.push(`b:${near}`));
    const observer = FakeObserver.last!;
    cancel();
    expect(observer.targets.has(b)).toBe(false);
    observer.show(a);
    observer.show(a, false);
    observer.show(b);
    expect(seen).toEqual(["a:true", "a:false"]);
  });

  it("treats everything as visible without IntersectionObserver", async () => {
    vi.resetModules();
    const { watchNearViewport } = await import("../src/visibility");
    const seen: boolean[] = [];
    watchNearViewport(document.createElement("div"), (near) => seen.push(near));
    await Promise.resolve();
    expect(seen).toEqual([true]);
  });
});
