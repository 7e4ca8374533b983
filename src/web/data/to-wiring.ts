// The map's topology answer (queries.ts MAP_TOPOLOGY) as the WiringTopology that model/wiring.ts
// reads, so the map draws exactly what `dump --format dot|mermaid` exports. GraphQL spells
// vocabularies as enums (VETH, COMPOSE_PROJECT) and relations as objects ({ key }); the model
// as the dump does (veth, compose-project) and as keys. Pure.

import type { InterfaceKind } from "../../model/topology.ts";
import type { WiringTopology } from "../../model/wiring.ts";

type Ref = { key: string } | null;

export interface TopologyAnswer {
  topology: {
    revision: number | null;
    discoveredAt: string;
    host: { hostname: string };
    namespaces: {
      id: string;
      key: string;
      displayName: string;
      initial: boolean;
      containers: { key: string }[];
      interfaces: {
        id: string;
        key: string;
        netns: string;
        index: number;
        name: string;
        kind: string;
        operState: string;
        up: boolean;
        addresses: { address: string; prefixLength: number }[];
        users: { key: string; pid: number; comm: string; netns: string | null }[];
        peer: Ref;
        bridge: Ref;
        master: Ref;
        controller: Ref;
        underlay: Ref;
        containerNetwork?: { name: string } | null;
      }[];
    }[];
    containers: { key: string; name: string; image: string; groups: { kind: string; name: string; namespace: string | null }[] }[];
    forwardedPorts: {
      id: string;
      key: string;
      netns: string;
      protocol: string | null;
      hostAddress: string | null;
      hostPorts: { first: number; last: number } | null;
      destinationAddress: string;
      destinationPorts: { first: number; last: number } | null;
      destinationInterface: Ref;
    }[];
  };
}

const key = (r: Ref) => r?.key ?? null;

/** `COMPOSE_PROJECT` → `compose-project`, `VETH` → `veth`. */
function word(e: string): string {
  return e.toLowerCase().replace(/_/g, "-");
}

export function toWiringTopology(a: TopologyAnswer): WiringTopology {
  const processes = new Map<string, WiringTopology["processes"][number]>();
  const namespaces = a.topology.namespaces.map((ns) => ({
    key: ns.key,
    displayName: ns.displayName,
    initial: ns.initial,
    containers: ns.containers.map((c) => c.key),
    interfaces: ns.interfaces.map((i) => {
      for (const u of i.users) processes.set(u.key, { key: u.key, pid: u.pid, comm: u.comm, netns: u.netns });
      return {
        key: i.key,
        netns: i.netns,
        index: i.index,
        name: i.name,
        kind: word(i.kind) as InterfaceKind,
        operState: i.operState,
        up: i.up,
        users: i.users.map((u) => u.key),
        addresses: i.addresses,
        relations: { peer: key(i.peer), bridge: key(i.bridge), master: key(i.master), controller: key(i.controller), underlay: key(i.underlay) },
        containerNetwork: i.containerNetwork ?? null,
      };
    }),
  }));
  return {
    namespaces,
    processes: [...processes.values()],
    containers: a.topology.containers.map((c) => ({
      key: c.key,
      name: c.name,
      image: c.image,
      groups: c.groups.map((g) => (g.kind === "KUBERNETES_POD" ? { kind: "kubernetes-pod" as const, name: g.name, namespace: g.namespace ?? "" } : { kind: "compose-project" as const, name: g.name })),
    })),
    forwardedPorts: a.topology.forwardedPorts.map((p) => ({
      key: p.key,
      netns: p.netns,
      protocol: p.protocol,
      hostAddress: p.hostAddress,
      hostPorts: p.hostPorts,
      destinationAddress: p.destinationAddress,
      destinationPorts: p.destinationPorts,
      destinationInterface: key(p.destinationInterface),
    })),
  };
}

/** Node ids by identity key (for detail queries and /capture targets). */
export function nodeIds(a: TopologyAnswer): Map<string, string> {
  const ids = new Map<string, string>();
  for (const ns of a.topology.namespaces) {
    ids.set(ns.key, ns.id);
    for (const i of ns.interfaces) ids.set(i.key, i.id);
  }
  for (const p of a.topology.forwardedPorts) ids.set(p.key, p.id);
  return ids;
}
