// Two moments on one picture: the wiring at the later moment with what was there only at the
// earlier one put back (ghosted), and a mark per element: added (green), removed (red), changed
// (amber). Groups, rows and wires that exist at only one moment are added or removed; an element
// that exists at both is changed when the diff names it or an entity drawn inside it (an
// address of an interface, a container of a namespace). Routes, sockets and the like are not
// drawn: they show in the side panel only. Pure.

import type { Wire, Wiring, WiringGroup, WiringRow } from "../../model/wiring.ts";

export type Mark = "added" | "removed" | "changed";

/** One entity of a diff or a revision, as queries.ts asks for it. */
export interface EntityChange {
  kind: string;
  op: "ADDED" | "REMOVED" | "CHANGED";
  key: string;
  fields?: { field: string; before: unknown; after: unknown }[];
  after?: unknown;
  before?: unknown;
}

/** The key of the group or row an entity change shows on, or null when the map does not draw it. */
export function elementOf(change: Pick<EntityChange, "kind" | "key" | "after" | "before">, rows: ReadonlySet<string>): string | null {
  switch (change.kind) {
    case "NAMESPACE":
    case "INTERFACE":
    case "FORWARDED_PORT":
      return change.key;
    case "ADDRESS": {
      const at = change.key.indexOf("/addr:");
      return at < 0 ? null : change.key.slice(0, at);
    }
    case "PROCESS":
      return rows.has(change.key) ? change.key : null;
    case "CONTAINER": {
      const version = (change.after ?? change.before) as { netns?: unknown } | undefined;
      return typeof version?.netns === "string" ? version.netns : null;
    }
    default:
      return null;
  }
}

function rowKeys(w: Wiring): Set<string> {
  return new Set(w.groups.flatMap((g) => g.rows.map((r) => r.key)));
}

export function diffWiring(before: Wiring, after: Wiring, changes: readonly EntityChange[]): { wiring: Wiring; marks: Map<string, Mark> } {
  const marks = new Map<string, Mark>();
  const beforeGroups = new Map(before.groups.map((g) => [g.key, g]));
  const afterGroups = new Set(after.groups.map((g) => g.key));
  const afterRows = rowKeys(after);
  const beforeRows = rowKeys(before);

  const groups: WiringGroup[] = after.groups.map((g) => {
    const old = beforeGroups.get(g.key);
    if (!old) {
      marks.set(g.key, "added");
      for (const r of g.rows) marks.set(r.key, "added");
      return g;
    }
    for (const r of g.rows) if (!beforeRows.has(r.key)) marks.set(r.key, "added");
    const gone: WiringRow[] = old.rows.filter((r) => !afterRows.has(r.key)).map((r) => ({ ...r, parent: null, depth: 0 }));
    for (const r of gone) marks.set(r.key, "removed");
    return gone.length > 0 ? { ...g, rows: [...g.rows, ...gone] } : g;
  });
  for (const g of before.groups) {
    if (afterGroups.has(g.key)) continue;
    marks.set(g.key, "removed");
    for (const r of g.rows) marks.set(r.key, "removed");
    groups.push(g);
  }

  const afterWires = new Set(after.wires.map((w) => w.key));
  const beforeWires = new Set(before.wires.map((w) => w.key));
  const wires: Wire[] = [...after.wires];
  for (const w of after.wires) if (!beforeWires.has(w.key)) marks.set(w.key, "added");
  for (const w of before.wires) {
    if (afterWires.has(w.key)) continue;
    marks.set(w.key, "removed");
    wires.push(w);
  }

  const drawn = new Set([...afterRows, ...beforeRows]);
  for (const c of changes) {
    const element = elementOf(c, drawn);
    if (element !== null && !marks.has(element) && (drawn.has(element) || afterGroups.has(element) || beforeGroups.has(element))) marks.set(element, "changed");
  }
  return { wiring: { groups, wires }, marks };
}
