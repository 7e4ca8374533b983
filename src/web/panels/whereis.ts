// whereIs from the search box: the owners of an address and the path a packet takes there, hop by
// hop, listed in the side panel and drawn on the map (the namespaces, interfaces and bridges on
// the way, and the wires between them).

import type { Wiring } from "../../model/wiring.ts";
import { esc } from "./html.ts";

/* eslint-disable @typescript-eslint/no-explicit-any -- the answer's shape is the query's */
export type WhereIsAnswer = any;

/** The keys of the groups, rows and wires on the path (and the owners). */
export function pathElements(r: WhereIsAnswer, w: Wiring): Set<string> {
  const keys = new Set<string>();
  for (const hop of r.path) {
    keys.add(hop.netns);
    for (const i of [hop.ingress, hop.bridge, hop.egress]) if (i) keys.add(i.key);
  }
  for (const o of r.owners) {
    if (o.interface) keys.add(o.interface.key);
    keys.add(o.netns);
  }
  for (const wire of w.wires) if (keys.has(wire.from) && keys.has(wire.to)) keys.add(wire.key);
  return keys;
}

export function whereIsHtml(r: WhereIsAnswer, from: string): string {
  const owners = r.owners.map((o: any) => `<li>${esc(o.interface?.name ?? "?")} in ${esc(o.namespace?.displayName ?? o.netns)}${o.reached ? " <b>(reached)</b>" : ""}</li>`).join("");
  const hops = r.path
    .map(
      (h: any) =>
        `<li><span class="hop">${esc(h.kind.toLowerCase())}</span> ${esc(h.namespace?.displayName ?? h.netns)}${h.ingress ? ` in ${esc(h.ingress.name)}` : ""}${h.bridge ? ` via bridge ${esc(h.bridge.name)}` : ""}${h.egress ? ` out ${esc(h.egress.name)}` : ""}${h.route ? ` (route ${esc(h.route.destination)}/${esc(h.route.prefixLength)})` : ""}<br><small>${esc(h.note)}</small></li>`,
    )
    .join("");
  return `<h2>where is ${esc(r.address)} <span class="sub">from ${esc(from)}</span></h2>
    <h3>Owners</h3>${owners ? `<ul>${owners}</ul>` : `<p class="empty">nobody holds it</p>`}
    <h3>Path</h3>${hops ? `<ol class="path">${hops}</ol>` : `<p class="empty">no path</p>`}
    ${r.end ? `<p class="end">${esc(r.end.reason.toLowerCase().replace(/_/g, " "))}: ${esc(r.end.message)}</p>` : ""}`;
}
