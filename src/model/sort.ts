// Stable orders, so that two discoveries of an unchanged host print and dump identically:
// the initial namespace first, then by display name (what users look for), then by inode; interfaces by index; addresses IPv4 before IPv6,
// then by address; routes by family, table, destination, priority; sockets listening first, then by
// protocol, family, port and addresses; processes by PID; forwarded ports by namespace, then key; engines by PID, containers and
// container networks by engine, then name.

import type { Topology } from "./topology.ts";

export function sortTopology(t: Topology): void {
  t.namespaces.sort((a, b) => Number(b.initial) - Number(a.initial) || cmp(a.displayName, b.displayName) || a.inode - b.inode || cmp(a.key, b.key));
  for (const ns of t.namespaces) {
    ns.interfaces.sort((a, b) => a.index - b.index);
    for (const i of ns.interfaces) i.addresses.sort((a, b) => cmp(a.family, b.family) || cmp(a.address, b.address) || a.prefixLength - b.prefixLength);
    ns.routes.sort(
      (a, b) =>
        cmp(a.family, b.family) ||
        a.table - b.table ||
        cmp(a.destination, b.destination) ||
        a.prefixLength - b.prefixLength ||
        a.priority - b.priority ||
        cmp(a.key, b.key),
    );
    ns.nsids.sort((a, b) => a.nsid - b.nsid);
    ns.sockets.sort(
      (a, b) =>
        SIMPLE_ORDER[a.simpleState] - SIMPLE_ORDER[b.simpleState] ||
        cmp(a.protocol, b.protocol) ||
        cmp(a.family, b.family) ||
        a.localPort - b.localPort ||
        cmp(a.localAddress, b.localAddress) ||
        cmp(a.remoteAddress, b.remoteAddress) ||
        a.remotePort - b.remotePort ||
        cmp(a.key, b.key),
    );
  }
  t.processes.sort((a, b) => a.pid - b.pid);
  t.pidNamespaces.sort((a, b) => a.level - b.level || a.inode - b.inode || cmp(a.key, b.key));
  const nsOrder = new Map(t.namespaces.map((ns, i) => [ns.key, i]));
  t.forwardedPorts.sort((a, b) => (nsOrder.get(a.netns) ?? -1) - (nsOrder.get(b.netns) ?? -1) || cmp(a.key, b.key));
  // Engines by PID; containers and their networks by engine, then name.
  t.engines.sort((a, b) => a.pid - b.pid || cmp(a.key, b.key));
  t.containers.sort((a, b) => cmp(a.engine, b.engine) || cmp(a.name, b.name) || cmp(a.id, b.id));
  t.containerNetworks.sort((a, b) => cmp(a.engine, b.engine) || cmp(a.name, b.name) || cmp(a.id, b.id));
  t.pods.sort((a, b) => cmp(a.engine, b.engine) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.key, b.key));
  t.services.sort((a, b) => (nsOrder.get(a.netns) ?? -1) - (nsOrder.get(b.netns) ?? -1) || cmp(a.key, b.key));
  for (const ns of t.namespaces) ns.containers.sort();
}

// Listening sockets first: what a user asks "which ports are open" about.
const SIMPLE_ORDER = { listening: 0, connected: 1, other: 2 } as const;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
