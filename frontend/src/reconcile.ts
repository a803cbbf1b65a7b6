// Keeps the objects of a re-fetched list identical (===) to the previous ones when
// their content did not change, so Lit re-renders only the items that did.

/** Deep equality for JSON values (what the WebSocket API returns). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, i) => jsonEqual(value, b[i]));
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  const ra = a as Record<string, unknown>;
  return ka.every((key) => Object.prototype.hasOwnProperty.call(rb, key) && jsonEqual(ra[key], rb[key]));
}

/** `next` with every item equal to its previous version (same key) replaced by that version. */
export function reconcile<T>(previous: readonly T[] | undefined, next: T[], key: (item: T) => string): T[] {
  if (!previous?.length) return next;
  const byKey = new Map(previous.map((item) => [key(item), item]));
  let same = previous.length === next.length;
  const result = next.map((item, i) => {
    const old = byKey.get(key(item));
    if (old !== undefined && jsonEqual(old, item)) {
      if (previous[i] !== old) same = false;
      return old;
    }
    same = false;
    return item;
  });
  return same ? (previous as T[]) : result;
}
