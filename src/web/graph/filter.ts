// What the map shows of a wiring: the kinds the user ticked (interfaces by kind, processes using
// tun/tap devices, forwarded ports). A hidden row's children move up to its nearest shown
// ancestor; a wire with a hidden end is not drawn. Pure.

import type { Wiring, WiringRow } from "../../model/wiring.ts";

/** The filter's vocabulary: interface kinds, plus the two other row types. */
function filterKind(row: WiringRow): string {
  return row.type === "interface" ? row.kind! : row.type;
}

export function visibleWiring(w: Wiring, hidden: ReadonlySet<string>): Wiring {
  if (hidden.size === 0) return w;
  const shown = new Set<string>();
  const groups = w.groups.map((g) => {
    const byKey = new Map(g.rows.map((r) => [r.key, r]));
    const visibleParent = (r: WiringRow): string | null => {
      let p = r.parent;
      while (p !== null && hidden.has(filterKind(byKey.get(p)!))) p = byKey.get(p)!.parent;
      return p;
    };
    const depth = new Map<string, number>();
    const rows: WiringRow[] = [];
    for (const r of g.rows) {
      if (hidden.has(filterKind(r))) continue;
      const parent = visibleParent(r);
      const d = parent === null ? 0 : depth.get(parent)! + 1;
      depth.set(r.key, d);
      shown.add(r.key);
      rows.push(parent === r.parent && d === r.depth ? r : { ...r, parent, depth: d });
    }
    return { ...g, rows };
  });
  return { groups, wires: w.wires.filter((x) => shown.has(x.from) && shown.has(x.to)) };
}
