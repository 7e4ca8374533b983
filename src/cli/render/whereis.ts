// `wiresight whereis` as text: the owners (the one a packet reaches marked), then the path one
// hop per line with the route or bridge port and why, then how it ends. Namespace names are
// followed by their inode, since two namespaces can share a display name.

import type { TopologyIndex } from "../../model/index-topology.ts";
import type { Hop, Owner, WhereIsResult } from "../../model/where-is.ts";
import type { Style } from "./style.ts";

/** 127.0.0.1 is on every namespace's lo: past this many owners, count the rest. */
const MAX_OWNERS_SHOWN = 20;

export function renderWhereIs(r: WhereIsResult, index: TopologyIndex, s: Style): string {
  const nsName = (key: string, name: string) => {
    const ns = index.namespaces.get(key);
    return `${s.bold(name)}${ns ? s.dim(` net:[${ns.inode}]`) : ""}`;
  };
  const owner = (o: Owner) => {
    const what = o.interface ? `${s.cyan(o.interface.name)} (${o.interface.kind})` : "the namespace";
    const addr = o.address ? `  ${o.address.address}/${o.address.prefixLength}${o.address.flags.length ? s.dim(` ${o.address.flags.join(" ")}`) : ""}` : s.dim("  (local route, no address)");
    return `${what} in ${nsName(o.netns, o.netnsName)}${addr}`;
  };

  const out: string[] = [];
  const asked = r.query === r.address ? r.address : `${r.query} (${r.address})`;
  if (r.owners.length === 0) out.push(`${s.bold(asked)}: ${s.yellow("no interface on this host holds it")}`);
  else {
    out.push(`${s.bold(asked)} is owned by${r.owners.length > 1 ? ` ${r.owners.length} interfaces` : ""}:`);
    for (const o of r.owners.slice(0, MAX_OWNERS_SHOWN))
      out.push(`  ${o.reached ? s.green("→") : " "} ${owner(o)}${o.reached ? s.green("  (the path reaches this one)") : ""}`);
    if (r.owners.length > MAX_OWNERS_SHOWN) out.push(s.dim(`    … and ${r.owners.length - MAX_OWNERS_SHOWN} more (--json lists them all)`));
  }

  if (r.from) {
    const start = r.from.interface ? `${r.from.interface.name} in ${nsName(r.from.netns, r.from.netnsName)}` : nsName(r.from.netns, r.from.netnsName);
    out.push("", `Path from ${start}${r.from.as === "initial" ? " (the initial namespace)" : ""}:`);
    r.path.forEach((h, i) => out.push(`  ${String(i + 1).padStart(2)}. ${hopLine(h, s, nsName)}`));
  }
  if (r.end) {
    const ok = r.end.reason === "delivered";
    const where = r.reached ? `: ${owner(r.reached)}` : "";
    out.push(`  ${ok ? s.green("✓") : s.red("✗")} ${ok ? `delivered${where}` : `not delivered (${r.end.reason}): ${r.end.message}`}`);
  }
  for (const n of r.notes) out.push(s.dim(`note: ${n}`));
  return out.join("\n") + "\n";
}

function hopLine(h: Hop, s: Style, nsName: (key: string, name: string) => string): string {
  const inbound = h.ingress ? ` ${s.dim(`in ${h.ingress.name}`)}` : "";
  const kind = h.kind === "bridge" ? s.magenta("bridge") : h.kind === "dnat" ? s.yellow("dnat") : s.cyan("route");
  return `${nsName(h.netns, h.netnsName)}${inbound}  ${kind} ${h.note}`;
}
