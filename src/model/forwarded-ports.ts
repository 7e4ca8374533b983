// Forwarded ports: a host port that the kernel's NAT rules (or a userland proxy such as
// docker-proxy) send on to another address and port, usually a container's. One entry per
// distinct forwarding, however many places it was found in (a Docker port is typically both a
// DNAT rule and a docker-proxy process); `sources` lists them all.

import type { InterfaceKey, NetnsKey, ProcessKey } from "./keys.ts";
import type { Socket, SocketKey } from "./socket.ts";
import type { Topology } from "./topology.ts";
import type { ServiceAccess, ServiceKey } from "./kube-services.ts";
import { indexTopology, type TopologyIndex } from "./index-topology.ts";
import { whereIs } from "./where-is.ts";

export interface PortRange {
  first: number;
  last: number;
}

/** Who set the forwarding up, as far as names tell: Docker's chains and tables, CNI portmap, netavark, kube-proxy. */
export type ForwardingEngine = "docker" | "cni" | "netavark" | "kube-proxy";

export type ForwardSource =
  | {
      kind: "nft-rule";
      /** nf_tables family of the table: ip, ip6, inet. */
      family: string;
      table: string;
      chain: string;
      /** The rule's handle (`nft -a list chain …` shows it). */
      handle: number;
      /** "nft" for a native dnat expression, "xt" for an iptables-nft DNAT target blob. */
      form: "nft" | "xt";
      engine: ForwardingEngine | null;
    }
  | { kind: "proxy"; process: ProcessKey; pid: number; engine: ForwardingEngine | null };

export interface ForwardedPort {
  key: string;
  /** The namespace whose rules (or proxy process) hold the forwarding: where packets arrive. */
  netns: NetnsKey;
  family: "ipv4" | "ipv6";
  /** tcp, udp, sctp…; null when the rule matches every protocol. */
  protocol: string | null;
  /** The local address the rule matches (ip daddr / docker-proxy -host-ip); null for any. */
  hostAddress: string | null;
  /** The ports matched; null when the rule matches every port. */
  hostPorts: PortRange | null;
  destinationAddress: string;
  /** The last address of a DNAT address range; null for a single address. */
  destinationAddressLast: string | null;
  /** Where the ports go; equal to hostPorts when the rule keeps the port, null when both are null. */
  destinationPorts: PortRange | null;
  /** Docker, CNI or netavark when any source says so. */
  engine: ForwardingEngine | null;
  /** Resolved from the destination address (see resolveForwardedPortDestinations). */
  destinationNetns: NetnsKey | null;
  destinationInterface: InterfaceKey | null;
  /**
   * The listening sockets at the destination that would take the forwarded traffic: in
   * destinationNetns, same protocol, a port in destinationPorts, bound to the destination
   * address or a wildcard (an IPv6 wildcard only when it is dual-stack). Their `processes` say
   * who answers. Empty when the destination is unresolved or nothing listens there.
   */
  listeners: SocketKey[];
  /** Every place this forwarding was found; rules first, then proxies. */
  sources: ForwardSource[];
  /**
   * A Kubernetes service's forwarding (kube-proxy): the service (key and kube-proxy's
   * `namespace/name:port`) and how this forwarding reaches it. Null for every other forwarding.
   */
  service: { key: ServiceKey; name: string; access: ServiceAccess } | null;
}

/**
 * Fills destinationNetns / destinationInterface / listeners of forwarded ports (`which`: all of
 * the topology's by default), in place.
 * The destination is where whereIs says a packet to the destination address goes, starting from
 * the namespace that holds the forwarding (routes, veth peers, bridge ports); where no path
 * delivers it, the one interface holding the address, if exactly one does — an address held in
 * several namespaces (the same container subnet used twice) stays unresolved rather than guessed.
 */
export function resolveForwardedPortDestinations(topology: Topology, which: readonly ForwardedPort[] = topology.forwardedPorts): void {
  if (which.length === 0) return;
  const index = indexTopology(topology);
  for (const p of which) resolveDestination(index, p);
}

function resolveDestination(index: TopologyIndex, p: ForwardedPort): void {
  let netns: NetnsKey | null = null;
  let iface: InterfaceKey | null = null;
  try {
    const r = whereIs(index, p.destinationAddress, { from: p.netns, followForwardings: false });
    const nonLoopback = r.owners.filter((o) => o.interface?.kind !== "loopback");
    const owner = r.reached ?? (nonLoopback.length === 1 ? nonLoopback[0]! : null);
    netns = owner?.netns ?? null;
    iface = owner?.interface?.key ?? null;
  } catch {
    // An address whereIs cannot parse (never from our own decoders) leaves the port unresolved.
  }
  p.destinationNetns = netns;
  p.destinationInterface = iface;
  const ns = netns ? index.namespaces.get(netns) : undefined;
  p.listeners = ns ? ns.sockets.filter((s) => listensFor(p, s)).map((s) => s.key) : [];
}

/** Whether socket `s` (in the destination namespace) would accept what `p` forwards. */
function listensFor(p: ForwardedPort, s: Socket): boolean {
  if (s.simpleState !== "listening") return false;
  if (p.protocol !== null && p.protocol !== s.protocol) return false;
  const ports = p.destinationPorts ?? p.hostPorts;
  if (ports !== null && (s.localPort < ports.first || s.localPort > ports.last)) return false;
  if (s.localAddress === p.destinationAddress) return true;
  if (p.family === "ipv4") return s.localAddress === "0.0.0.0" || (s.localAddress === "::" && s.dualStack);
  return s.localAddress === "::";
}

export function forwardedPortKey(p: Omit<ForwardedPort, "key" | "sources" | "engine" | "destinationNetns" | "destinationInterface" | "listeners" | "service">): string {
  const ports = (r: PortRange | null) => (r === null ? "*" : r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`);
  const addr = (a: string | null) => (a === null ? "*" : a.includes(":") ? `[${a}]` : a);
  const dest = p.destinationAddressLast ? `${addr(p.destinationAddress)}-${addr(p.destinationAddressLast)}` : addr(p.destinationAddress);
  return `${p.netns}/fwd:${p.protocol ?? "any"}:${addr(p.hostAddress)}:${ports(p.hostPorts)}>${dest}:${ports(p.destinationPorts)}`;
}
