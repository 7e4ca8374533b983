// A namespace's network stack as Ghostwire's route.go, ports.go and forwarded_ports.go write it:
// routes of the main and local tables, transport ports (with the synthetic IPv4 entries Ghostwire
// adds for IPv6 sockets that serve IPv4 too) and forwarded ports.

import type { ForwardedPort } from "../../model/forwarded-ports.ts";
import type { NetworkNamespace, Route, Socket } from "../../model/topology.ts";
import { AF_INET, AF_INET6, family } from "./interfaces.ts";
import { nifId, type Lookup } from "./lookup.ts";
import type { GwForwardedPort, GwOwner, GwPort, GwRoute } from "./shapes.ts";

const RT_TABLE_MAIN = 254;
const RT_TABLE_LOCAL = 255;

const ROUTE_TYPES = new Set([
  "unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve",
]);

/** Ghostwire reads the main and local tables only (policy-routing tables are ours alone). */
export function gwRoutes(ns: NetworkNamespace, lookup: Lookup): { ipv4: GwRoute[]; ipv6: GwRoute[] } {
  const routes = ns.routes.filter((r) => r.table === RT_TABLE_MAIN || r.table === RT_TABLE_LOCAL);
  return {
    ipv4: routes.filter((r) => r.family === "ipv4").map((r) => route(r, lookup)),
    ipv6: routes.filter((r) => r.family === "ipv6").map((r) => route(r, lookup)),
  };
}

function route(r: Route, lookup: Lookup): GwRoute {
  // Multipath routes have no single interface: Ghostwire's shape has one, so the first hop speaks.
  const outKey = r.outputInterface ?? r.nexthops[0]?.outputInterface ?? null;
  const out = outKey ? lookup.interfaces.get(outKey) : undefined;
  const gateway = r.gateway ?? r.nexthops[0]?.gateway ?? null;
  const g: GwRoute = {
    family: family(r.family),
    destination: r.destination === "default" ? (r.family === "ipv4" ? "0.0.0.0" : "::") : r.destination,
    "destination-prefixlen": r.prefixLength,
    // Ghostwire omits both when there is no interface (blackhole…); the OpenAPI file requires them.
    index: out?.iface.index ?? 0,
    "network-interface-idref": out ? nifId(out.ns, out.iface) : "",
    // Two binary digits of RTA_PREF; the spec's enum lacks low ("11"), so low reads as the default.
    preference: r.preference === "high" ? "01" : "00",
    priority: r.priority,
    table: r.table,
  };
  if (gateway !== null) g["next-hop"] = gateway;
  const type = r.type === "none" ? "unspec" : r.type;
  if (ROUTE_TYPES.has(type)) g.type = type;
  return g;
}

// Ghostwire's words for the kernel's TCP states (netstat_on_drugs.go); a state it has no word for
// makes it drop the socket, and so do we.
const TCP_STATES: Record<string, string> = {
  ESTABLISHED: "connected",
  SYN_SENT: "SYN sent",
  SYN_RECV: "SYN received",
  FIN_WAIT1: "FIN WAIT1",
  FIN_WAIT2: "FIN WAIT2",
  TIME_WAIT: "time wait",
  CLOSE: "closed",
  CLOSE_WAIT: "close wait",
  LAST_ACK: "last ACK",
  LISTEN: "listening",
  CLOSING: "closing",
  NEW_SYN_RECV: "new SYN received",
};

/** Ghostwire's macrostate: TCP established and its FIN_WAITs are connected; UDP CLOSE is "listening". */
function macrostate(s: Socket): GwPort["macrostate"] | null {
  if (s.protocol === "udp") return s.state === "CLOSE" ? "listening" : s.state === "ESTABLISHED" ? "connected" : null;
  if (s.state === "LISTEN") return "listening";
  return s.state === "ESTABLISHED" || s.state === "FIN_WAIT1" || s.state === "FIN_WAIT2" ? "connected" : "unconnected";
}

const V4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

