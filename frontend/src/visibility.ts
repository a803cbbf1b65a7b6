// "Tell me once this element comes near the viewport": one IntersectionObserver shared
// by every request, so off-screen requests need not build their video players (a
// <video> costs about a millisecond to create; 500 of them would stall the first render).

type Callback = () => void;

const MARGIN = "800px 0px";
let observer: IntersectionObserver | undefined;
const callbacks = new WeakMap<Element, Callback>();

function shared(): IntersectionObserver | undefined {
  if (typeof IntersectionObserver !== "function") return undefined;
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const callback = callbacks.get(entry.target);
        observer?.unobserve(entry.target);
        callbacks.delete(entry.target);
        callback?.();
      }
    },
    { rootMargin: MARGIN },
  );
  return observer;
}

/** Calls `callback` once `element` is within a screenful of the viewport; returns a cancel. */
export function whenNearViewport(element: Element, callback: Callback): () => void {
  const io = shared();
  if (!io) {
    // No IntersectionObserver (old browser, test DOM): treat everything as visible.
    queueMicrotask(callback);
    return () => undefined;
  }
  callbacks.set(element, callback);
  io.observe(element);
  return () => {
    callbacks.delete(element);
    io.unobserve(element);
  };
}
