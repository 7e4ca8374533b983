// Forwarded ports: a host port that the kernel's NAT rules (or a userland proxy such as
// docker-proxy) send on to another address and port, usually a container's. One entry per
// distinct forwarding, however many places it was found in (a Docker port is typically both a
// DNAT rule and a docker-proxy process); `sources` lists them all.

import type { InterfaceKey, NetnsKey, ProcessKey } from "./keys.ts";
import type { Topology } from "./topology.ts";

export interface PortRange {
  first: number;
  last: number;
}

/** Who set the forwarding up, as far as names tell: Docker's chains and tables, CNI portmap, netavark. */
export type ForwardingEngine = "docker" | "cni" | "netavark";

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
  /** Every place this forwarding was found; rules first, then proxies. */
  sources: ForwardSource[];
}

/**
 * Seam for destination resolution: fills destinationNetns/destinationInterface of every forwarded
 * port from the single interface in the topology that holds the destination address. An address
 * held in several namespaces (the same container subnet used twice) stays unresolved rather than
 * guessed. The lead replaces the lookup with whereIs (which also knows routes and listening
 * sockets); the signature — the whole Topology, in place — is meant to stay.
 */
export function resolveForwardedPortDestinations(topology: Topology): void {
  const owners = new Map<string, { netns: NetnsKey; iface: InterfaceKey }[]>();
  for (const ns of topology.namespaces) {
    for (const i of ns.interfaces) {
      if (i.kind === "loopback") continue;
      for (const a of i.addresses) {
        const list = owners.get(a.address) ?? [];
        list.push({ netns: ns.key, iface: i.key });
        owners.set(a.address, list);
      }
    }
  }
  for (const p of topology.forwardedPorts) {
    const found = owners.get(p.destinationAddress);
    const only = found?.length === 1 ? found[0]! : null;
    p.destinationNetns = only?.netns ?? null;
    p.destinationInterface = only?.iface ?? null;
  }
}

export function forwardedPortKey(p: Omit<ForwardedPort, "key" | "sources" | "engine" | "destinationNetns" | "destinationInterface">): string {
  const ports = (r: PortRange | null) => (r === null ? "*" : r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`);
  const addr = (a: string | null) => (a === null ? "*" : a.includes(":") ? `[${a}]` : a);
  const dest = p.destinationAddressLast ? `${addr(p.destinationAddress)}-${addr(p.destinationAddressLast)}` : addr(p.destinationAddress);
  return `${p.netns}/fwd:${p.protocol ?? "any"}:${addr(p.hostAddress)}:${ports(p.hostPorts)}>${dest}:${ports(p.destinationPorts)}`;
}
