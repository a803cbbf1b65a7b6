// On Home Assistant's page the module may run before HA's app, which then swaps
// window.customElements for its scoped-registry polyfill: the elements must be defined
// in the registry HA asks, not in the one the swap hides (found by the real-browser test).
import { afterEach, describe, expect, it, vi } from "vitest";

/** A registry like the browser's, enough for defineOnce and whenDefined. */
class FakeRegistry {
  readonly defined = new Map<string, CustomElementConstructor>();
  private readonly waiting = new Map<string, () => void>();
  private readonly promises = new Map<string, Promise<void>>();

  get(name: string): CustomElementConstructor | undefined {
    return this.defined.get(name);
  }

  define(name: string, element: CustomElementConstructor): void {
    this.defined.set(name, element);
    this.waiting.get(name)?.();
  }

  whenDefined(name: string): Promise<void> {
    if (this.defined.has(name)) return Promise.resolve();
    let promise = this.promises.get(name);
    if (!promise) {
      promise = new Promise<void>((resolve) => this.waiting.set(name, resolve));
      this.promises.set(name, promise);
    }
    return promise;
  }
}

class Stand extends HTMLElement {}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
  document.body.innerHTML = "";
});

describe("definition order on Home Assistant's page", () => {
  it("waits for HA's app to define <home-assistant>, then defines in the registry in use", async () => {
    document.body.innerHTML = "<home-assistant></home-assistant>";
    const native = new FakeRegistry();
    vi.stubGlobal("customElements", native);
    const module = await import("../src/index");
    expect(native.get("porchlight-panel")).toBeUndefined();
    expect(native.get("porchlight-requests-card")).toBeUndefined();

    // HA's app starts: its registry replaces the global one, and defining
    // <home-assistant> there puts a stand-in into the native registry.
    const polyfill = new FakeRegistry();
    vi.stubGlobal("customElements", polyfill);
    polyfill.define("home-assistant", Stand);
    native.define("home-assistant", Stand);
    await native.whenDefined("home-assistant");
    await Promise.resolve();

    expect(polyfill.get("porchlight-panel")).toBeDefined();
    expect(polyfill.get("porchlight-requests-card")).toBeDefined();
    expect(native.get("porchlight-panel")).toBeUndefined();
    expect(module.defineAll).toBeTypeOf("function");
  });

  it("defines at once where HA's app already runs, or on a page without it", async () => {
    for (const body of ["", "<home-assistant></home-assistant>"]) {
      document.body.innerHTML = body;
      const registry = new FakeRegistry();
      if (body) registry.define("home-assistant", Stand);
      vi.stubGlobal("customElements", registry);
      vi.resetModules();
      await import("../src/index");
      expect(registry.get("porchlight-panel")).toBeDefined();
      expect(registry.get("porchlight-requests-card")).toBeDefined();
    }
  });
});
