// A diff for people: one line per entity (+ added, - removed, ~ changed) and, under a changed
// one, each field that changed with its value before and after.

import type { Topology } from "../../model/topology.ts";
import { KINDS, type Diff } from "../../store/index.ts";
import type { Style } from "./style.ts";

/** Names for keys, from both ends of the diff (a removed namespace is named as it was). */
export function namer(...topologies: Topology[]): (key: string) => string {
  const names = new Map<string, string>();
  for (const t of topologies)
    for (const ns of t.namespaces) {
      names.set(ns.key, ns.displayName);
      for (const i of ns.interfaces) names.set(i.key, `${i.name} in ${ns.displayName}`);
    }
  return (key) => names.get(key) ?? key;
}

export function renderDiff(d: Diff, header: string, nameOf: (key: string) => string, s: Style): string {
  const kinds = new Map(KINDS.map((k) => [k.name, k]));
  const counts = { added: 0, removed: 0, changed: 0 };
  const lines: string[] = [];
  for (const e of d.entities) {
    counts[e.op]++;
    const kind = kinds.get(e.kind)!;
    const what = kind.describe((e.after ?? e.before)!, nameOf);
    if (e.op === "added") lines.push(s.green(`+ ${what}`));
    else if (e.op === "removed") lines.push(s.red(`- ${what}`));
    else {
      lines.push(s.yellow(`~ ${what}`));
      for (const f of e.fields ?? []) {
        if (Array.isArray(f.before) && Array.isArray(f.after)) {
          // A list (references, flags, nexthops): what left it and what joined it.
          const was = new Set(f.before.map((v) => JSON.stringify(v)));
          const is = new Set(f.after.map((v) => JSON.stringify(v)));
          const gone = [...was].filter((v) => !is.has(v));
          const came = [...is].filter((v) => !was.has(v));
          if (gone.length + came.length === 0) lines.push(`    ${f.field}: reordered`);
          for (const v of gone) lines.push(`    ${f.field}: - ${value(JSON.parse(v), nameOf)}`);
          for (const v of came) lines.push(`    ${f.field}: + ${value(JSON.parse(v), nameOf)}`);
        } else lines.push(`    ${f.field}: ${value(f.before, nameOf)} → ${value(f.after, nameOf)}`);
      }
    }
  }
  const summary = `${header}: ${counts.added} added, ${counts.removed} removed, ${counts.changed} changed`;
  return [s.bold(summary), ...lines].join("\n") + "\n";
}

function value(v: unknown, nameOf: (key: string) => string): string {
  // A key is shown by name (a veth's new peer reads "eth0 in ns-b", not a cookie).
  if (typeof v === "string" && /^netns:/.test(v)) return nameOf(v);
  const text = JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
