// whereIs: which namespaces and interfaces own an address, and where a packet from a starting
// point would go — hop by hop, with the route or bridge port chosen at each, so users see why.
// Pure: it reads a Topology (the current one or a past one from the store) and nothing else.
//
// The walk, per namespace: the route lookup of route-lookup.ts (default policy rules only; see
// there for what that ignores). A local route delivers. A unicast route sends the packet out of
// its device towards its next hop (the gateway, else the destination itself):
//   - a veth: across to its peer. If the peer is a bridge port, the bridge switches it on;
//     otherwise the peer's namespace must own the next hop (it answers ARP/ND for any of its
//     addresses, the kernel's default arp_ignore=0), and routes again there.
//   - a bridge: the bridge switches the frame to the port behind which the next hop lives: a veth
//     whose peer holds it, or whose peer's namespace does, through nested bridges if need be;
//     the bridge itself when its own namespace holds it.
//   - anything else (physical, tun/tap, vxlan, macvlan…): the packet leaves what wiresight follows.
// Before routing in a namespace, a forwarding discovery found there (a kube-proxy service's
// ClusterIP, a NodePort or published port when a port is given) rewrites the destination, once
// per path, as netfilter's DNAT does. Otherwise it assumes forwarding is on in namespaces the
// packet crosses and no firewall drops it: the ip_forward sysctl and filter rules are not in the
// Topology.

import { addressOwners, type AddressOwners, type Holder } from "./address-owners.ts";
import { indexTopology, type TopologyIndex } from "./index-topology.ts";
import { IpParseError, formatIp, isV4Mapped, parseIp, unmapV4, type Ip } from "./ip.ts";
import { hasLocalTable, lookupRoute } from "./route-lookup.ts";
import type { ForwardedPort } from "./forwarded-ports.ts";
import type { NetworkInterface, NetworkNamespace, Route, Topology } from "./topology.ts";
import { WhereIsError, interfaceRef, resolveStart } from "./where-is-from.ts";
import type { Hop, InterfaceRef, Owner, PathEnd, RouteRef, StartPoint, WhereIsResult } from "./where-is-types.ts";

export { WhereIsError, IpParseError };
export type * from "./where-is-types.ts";

/** Namespace visits before giving up: more than any real chain of namespaces, like a TTL. */
export const MAX_HOPS = 64;

export interface WhereIsOptions {
  /** Where the packet starts: "initial", a namespace key/name/inode, an interface key, or an address. */
  from?: string;
  /** The destination port: picks the forwarding (service port, NodePort, published port) that applies. */
  port?: number;
  /**
   * Follow forwardings (DNAT) met on the way; default true. Resolving a forwarding's own
   * destination turns it off: that address is already the rewritten one.
   */
  followForwardings?: boolean;
}

/**
 * Throws IpParseError for an address that does not parse, WhereIsError for an unknown or
 * ambiguous `from`. Everything else (no owner, no route, a loop) is an answer, not an error.
 */
export function whereIs(topology: Topology | TopologyIndex, address: string, options: WhereIsOptions = {}): WhereIsResult {
  const idx = "topology" in topology ? topology : indexTopology(topology);
  const asked = parseIp(address);
  const target = unmapV4(asked);
  const owners = addressOwners(idx.topology);
  const notes: string[] = [];
  if (isV4Mapped(asked)) notes.push(`${formatIp(asked)} is IPv4-mapped: a dual-stack socket sends it as IPv4 to ${formatIp(target)}`);

  const start = options.from !== undefined ? resolveStart(idx, owners, options.from) : null;
  const holders = owners.holders(target);
  const result: WhereIsResult = {
    query: address,
    port: options.port ?? null,
    translatedTo: null,
    address: formatIp(target),
    family: target.family,
    owners: [],
    from: null,
    path: [],
    end: null,
    reached: null,
    found: false,
    notes,
  };

  // Without a starting point, the owners are the answer; only when there are none does a path
  // from the host's own namespace say where such a packet would go instead.
  const from = start ?? (holders.length === 0 ? initialStart(idx) : null);
  if (from) {
    const walk = new Walk(idx, owners, target, notes, options.followForwardings === false ? undefined : (options.port ?? null));
    walk.run(from);
    result.translatedTo = walk.translatedTo;
    result.from = from;
    result.path = walk.hops;
    result.end = walk.end;
    result.reached = walk.reached;
  }

  const reachedKey = result.reached?.address?.key;
  const listed: Owner[] = holders.map((h) => ({ ...ownerOf(idx, h), reached: h.address.key === reachedKey }));
  const rank = (o: Owner) => (o.reached ? 0 : from && o.netns === from.netns ? 1 : 2);
  result.owners = listed.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map((x) => x.o);
  // Reached without holding the address asked for: a local route (127.0.0.5 on lo), or a forwarding rewrote it.
  if (result.reached && !result.owners.some((o) => o.reached)) result.owners.unshift(result.reached);
  result.found = result.owners.length > 0;
  return result;
}

