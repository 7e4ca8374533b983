// Every entity of one Topology by key and by GraphQL type, built once per Topology object (the
// live one changes object on every revision; past ones are rebuilt by the store) and remembered
// in WeakMaps, so relation fields are map lookups and a resolver given any entity object finds
// the topology it belongs to (relations must be followed in that same moment, never the live one).

import type { Container, ContainerEngine, ContainerNetwork, Pod } from "../model/containers.ts";
import type { KubeService } from "../model/kube-services.ts";
import type { ForwardedPort } from "../model/forwarded-ports.ts";
import { indexTopology, type TopologyIndex } from "../model/index-topology.ts";
import type { Address, InterfaceKind, NetworkInterface, PidNamespace, Process, Route, Socket, Topology } from "../model/topology.ts";

export interface SchemaIndex extends TopologyIndex {
  addresses: Map<string, Address>;
  routes: Map<string, Route>;
  sockets: Map<string, Socket>;
  forwardedPorts: Map<string, ForwardedPort>;
  engines: Map<string, ContainerEngine>;
  containers: Map<string, Container>;
  containerNetworks: Map<string, ContainerNetwork>;
  pods: Map<string, Pod>;
  services: Map<string, KubeService>;
  pidNamespaces: Map<string, PidNamespace>;
  /** The processes living in each PID namespace (Process.pidns, reversed). */
  processesByPidns: Map<string, Process[]>;
  /** The PID namespaces created in each (PidNamespace.parent, reversed). */
  pidnsChildren: Map<string, PidNamespace[]>;
  /** The sockets each interface can carry (Socket.interfaces, reversed). */
  socketsByInterface: Map<string, Socket[]>;
}

export const INTERFACE_TYPENAMES: Record<InterfaceKind, string> = {
  veth: "VethInterface",
  bridge: "BridgeInterface",
  macvlan: "MacvlanInterface",
  vlan: "VlanInterface",
  vxlan: "VxlanInterface",
  tuntap: "TuntapInterface",
  ipvlan: "IpvlanInterface",
  bond: "BondInterface",
  team: "TeamInterface",
  vrf: "VrfInterface",
  wireguard: "WireguardInterface",
  geneve: "GeneveInterface",
  gre: "GreInterface",
  iptunnel: "IpTunnelInterface",
  netkit: "NetkitInterface",
  physical: "PhysicalInterface",
  loopback: "LoopbackInterface",
  other: "OtherInterface",
};

interface Owner {
  typename: string;
  index: SchemaIndex;
}

const indexes = new WeakMap<Topology, SchemaIndex>();
const owners = new WeakMap<object, Owner>();

