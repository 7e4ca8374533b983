// What `whereIs` answers: who owns an address, where a packet from a starting point goes, and
// why (the hops with the route or bridge port chosen at each). Plain data, so that the CLI can
// print it as text or JSON and GraphQL can serve it as is.

import type { InterfaceKey, NetnsKey } from "./keys.ts";
import type { InterfaceKind } from "./topology.ts";

export interface InterfaceRef {
  key: InterfaceKey;
  name: string;
  kind: InterfaceKind;
  netns: NetnsKey;
  netnsName: string;
}

export interface Owner {
  netns: NetnsKey;
  netnsName: string;
  /** The interface holding the address; for a local route without an address (127.0.0.0/8), the route's device. */
  interface: InterfaceRef | null;
  /** The configured address (with its prefix); null when only a local route makes the namespace accept it. */
  address: { key: string; address: string; prefixLength: number; flags: string[] } | null;
  /** Whether the path from the starting point delivers the packet to this owner. */
  reached: boolean;
}

export interface RouteRef {
  key: string;
  type: string;
  /** "default" or the network address. */
  destination: string;
  prefixLength: number;
  table: number;
  tableName: string;
  priority: number;
  gateway: string | null;
  outputInterface: InterfaceKey | null;
}

export interface Hop {
  /**
   * `route`: the namespace's routing picked a route; `bridge`: a bridge switched the frame;
   * `dnat`: a forwarding (a kube-proxy service, a published port) rewrote the destination.
   */
  kind: "route" | "bridge" | "dnat";
  netns: NetnsKey;
  netnsName: string;
  /** Where the packet came in (null at the start, or for a bridge hop after routing out of the bridge itself). */
  ingress: InterfaceRef | null;
  /** `route` hops: the route chosen (null: none matched). */
  route: RouteRef | null;
  /** `bridge` hops: the bridge. */
  bridge: InterfaceRef | null;
  /** Where it leaves this hop: the route's device, or the bridge port; null when delivered here or dropped. */
  egress: InterfaceRef | null;
  /** The address the next device must own (answer ARP/ND for): the gateway, else the destination. */
  nextHop: string | null;
  /** `dnat` hops: the forwarding, its service (kube-proxy's `namespace/name:port`) and the rewrite. */
  dnat: { forwardedPort: string; service: string | null; from: string; to: string } | null;
  /** Why, in words. */
  note: string;
}

export type PathEnd =
  /** A local route (or, in a topology without local tables, an address) in the last namespace. */
  | "delivered"
  /** The route type says so. */
  | "blackhole"
  | "unreachable"
  | "prohibit"
  | "broadcast"
  | "multicast"
  /** A route type wiresight does not follow (nat, xresolve, unspec). */
  | "unsupported-route"
  | "no-route"
  /** Out through an interface wiresight does not follow (physical, tun, vxlan, macvlan …, or a veth whose peer is unknown). */
  | "leaves"
  /** The egress interface, or the veth peer behind it, is administratively down. */
  | "link-down"
  /** Nothing behind the link or bridge owns the next hop, so ARP/ND would go unanswered. */
  | "no-neighbour"
  | "loop"
  | "hop-limit";

export interface StartPoint {
  /** What the caller gave (`initial`, a namespace key or name, an interface key, an address). */
  given: string;
  as: "initial" | "netns" | "interface" | "address";
  netns: NetnsKey;
  netnsName: string;
  interface: InterfaceRef | null;
}

export interface WhereIsResult {
  /** The address as asked. */
  query: string;
  /** The destination port asked for (it selects among a service's ports and NodePorts); null when not given. */
  port: number | null;
  /** Where a forwarding on the path sent the packet instead (address, or [address]:port); null when none did. */
  translatedTo: string | null;
  /** Canonical text of the address looked up (a v4-mapped IPv6 address is looked up as IPv4). */
  address: string;
  family: "ipv4" | "ipv6";
  /** Every holder across all namespaces: the one the path reaches first, then the start namespace's, then topology order. */
  owners: Owner[];
  /** Where the path starts: `from` when given, else the initial namespace when nothing owns the address; null when no path was walked. */
  from: StartPoint | null;
  path: Hop[];
  end: { reason: PathEnd; message: string } | null;
  /** The owner the path delivers to (may hold no configured address, e.g. 127.0.0.5 on lo). */
  reached: Owner | null;
  /** On this host: some interface holds the address, or the path delivers it. */
  found: boolean;
  /** Caveats that apply to this answer (v4-mapped input, tied routes, multipath). */
  notes: string[];
}
