// "Tell me when this element comes near the viewport, and when it leaves": one
// IntersectionObserver shared by every request, so only the requests around the
// viewport hold video players. A <video> costs about a millisecond to build and a
// compositing layer on every frame; 500 of them would stall the page.

type Callback = (near: boolean) => void;

/** How far outside the viewport still counts as near: about a screenful. */
const MARGIN = "800px 0px";
let observer: IntersectionObserver | undefined;
const callbacks = new WeakMap<Element, Callback>();

function shared(): IntersectionObserver | undefined {
  if (typeof IntersectionObserver !== "function") return undefined;
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) callbacks.get(entry.target)?.(entry.isIntersecting);
    },
    { rootMargin: MARGIN },
  );
  return observer;
}

/** Calls `callback(true|false)` as `element` comes near the viewport and leaves; returns a cancel. */
export function watchNearViewport(element: Element, callback: Callback): () => void {
  const io = shared();
  if (!io) {
    // No IntersectionObserver (old browser, test DOM): treat everything as near.
    queueMicrotask(() => callback(true));
    return () => undefined;
  }
  callbacks.set(element, callback);
  io.observe(element);
  return () => {
    callbacks.delete(element);
    io.unobserve(element);
  };
}