function initialStart(idx: TopologyIndex): StartPoint | null {
  const ns = idx.topology.namespaces.find((n) => n.initial);
  return ns ? { given: "initial", as: "initial", netns: ns.key, netnsName: ns.displayName, interface: null } : null;
}

function ownerOf(idx: TopologyIndex, h: Holder): Owner {
  const a = h.address;
  return {
    netns: h.netns.key,
    netnsName: h.netns.displayName,
    interface: interfaceRef(idx, h.iface),
    address: { key: a.key, address: a.address, prefixLength: a.prefixLength, flags: a.flags },
    reached: false,
  };
}

function routeRef(r: Route): RouteRef {
  return {
    key: r.key,
    type: r.type,
    destination: r.destination,
    prefixLength: r.prefixLength,
    table: r.table,
    tableName: r.tableName,
    priority: r.priority,
    gateway: r.gateway,
    outputInterface: r.outputInterface,
  };
}

function describeRoute(r: Route): string {
  const dest = r.destination === "default" ? "default" : `${r.destination}/${r.prefixLength}`;
  return `${r.type} ${dest} (table ${r.tableName}${r.priority ? `, metric ${r.priority}` : ""})`;
}

/** Where the packet is: a namespace, and the interface it came in on. */
interface Position {
  ns: NetworkNamespace;
  ingress: NetworkInterface | null;
}

/** One path walk: hops accumulate until something ends it. */
class Walk {
  readonly hops: Hop[] = [];
  end: { reason: PathEnd; message: string } | null = null;
  reached: Owner | null = null;
  translatedTo: string | null = null;
  private readonly visited = new Set<string>();
  /** Forwardings are followed unless this is undefined (the caller turned them off); the port asked for, or null. */
  private port: number | null | undefined;

  constructor(
    private readonly idx: TopologyIndex,
    private readonly owners: AddressOwners,
    private target: Ip,
    private readonly notes: string[],
    port: number | null | undefined,
  ) {
    this.port = port;
  }

  run(from: StartPoint): void {
    let at: Position | null = { ns: this.idx.namespaces.get(from.netns)!, ingress: null };
    while (at) {
      if (this.hops.length >= MAX_HOPS) {
        this.stop("hop-limit", `gave up after ${MAX_HOPS} hops`);
        return;
      }
      const state = `${at.ns.key}|${at.ingress?.key ?? ""}`;
      if (this.visited.has(state)) {
        this.stop("loop", `the packet comes back to ${at.ns.displayName}${at.ingress ? ` on ${at.ingress.name}` : ""}: a routing loop (the TTL would run out)`);
        return;
      }
      this.visited.add(state);
      at = this.route(at);
    }
  }

  private stop(reason: PathEnd, message: string): null {
    this.end = { reason, message };
    return null;
  }

  private ref(iface: NetworkInterface | null | undefined): InterfaceRef | null {
    return iface ? interfaceRef(this.idx, iface) : null;
  }

  private hop(at: Position, h: Partial<Hop> & Pick<Hop, "kind" | "note">): void {
    this.hops.push({ netns: at.ns.key, netnsName: at.ns.displayName, ingress: this.ref(at.ingress), route: null, bridge: null, egress: null, nextHop: null, dnat: null, ...h });
  }

