// Stable orders, so that two discoveries of an unchanged host print and dump identically:
// the initial namespace first, then by display name (what users look for), then by inode; interfaces by index; addresses IPv4 before IPv6,
// then by address; routes by family, table, destination, priority; sockets listening first, then by
// protocol, family, port and addresses; processes by PID; forwarded ports by namespace, then key; engines by PID, containers and
// container networks by engine, then name; pods by engine, namespace, name; services by namespace, then key.

import type { NetworkNamespace, PidNamespace, Topology } from "./topology.ts";

export function sortTopology(t: Topology): void {
  t.namespaces.sort(compareNamespaces);
  for (const ns of t.namespaces) sortNamespace(ns);
  const nsOrder = new Map(t.namespaces.map((ns, i) => [ns.key, i]));
  sortLists(t, (key) => nsOrder.get(key) ?? -1);
}

/** The order of namespaces: the initial one first, then by display name, inode, key. */
export function compareNamespaces(a: NetworkNamespace, b: NetworkNamespace): number {
  return Number(b.initial) - Number(a.initial) || cmp(a.displayName, b.displayName) || a.inode - b.inode || cmp(a.key, b.key);
}

/** The order of PID namespaces: outermost first, then by inode. */
export function comparePidNamespaces(a: PidNamespace, b: PidNamespace): number {
  return a.level - b.level || a.inode - b.inode || cmp(a.key, b.key);
}

/** Orders what one namespace holds (in place). */
export function sortNamespace(ns: NetworkNamespace): void {
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
  ns.containers.sort();
}

/**
 * Orders the top-level lists (in place): processes by PID; PID namespaces outermost first, then by inode; forwarded ports by their namespace's
 * position (`positionOf`), then key; engines by PID; containers and their networks by engine,
 * then name; pods by engine, Kubernetes namespace, name; services by their namespace's position, then key.
 */
export function sortLists(
  t: Pick<Topology, "processes" | "pidNamespaces" | "forwardedPorts" | "engines" | "containers" | "containerNetworks" | "pods" | "services">,
  positionOf: (netns: string) => number,
): void {
  t.processes.sort((a, b) => a.pid - b.pid);
  t.pidNamespaces.sort(comparePidNamespaces);
  t.forwardedPorts.sort((a, b) => positionOf(a.netns) - positionOf(b.netns) || cmp(a.key, b.key));
  t.engines.sort((a, b) => a.pid - b.pid || cmp(a.key, b.key));
  t.containers.sort((a, b) => cmp(a.engine, b.engine) || cmp(a.name, b.name) || cmp(a.id, b.id));
  t.containerNetworks.sort((a, b) => cmp(a.engine, b.engine) || cmp(a.name, b.name) || cmp(a.id, b.id));
  t.pods.sort((a, b) => cmp(a.engine, b.engine) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name) || cmp(a.key, b.key));
  t.services.sort((a, b) => positionOf(a.netns) - positionOf(b.netns) || cmp(a.key, b.key));
}

// Listening sockets first: what a user asks "which ports are open" about.
const SIMPLE_ORDER = { listening: 0, connected: 1, other: 2 } as const;

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
