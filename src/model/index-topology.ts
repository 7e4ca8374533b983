// Lookups from identity keys to objects, built once per Topology so that every consumer (CLI
// tree, GraphQL resolvers, relation walks) follows a relation in O(1) instead of searching.

import type { InterfaceKey, NetnsKey, ProcessKey } from "./keys.ts";
import type { NetworkInterface, NetworkNamespace, Process, Topology } from "./topology.ts";

export interface TopologyIndex {
  topology: Topology;
  namespaces: Map<NetnsKey, NetworkNamespace>;
  interfaces: Map<InterfaceKey, NetworkInterface>;
  processes: Map<ProcessKey, Process>;
  processByPid: Map<number, Process>;
}

export function indexTopology(topology: Topology): TopologyIndex {
  const namespaces = new Map<NetnsKey, NetworkNamespace>();
  const interfaces = new Map<InterfaceKey, NetworkInterface>();
  for (const ns of topology.namespaces) {
    namespaces.set(ns.key, ns);
    for (const iface of ns.interfaces) interfaces.set(iface.key, iface);
  }
  const processes = new Map<ProcessKey, Process>();
  const processByPid = new Map<number, Process>();
  for (const p of topology.processes) {
    processes.set(p.key, p);
    processByPid.set(p.pid, p);
  }
  return { topology, namespaces, interfaces, processes, processByPid };
}
