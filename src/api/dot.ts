// `wiresight dump --format dot`: the wiring (model/wiring.ts, what the map at `/` draws) as a
// Graphviz graph: a cluster per namespace, a record-like box per interface, process and
// forwarded port, an edge per wire labelled with its kind. `dot -Tsvg` draws it.

import { groupTitle, rowLines, wireLabel, type Wiring } from "../model/wiring.ts";

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as `\n` (centred lines). */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

export function toDot(w: Wiring): string {
  const ids = new Map<string, string>();
  const out = ["graph wiresight {", "  graph [rankdir=LR, fontname=\"sans-serif\", fontsize=11];", "  node [shape=box, style=rounded, fontname=\"sans-serif\", fontsize=10];", "  edge [fontname=\"sans-serif\", fontsize=9];"];
  w.groups.forEach((g, gi) => {
    out.push(`  subgraph cluster_${gi} {`, `    label=${quote(groupTitle(g))};`);
    if (g.initial) out.push("    style=bold;");
    for (const row of g.rows) {
      const id = `n${ids.size}`;
      ids.set(row.key, id);
      const dashed = row.type === "interface" && !row.up ? ", style=\"rounded,dashed\"" : "";
      out.push(`    ${id} [label=${quote(rowLines(row).join("\n"))}${dashed}];`);
    }
    out.push("  }");
  });
  for (const wire of w.wires) {
    const [a, b] = [ids.get(wire.from), ids.get(wire.to)];
    if (a && b) out.push(`  ${a} -- ${b} [label=${quote(wireLabel(wire.kind))}];`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}
