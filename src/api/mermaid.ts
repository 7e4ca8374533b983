// `wiresight dump --format mermaid`: the wiring (model/wiring.ts, what the map at `/` draws) as a
// Mermaid flowchart, which GitHub, GitLab and most wikis render from a ```mermaid block: a
// subgraph per namespace, a node per interface, process and forwarded port, a link per wire
// labelled with its kind.

import { groupTitle, rowLines, wireLabel, type Wiring } from "../model/wiring.ts";

/**
 * Text inside a Mermaid `"…"` label: Mermaid reads `#name;` entity codes there, so quotes and the
 * characters its markdown-ish labels treat specially are written as codes; lines join with <br>.
 */
function label(lines: string[]): string {
  const esc = (s: string) => s.replace(/#/g, "#35;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;").replace(/`/g, "#96;").replace(/\*/g, "#42;").replace(/_/g, "#95;");
  return `"${lines.map(esc).join("<br>")}"`;
}

export function toMermaid(w: Wiring): string {
  const ids = new Map<string, string>();
  const out = ["flowchart LR"];
  w.groups.forEach((g, gi) => {
    out.push(`  subgraph g${gi}[${label(groupTitle(g).split("\n"))}]`, "    direction TB");
    for (const row of g.rows) {
      const id = `n${ids.size}`;
      ids.set(row.key, id);
      out.push(`    ${id}[${label(rowLines(row))}]`);
    }
    out.push("  end");
  });
  for (const wire of w.wires) {
    const [a, b] = [ids.get(wire.from), ids.get(wire.to)];
    if (a && b) out.push(`  ${a} ---|${label([wireLabel(wire.kind)])}| ${b}`);
  }
  return `${out.join("\n")}\n`;
}