export function gwPorts(ns: NetworkNamespace, lookup: Lookup): { ipv4: GwPort[]; ipv6: GwPort[] } {
  const ipv4: GwPort[] = [];
  const ipv6: GwPort[] = [];
  const v4Seen = new Set(ns.sockets.filter((s) => s.family === "ipv4").map((s) => `${s.protocol}/${s.localAddress}/${s.localPort}`));
  for (const s of ns.sockets) {
    const port = gwPort(s, lookup);
    if (port === null) continue;
    (s.family === "ipv4" ? ipv4 : ipv6).push(port);
    // An IPv6 socket on the wildcard or a v4-mapped address carries IPv4 too: Ghostwire adds an
    // IPv4 entry unless an IPv4 socket already has that address and port. We know IPV6_V6ONLY
    // (dualStack) where Ghostwire assumes it off.
    if (s.family !== "ipv6") continue;
    const local = s.localAddress === "::" ? (s.dualStack ? "0.0.0.0" : null) : (V4_MAPPED.exec(s.localAddress)?.[1] ?? null);
    if (local === null || v4Seen.has(`${s.protocol}/${local}/${s.localPort}`)) continue;
    const remote = s.remoteAddress === "::" ? "0.0.0.0" : V4_MAPPED.exec(s.remoteAddress)?.[1];
    if (remote === undefined) continue;
    ipv4.push({ ...port, family: AF_INET, "local-address": local, "remote-address": remote });
  }
  return { ipv4, ipv6 };
}

function gwPort(s: Socket, lookup: Lookup): GwPort | null {
  // The spec's local-port is 1…65535: a socket not yet bound to a port is no port.
  if (s.localPort < 1) return null;
  const state = TCP_STATES[s.state];
  const macro = macrostate(s);
  if (state === undefined || macro === null) return null;
  return {
    family: s.family === "ipv4" ? AF_INET : AF_INET6,
    protocol: s.protocol,
    "local-address": s.localAddress,
    "local-port": s.localPort,
    "local-servicename": s.service ?? "",
    "remote-address": s.remoteAddress,
    "remote-port": s.remotePort,
    "remote-servicename": s.remoteService ?? "",
    state,
    macrostate: macro,
    owners: owners(s.processes, lookup),
    "network-interface-idrefs": s.interfaces.map((k) => lookup.ref(k)?.idref).filter((x): x is string => x !== undefined),
  };
}

function owners(keys: string[], lookup: Lookup, shellSafe = false): GwOwner[] {
  return keys.map((k) => lookup.owner(k, shellSafe)).filter((o): o is GwOwner => o !== null);
}

/**
 * Forwarded ports held by this namespace's rules (or proxies): one entry per forwarding with its
 * first host and destination port, as Ghostwire's portfinder reports ranges. Forwardings that
 * match every protocol have no place in the shape.
 */
export function gwForwardedPorts(ns: NetworkNamespace, lookup: Lookup): { ipv4: GwForwardedPort[]; ipv6: GwForwardedPort[] } {
  const service = (p: ForwardedPort, port: number) => lookup.serviceName(p.protocol!, port);
  const out = { ipv4: [] as GwForwardedPort[], ipv6: [] as GwForwardedPort[] };
  for (const p of lookup.topology.forwardedPorts) {
    if (p.netns !== ns.key || p.protocol === null) continue;
    const hostPort = p.hostPorts?.first ?? 0;
    const destPort = p.destinationPorts?.first ?? hostPort;
    const dest = p.destinationNetns === null ? undefined : lookup.topology.namespaces.find((n) => n.key === p.destinationNetns);
    const listeners = dest ? dest.sockets.filter((s) => p.listeners.includes(s.key)) : [];
    const entry: GwForwardedPort = {
      family: family(p.family),
      protocol: p.protocol,
      ip: p.hostAddress ?? (p.family === "ipv4" ? "0.0.0.0" : "::"),
      port: hostPort,
      servicename: service(p, hostPort),
      "forward-ip": p.destinationAddress,
      "forward-port": destPort,
      "forward-servicename": service(p, destPort),
      netnsid: dest?.inode ?? 0,
      owners: owners([...new Set(listeners.flatMap((s) => s.processes))], lookup, true),
      "network-interface-refs": p.destinationInterface ? [lookup.ref(p.destinationInterface)?.idref].filter((x): x is string => x !== undefined) : [],
    };
    out[p.family].push(entry);
  }
  return out;
}
