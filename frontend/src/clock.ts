// One shared timer for every relative time on the page ("expires in 3 days"), running
// only while something shows one. Nothing is fetched on a tick: only text changes.

export const TICK_MS = 30_000;

type Listener = () => void;

const listeners = new Set<Listener>();
let timer: ReturnType<typeof setInterval> | undefined;

export function onClockTick(listener: Listener): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => {
    for (const l of [...listeners]) l();
  }, TICK_MS);
  return () => {
    listeners.delete(listener);
    if (!listeners.size && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** For tests: how many things listen now. */
export function clockListeners(): number {
  return listeners.size;
}