export function schemaIndex(topology: Topology): SchemaIndex {
  const known = indexes.get(topology);
  if (known) return known;
  const base = indexTopology(topology);
  const index: SchemaIndex = {
    ...base,
    addresses: new Map(),
    routes: new Map(),
    sockets: new Map(),
    forwardedPorts: new Map(topology.forwardedPorts.map((p) => [p.key, p])),
    engines: new Map(topology.engines.map((e) => [e.key, e])),
    containers: new Map(topology.containers.map((c) => [c.key, c])),
    containerNetworks: new Map(topology.containerNetworks.map((n) => [n.key, n])),
    pods: new Map(topology.pods.map((p) => [p.key, p])),
    services: new Map(topology.services.map((s) => [s.key, s])),
    pidNamespaces: new Map(topology.pidNamespaces.map((n) => [n.key, n])),
    processesByPidns: new Map(),
    pidnsChildren: new Map(),
    socketsByInterface: new Map(),
  };
  const own = (o: object, typename: string) => owners.set(o, { typename, index });
  for (const ns of topology.namespaces) {
    own(ns, "NetworkNamespace");
    for (const t of ns.tenants) own(t, "Tenant");
    for (const i of ns.interfaces) {
      own(i, INTERFACE_TYPENAMES[i.kind]);
      for (const a of i.addresses) {
        own(a, "Address");
        index.addresses.set(a.key, a);
      }
    }
    for (const r of ns.routes) {
      own(r, "Route");
      index.routes.set(r.key, r);
    }
    for (const s of ns.sockets) {
      own(s, "Socket");
      index.sockets.set(s.key, s);
      for (const k of s.interfaces) append(index.socketsByInterface, k, s);
    }
  }
  for (const p of topology.processes) {
    own(p, "Process");
    if (p.pidns !== null) append(index.processesByPidns, p.pidns, p);
  }
  for (const n of topology.pidNamespaces) {
    own(n, "PidNamespace");
    if (n.parent !== null) append(index.pidnsChildren, n.parent, n);
  }
  for (const p of topology.forwardedPorts) own(p, "ForwardedPort");
  for (const e of topology.engines) own(e, "ContainerEngine");
  for (const c of topology.containers) own(c, "Container");
  for (const n of topology.containerNetworks) own(n, "ContainerNetwork");
  for (const p of topology.pods) own(p, "Pod");
  for (const s of topology.services) own(s, "Service");
  own(topology, "Topology");
  indexes.set(topology, index);
  return index;
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The GraphQL type of an entity object of an indexed topology. */
export function typenameOf(o: object): string | undefined {
  return owners.get(o)?.typename;
}

/** The index of the topology an entity object belongs to (it must come from an indexed topology). */
export function indexOf(o: object): SchemaIndex {
  const owner = owners.get(o);
  if (!owner) throw new Error("internal: an entity object from a topology that was not indexed");
  return owner.index;
}

/** The entity a node id's type name and key name, in this topology; null when absent. */
export function lookupNode(index: SchemaIndex, typename: string, key: string): object | null {
  const found = (() => {
    switch (typename) {
      case "NetworkNamespace":
        return index.namespaces.get(key);
      case "Address":
        return index.addresses.get(key);
      case "Route":
        return index.routes.get(key);
      case "Socket":
        return index.sockets.get(key);
      case "Process":
        return index.processes.get(key);
      case "PidNamespace":
        return index.pidNamespaces.get(key);
      case "ForwardedPort":
        return index.forwardedPorts.get(key);
      case "ContainerEngine":
        return index.engines.get(key);
      case "Container":
        return index.containers.get(key);
      case "ContainerNetwork":
        return index.containerNetworks.get(key);
      case "Pod":
        return index.pods.get(key);
      case "Service":
        return index.services.get(key);
      default:
        // An interface's id names its concrete type: a different kind under the same key is a
        // different interface.
        return typename.endsWith("Interface") ? index.interfaces.get(key) : undefined;
    }
  })();
  return found && typenameOf(found) === typename ? found : null;
}

/** The entity with this identity key in this topology, whatever its kind; null when absent. */
export function nodeByKey(index: SchemaIndex, key: string): object | null {
  return (
    index.namespaces.get(key) ??
    index.interfaces.get(key) ??
    index.addresses.get(key) ??
    index.routes.get(key) ??
    index.sockets.get(key) ??
    index.processes.get(key) ??
    index.pidNamespaces.get(key) ??
    index.containers.get(key) ??
    index.engines.get(key) ??
    index.containerNetworks.get(key) ??
    index.forwardedPorts.get(key) ??
    null
  );
}

export function isNodeTypename(typename: string): boolean {
  return (
    ["NetworkNamespace", "Address", "Route", "Socket", "Process", "PidNamespace", "ForwardedPort", "ContainerEngine", "Container", "ContainerNetwork", "Pod", "Service"].includes(typename) ||
    Object.values(INTERFACE_TYPENAMES).includes(typename)
  );
}

/** The GraphQL type name a store change event's entity has (for its node id). */
export function typenameOfStoreKind(kind: string, attrs: Record<string, unknown> | undefined): string | null {
  switch (kind) {
    case "namespace":
      return "NetworkNamespace";
    case "interface":
      return INTERFACE_TYPENAMES[(attrs?.kind as InterfaceKind) ?? "other"] ?? "OtherInterface";
    case "address":
      return "Address";
    case "route":
      return "Route";
    case "socket":
      return "Socket";
    case "process":
      return "Process";
    case "PID namespace":
      return "PidNamespace";
    case "forwarded port":
      return "ForwardedPort";
    case "engine":
      return "ContainerEngine";
    case "container":
      return "Container";
    case "container network":
      return "ContainerNetwork";
    case "pod":
      return "Pod";
    case "service":
      return "Service";
    default:
      return null;
  }
}
