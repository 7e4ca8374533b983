// The underlay of a tunnel that names no device (geneve; GRE and IP-in-IP tunnels without `dev`):
// the interface its encapsulated packets leave through, which is wherever the route to its
// remote leads — the same FIB lookup the kernel does per packet, redone on the discovered routes
// (model/route-lookup.ts, with its stated limits: default policy rules only). The lookup happens in
// the namespace the tunnel sends from: its IFLA_LINK_NETNSID namespace when it was moved after
// creation, else its own. Runs after resolveRelations, so a device the tunnel's data names wins.

import { tryParseIp } from "../../model/ip.ts";
import { lookupRoute } from "../../model/route-lookup.ts";
import type { NetworkInterface, NetworkNamespace } from "../../model/topology.ts";
import { KIND_MODULES } from "./kinds/index.ts";
import { compareKeys } from "./relations.ts";

export function resolveTunnelUnderlays(namespaces: NetworkNamespace[]): void {
  const byKey = new Map(namespaces.map((ns) => [ns.key, ns]));
  const interfaces = new Map(namespaces.flatMap((ns) => ns.interfaces.map((i) => [i.key, i] as const)));
  const touched = new Set<NetworkInterface>();
  for (const ns of namespaces) {
    for (const tunnel of ns.interfaces) {
      if (tunnel.relations.underlay !== null) continue;
      const remote = KIND_MODULES[tunnel.kind].remote?.(tunnel.details);
      const target = remote ? tryParseIp(remote) : null;
      if (!target) continue;
      const from = sendingNamespace(ns, tunnel, byKey);
      const match = from && lookupRoute(from, target, tryParseIp);
      if (!match || match.route.type !== "unicast") continue;
      const out = match.route.outputInterface ?? match.route.nexthops[0]?.outputInterface ?? null;
      const underlay = out === null ? undefined : interfaces.get(out);
      if (!underlay || underlay === tunnel) continue;
      tunnel.relations.underlay = underlay.key;
      underlay.relations.overlays.push(tunnel.key);
      touched.add(underlay);
    }
  }
  for (const u of touched) u.relations.overlays.sort(compareKeys);
}

function sendingNamespace(ns: NetworkNamespace, tunnel: NetworkInterface, byKey: Map<string, NetworkNamespace>): NetworkNamespace | undefined {
  const nsid = tunnel.raw.linkNetnsid;
  if (nsid === null || nsid < 0) return ns;
  const key = ns.nsids.find((n) => n.nsid === nsid)?.netns;
  return key ? byKey.get(key) : undefined;
}