  /**
   * A forwarding of this namespace that rewrites the destination (netfilter's DNAT happens before
   * routing, in PREROUTING or OUTPUT): one whose address is the target (a ClusterIP, an external
   * IP), or, with a port asked for, one for any local address (a NodePort, a published port) when
   * the target is local here. Once per path, as conntrack does; the first by key when several
   * apply (kube-proxy picks an endpoint per connection).
   */
  private forward(at: Position): void {
    if (this.port === undefined || this.translatedTo !== null) return;
    const t = formatIp(this.target);
    const port = this.port;
    const inRange = (p: ForwardedPort) => port === null || p.hostPorts === null || (port >= p.hostPorts.first && port <= p.hostPorts.last);
    const local = () => this.owners.answering(this.target).some((h) => h.netns === at.ns);
    const applies = this.idx.topology.forwardedPorts.filter(
      (p) => p.netns === at.ns.key && p.family === this.target.family && inRange(p) && (p.hostAddress === t || (p.hostAddress === null && port !== null && p.hostPorts !== null && local())),
    );
    if (applies.length === 0) return;
    const f = [...applies].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))[0]!;
    const toIp = this.owners.parse(f.destinationAddress);
    if (!toIp) return;
    const toPort = f.destinationPorts && port !== null && f.hostPorts ? f.destinationPorts.first + (port - f.hostPorts.first) : (f.destinationPorts?.first ?? port);
    const hostPorts = new Set(applies.map((p) => p.hostPorts?.first ?? null));
    if (port === null && hostPorts.size > 1) this.notes.push(`${t} is forwarded on ${hostPorts.size} ports here; without a port the path follows the first (give one)`);
    const others = applies.filter((p) => p.hostPorts?.first === f.hostPorts?.first).length - 1;
    if (others > 0) this.notes.push(`${t} goes to one of ${others + 1} endpoints, chosen per connection; the path follows the first`);
    const addr = (a: string, p: number | null) => (p === null ? a : a.includes(":") ? `[${a}]:${p}` : `${a}:${p}`);
    const from = addr(t, port ?? f.hostPorts?.first ?? null);
    const to = addr(f.destinationAddress, toPort);
    const pod = f.destinationNetns ? this.idx.topology.pods.find((p) => p.netns === f.destinationNetns) : undefined;
    const by = f.service ? `service ${f.service.name} (${f.service.access})` : `a forwarding${f.engine ? ` (${f.engine})` : ""}`;
    this.hop(at, {
      kind: "dnat",
      dnat: { forwardedPort: f.key, service: f.service?.name ?? null, from, to },
      note: `DNAT by ${by}: ${from} → ${to}${pod ? ` (pod ${pod.namespace}/${pod.name})` : ""}`,
    });
    this.translatedTo = to;
    this.target = toIp;
    if (toPort !== null) this.port = toPort;
  }

  /** Routing in one namespace; returns where the packet goes next, or null when the path ends. */
  private route(at: Position): Position | null {
    this.forward(at);
    const t = formatIp(this.target);
    const here = this.owners.answering(this.target).filter((h) => h.netns === at.ns);
    // A hand-built or partial topology may lack the local table; its addresses still say "mine".
    if (here.length > 0 && !hasLocalTable(at.ns, this.target.family)) {
      this.deliver(at, here, null);
      this.hop(at, { kind: "route", note: `${t} is an address here (no local-table routes in this topology to check against)` });
      return this.stop("delivered", `delivered in ${at.ns.displayName}`);
    }
    const match = lookupRoute(at.ns, this.target, this.owners.parse);
    if (!match) {
      this.hop(at, { kind: "route", note: `no route to ${t} in tables local, main, default` });
      return this.stop("no-route", `no route to ${t} in ${at.ns.displayName}`);
    }
    const r = match.route;
    if (match.ties.length > 0)
      this.notes.push(`in ${at.ns.displayName}, ${match.ties.length + 1} routes tie for ${t} (same prefix and metric); the first was taken, the kernel would pick by output interface`);
    const route = routeRef(r);
    switch (r.type) {
      case "local":
      case "anycast": {
        const owner = this.deliver(at, here, r);
        this.hop(at, { kind: "route", route, note: `${describeRoute(r)}: delivered here${owner.interface ? ` (${owner.interface.name})` : ""}` });
        return this.stop("delivered", `delivered in ${at.ns.displayName}`);
      }
      case "blackhole":
      case "unreachable":
      case "prohibit":
      case "broadcast":
      case "multicast":
        this.hop(at, { kind: "route", route, note: `${describeRoute(r)}: ${r.type === "broadcast" || r.type === "multicast" ? `${r.type}, not delivered to one owner` : "dropped"}` });
        return this.stop(r.type, `${r.type} route in ${at.ns.displayName}`);
      case "unicast":
        break;
      default:
        this.hop(at, { kind: "route", route, note: `${describeRoute(r)}: wiresight does not follow ${r.type} routes` });
        return this.stop("unsupported-route", `${r.type} route in ${at.ns.displayName}`);
    }

    // Multipath: which next hop a flow takes depends on a hash of its addresses and ports.
    const nh = r.nexthops[0] ?? { gateway: r.gateway, outputInterface: r.outputInterface };
    if (r.nexthops.length > 1) this.notes.push(`in ${at.ns.displayName}, the route has ${r.nexthops.length} next hops; the path follows the first (the kernel picks one per flow by hash)`);
    const egress = nh.outputInterface ? this.idx.interfaces.get(nh.outputInterface) : undefined;
    const nextHop = nh.gateway ?? t;
    const via = nh.gateway ? ` via ${nh.gateway}` : "";
    this.hop(at, { kind: "route", route, egress: this.ref(egress), nextHop, note: `${describeRoute(r)}${via}${egress ? ` dev ${egress.name}` : ""}` });
    if (!egress) return this.stop("leaves", `the route in ${at.ns.displayName} names no interface wiresight knows`);
    const nextIp = this.owners.parse(nextHop);
    if (!nextIp) return this.stop("leaves", `gateway ${nextHop} is not an address wiresight can parse`);
    return this.cross(at.ns, egress, nextIp);
  }

  private deliver(at: Position, here: Holder[], r: Route | null): Owner {
    // The interface the packet came in on, if it holds the address; else the first holder here;
    // else (127.0.0.0/8, anycast) the local route's device.
    const h = here.find((x) => x.iface === at.ingress) ?? here[0];
    const owner: Owner = h
      ? { ...ownerOf(this.idx, h), reached: true }
      : {
          netns: at.ns.key,
          netnsName: at.ns.displayName,
          interface: this.ref(r?.outputInterface ? this.idx.interfaces.get(r.outputInterface) : null),
          address: null,
          reached: true,
        };
    this.reached = owner;
    return owner;
  }

  /** Out of `egress` towards `next`: where the packet arrives, or null when the path ends. */
  private cross(ns: NetworkNamespace, egress: NetworkInterface, next: Ip): Position | null {
    const n = formatIp(next);
    if (!egress.up) return this.stop("link-down", `${egress.name} is down`);
    if (egress.kind === "bridge") return this.bridge(egress, null, next);
    if (egress.kind !== "veth") return this.stop("leaves", `leaves ${ns.displayName} through ${egress.name} (${egress.kind}); wiresight follows veth and bridge links only`);
    const peer = egress.relations.peer ? this.idx.interfaces.get(egress.relations.peer) : undefined;
    if (!peer) return this.stop("leaves", `${egress.name} is a veth whose peer is not in this topology`);
    // A veth carries nothing unless both ends are up (the kernel reports NO-CARRIER otherwise).
    if (!peer.up) return this.stop("link-down", `its peer ${peer.name} is down, so ${egress.name} carries nothing`);
    const bridge = peer.relations.bridge ? this.idx.interfaces.get(peer.relations.bridge) : undefined;
    if (bridge) return this.bridge(bridge, peer, next);
    const peerNs = this.idx.namespaces.get(peer.netns)!;
    if (!this.owns(peerNs, next))
      return this.stop("no-neighbour", `nothing in ${peerNs.displayName} (behind ${peer.name}, the peer of ${egress.name}) holds ${n}, so ARP/ND for it would go unanswered (proxy ARP/NDP is not seen)`);
    return { ns: peerNs, ingress: peer };
  }

  /** Whether a namespace answers for `ip`: any of its interfaces holds it (the weak host model: Linux answers ARP/ND for all its addresses on any link). */
  private owns(ns: NetworkNamespace, ip: Ip): boolean {
    return this.owners.answering(ip).some((h) => h.netns === ns);
  }

  /**
   * A frame for `next` enters `bridge` (from port `ingress`, or from the bridge's own stack when
   * null). Search the layer-2 domain (ports, veth peers, bridges behind them) breadth first for
   * the endpoint that owns `next`: an interface holding it first, else one whose namespace holds
   * it. Records one bridge hop per bridge crossed.
   */
  private bridge(start: NetworkInterface, ingress: NetworkInterface | null, next: Ip): Position | null {
    interface Crossing {
      bridge: NetworkInterface;
      ingress: NetworkInterface | null;
      egress: NetworkInterface | null;
    }
    interface Endpoint {
      iface: NetworkInterface;
      crossings: Crossing[];
    }
    const endpoints: Endpoint[] = [];
    const unfollowed: string[] = [];
    const seen = new Set<string>([start.key]);
    const queue: { bridge: NetworkInterface; ingress: NetworkInterface | null; crossings: Crossing[] }[] = [{ bridge: start, ingress, crossings: [] }];
    while (queue.length > 0) {
      const { bridge, ingress: inPort, crossings } = queue.shift()!;
      // The bridge device is itself an endpoint for frames that came in through a port.
      if (inPort) endpoints.push({ iface: bridge, crossings: [...crossings, { bridge, ingress: inPort, egress: null }] });
      for (const portKey of bridge.relations.ports) {
        const port = this.idx.interfaces.get(portKey);
        // A port that is down forwards nothing; neither does one whose veth peer is down.
        if (!port || port === inPort || !port.up) continue;
        const peer = port.kind === "veth" && port.relations.peer ? this.idx.interfaces.get(port.relations.peer) : undefined;
        if (!peer) {
          unfollowed.push(`${port.name} (${port.kind})`);
          continue;
        }
        if (!peer.up) continue;
        const path = [...crossings, { bridge, ingress: inPort, egress: port }];
        const behind = peer.relations.bridge ? this.idx.interfaces.get(peer.relations.bridge) : undefined;
        if (behind) {
          if (behind.up && !seen.has(behind.key)) {
            seen.add(behind.key);
            queue.push({ bridge: behind, ingress: peer, crossings: path });
          }
        } else endpoints.push({ iface: peer, crossings: path });
      }
    }
    const answering = this.owners.answering(next);
    const found =
      endpoints.find((e) => answering.some((h) => h.iface === e.iface)) ?? endpoints.find((e) => answering.some((h) => h.netns.key === e.iface.netns));
    const n = formatIp(next);
    if (!found) {
      const beyond = unfollowed.length > 0 ? `; ports not followed: ${unfollowed.join(", ")}` : "";
      this.hop({ ns: this.idx.namespaces.get(start.netns)!, ingress }, { kind: "bridge", bridge: this.ref(start), nextHop: n, note: `no port of ${start.name} leads to ${n}` + beyond });
      return this.stop("no-neighbour", `nothing on bridge ${start.name}'s segment holds ${n}${beyond}`);
    }
    for (const c of found.crossings) {
      const ns = this.idx.namespaces.get(c.bridge.netns)!;
      const peer = c.egress?.relations.peer ? this.idx.interfaces.get(c.egress.relations.peer) : undefined;
      const note = c.egress
        ? `bridge ${c.bridge.name} → port ${c.egress.name}, whose peer ${peer?.name ?? "?"} in ${this.idx.namespaces.get(peer?.netns ?? "")?.displayName ?? "?"} ${peer === found.iface ? `leads to ${n}` : "is a port of another bridge"}`
        : `bridge ${c.bridge.name} itself: its namespace holds ${n}`;
      this.hop({ ns, ingress: c.ingress }, { kind: "bridge", bridge: this.ref(c.bridge), egress: this.ref(c.egress), nextHop: n, note });
    }
    return { ns: this.idx.namespaces.get(found.iface.netns)!, ingress: found.iface };
  }
}
