// The underlay of a tunnel that names no device (geneve; GRE and IP-in-IP tunnels without `dev`):
// the interface its encapsulated packets leave through, which is wherever the route to its
// remote leads — the same FIB lookup the kernel does per packet, redone on the discovered routes
// (model/route-lookup.ts, with its stated limits: default policy rules only). The lookup happens in
// the namespace the tunnel sends from: its IFLA_LINK_NETNSID namespace when it was moved after
// creation, else its own.
//
// Incremental like relate() (relations.ts), and run right after it on the same namespaces: an
// edge's forward end (the tunnel's underlay) is written if the tunnel's namespace is affected, its
// reverse end (the underlay's overlays) if the sending namespace is. The sending namespace's routes
// decide the edge, so when they are read anew the namespaces of the tunnels sending from it must
// be affected too (sendsFrom tells the assembly which).

import type { NetnsKey } from "../../model/keys.ts";
import { tryParseIp } from "../../model/ip.ts";
import { lookupRoute } from "../../model/route-lookup.ts";
import type { NetworkInterface, Route } from "../../model/topology.ts";
import type { RtLink } from "../../netlink/index.ts";
import { moduleOfLink } from "./kinds/index.ts";
import { compareKeys, type RelationNamespace } from "./relations.ts";

export interface TunnelNamespace extends RelationNamespace {
  routes: readonly Route[];
}

/** A tunnel whose data names no underlay device: the route to its remote decides. */
function routedTunnel(l: RtLink): boolean {
  const kind = moduleOfLink(l);
  return kind?.remote !== undefined && !kind.underlay?.(l);
}

/** The namespace a link's tunnel sends from: its own, or the one its IFLA_LINK_NETNSID means. */
function sendingNamespace(l: RtLink, own: NetnsKey, nsids: ReadonlyMap<number, NetnsKey | null>): NetnsKey | null {
  if (l.linkNetnsid === undefined || l.linkNetnsid < 0) return own;
  return nsids.get(l.linkNetnsid) ?? null;
}

/** Whether a namespace holds a tunnel that sends from `from` (whose routes then decide its underlay). */
export function sendsFrom(own: NetnsKey, ns: RelationNamespace, from: NetnsKey): boolean {
  return ns.links.some((l) => routedTunnel(l) && sendingNamespace(l, own, ns.nsids) === from);
}

/**
 * Sets the route-found underlay (and the reverse overlay) of the tunnels in `sources`, for the
 * ends in `affected` — after relate() cleared and related those namespaces, with the same sets.
 */
export function relateTunnelUnderlays(affected: ReadonlySet<NetnsKey>, sources: Iterable<NetnsKey>, get: (key: NetnsKey) => TunnelNamespace | undefined): void {
  const touched = new Set<NetworkInterface>();
  for (const sourceKey of sources) {
    const source = get(sourceKey);
    if (!source) continue;
    for (const l of source.links) {
      if (!routedTunnel(l)) continue;
      const tunnel = source.byIndex.get(l.index);
      const fromKey = sendingNamespace(l, sourceKey, source.nsids);
      const forward = affected.has(sourceKey);
      if (!tunnel || fromKey === null || !(forward || affected.has(fromKey))) continue;
      const remote = moduleOfLink(l)!.remote!(tunnel.details);
      const target = remote ? tryParseIp(remote) : null;
      const from = get(fromKey);
      const match = target && from ? lookupRoute(from, target, tryParseIp) : null;
      if (!match || match.route.type !== "unicast") continue;
      const out = match.route.outputInterface ?? match.route.nexthops[0]?.outputInterface ?? null;
      let underlay: NetworkInterface | undefined;
      for (const i of from!.byIndex.values()) if (i.key === out) underlay = i;
      if (!underlay || underlay === tunnel) continue;
      if (forward) tunnel.relations.underlay = underlay.key;
      if (affected.has(fromKey)) {
        underlay.relations.overlays.push(tunnel.key);
        touched.add(underlay);
      }
    }
  }
  for (const u of touched) u.relations.overlays.sort(compareKeys);
}
