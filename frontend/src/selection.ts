// The clips chosen for one request, as an immutable set: every change returns a new
// set (so Lit sees it) or the same one when nothing changed (so nothing re-renders).

export type Selection = ReadonlySet<string>;

export const EMPTY_SELECTION: Selection = new Set<string>();

/** Turns `id` on (checked true), off (false) or over (undefined). */
export function toggle(selection: Selection, id: string, checked?: boolean): Selection {
  const on = checked ?? !selection.has(id);
  if (on === selection.has(id)) return selection;
  const next = new Set(selection);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}

export function selectAll(ids: Iterable<string>): Selection {
  const next = new Set(ids);
  return next.size ? next : EMPTY_SELECTION;
}

/** Drops ids that are no longer offered (a clip purged, a request re-fetched). */
export function prune(selection: Selection, offered: Iterable<string>): Selection {
  if (!selection.size) return selection;
  const keep = new Set(offered);
  let dropped = false;
  for (const id of selection) {
    if (!keep.has(id)) {
      dropped = true;
      break;
    }
  }
  if (!dropped) return selection;
  return new Set([...selection].filter((id) => keep.has(id)));
}

export function allSelected(selection: Selection, ids: readonly string[]): boolean {
  return ids.length > 0 && ids.every((id) => selection.has(id));
}

/** The selected ids in the order the clips are offered (stable for the service call). */
export function orderedSelection(selection: Selection, ids: readonly string[]): string[] {
  return ids.filter((id) => selection.has(id));
}
