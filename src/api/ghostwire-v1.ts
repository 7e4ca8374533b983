// Ghostwire (Edgeshark) compatibility: our Topology rendered as Ghostwire's v1 discovery JSON
// (its `GET /json`) and as its capture-target list (`GET /mobyshark`), in the shapes of
// Ghostwire's published OpenAPI spec (a copy: test/api/fixtures/ghostwire-v1.yaml), so existing Edgeshark tooling can read what we found.
//
// This is the ONE place that knows Ghostwire's shapes: the model does not bend to them. Pure —
// it reads a Topology and returns plain objects; it imports only src/model. docs/ghostwire.md
// says what maps to what and what Ghostwire has that we leave empty (and why).

import { encodeCapabilityMask } from "../model/capabilities.ts";
import type { Container, ContainerEngine } from "../model/containers.ts";
import type { Address, NetworkInterface, NetworkNamespace, Process, Route, Socket, Topology } from "../model/topology.ts";
import type { Tenant } from "../model/tenants.ts";

// ---------------------------------------------------------------------------------------------
// Ghostwire's shapes (only the properties we fill; the spec has more optional ones).

export interface GwMetadata {
  "creation-timestamp": string;
  creator: string;
  "creator-id": string;
  "creator-version": string;
  hostname?: string;
}

export interface GwRef {
  idref: string;
  name: string;
  index: number;
}

export interface GwIpAddress {
  address: string;
  family: number;
  index: number;
  "preferred-lifetime": number;
  prefixlen: number;
  scope: number;
  "valid-lifetime": number;
}

export interface GwInterface {
  id: string;
  name: string;
  index: number;
  kind: string;
  operstate: "UNKNOWN" | "NOTPRESENT" | "DOWN" | "UP" | "LOWERLAYERDOWN";
  physical: boolean;
  promisc: boolean;
  addresses: { mac: string; ipv4: GwIpAddress[]; ipv6: GwIpAddress[] };
  alias?: string;
  master?: GwRef;
  macvlan?: GwRef;
  macvlans?: GwRef[];
  peer?: { "peer-idref": string; "peer-name": string; "peer-index": number };
  slaves?: GwRef[];
}

export interface GwRoute {
  family: number;
  destination: string;
  "destination-prefixlen": number;
  index: number;
  "network-interface-idref": string;
  nexthop?: string;
  preference: "00" | "01" | "10";
  priority: number;
  type?: string;
  table: number;
}

export interface GwOwner {
  pid: number;
  cmdline: string;
  "container-idref"?: string;
}

export interface GwPort {
  family: number;
  protocol: "tcp" | "udp";
  "local-address": string;
  "local-port": number;
  "local-servicename"?: string;
  "remote-address": string;
  "remote-port": number;
  state?: string;
  macrostate: "listening" | "connected" | "unconnected";
  owners: GwOwner[];
  "network-interface-idrefs": string[];
}

export interface GwDns {
  "uts-hostname"?: string;
  "etc-hostname"?: string;
  domainname?: string;
  nameservers?: string[];
  searchlist?: string[];
  "etc-hosts"?: { name: string; address: string }[];
}

export interface GwContainer {
  id: string;
  name: string;
  type: string;
  "type-text": string;
  pid: number;
  pidns: number;
  "pidns-idref": string;
  status: "running" | "paused" | "created" | "restarting" | "removing" | "exited" | "dead";
  cmdline?: string;
  /** The bounding capability set as a hex mask (as /proc/PID/status prints CapBnd). */
  capbnd?: string;
  dns?: GwDns;
  group?: string;
  labels?: Record<string, string>;
  "api-path"?: string;
}

export interface GwContainerGroup {
  id: string;
  name: string;
  type: string;
  "type-text": string;
  "container-idrefs": string[];
}

export interface GwNetns {
  id: string;
  netnsid: number;
  "network-interfaces": GwInterface[];
  routes: { ipv4: GwRoute[]; ipv6: GwRoute[] };
  "transport-ports": { ipv4: GwPort[]; ipv6: GwPort[] };
  containers: GwContainer[];
  "container-groups": GwContainerGroup[];
}

export interface GwDiscoveryResult {
  metadata: GwMetadata;
  "network-namespaces": GwNetns[];
  "pid-namespaces": never[];
}

export interface GwCaptureTarget {
  name: string;
  type: string;
  netns: number;
  "network-interfaces": string[];
  pid: number;
  starttime: number;
}

export interface GwTargetDiscoveryResult {
  metadata: GwMetadata;
  containers: GwCaptureTarget[];
}

export interface GhostwireOptions {
  /** Our version, for metadata.creator-version (the caller knows it; this module stays pure). */
  creatorVersion: string;
}

// ---------------------------------------------------------------------------------------------
// Document-internal ids: Ghostwire's own style ("netns-<inode>", "nif-<inode>-<ifindex>"), built
// from kernel numbers that are unique within one discovery.

const netnsId = (ns: NetworkNamespace) => `netns-${ns.inode}`;
const nifId = (ns: NetworkNamespace, i: NetworkInterface) => `nif-${ns.inode}-${i.index}`;

const AF_INET = 2;
const AF_INET6 = 10;
const family = (f: "ipv4" | "ipv6") => (f === "ipv4" ? AF_INET : AF_INET6);

// The kernel's INFINITY_LIFE_TIME: what Ghostwire (netlink) reports for "forever".
const FOREVER = 0xffffffff;

const SCOPES: Record<string, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };

const OPERSTATES = new Set(["UNKNOWN", "NOTPRESENT", "DOWN", "UP", "LOWERLAYERDOWN"]);

// Ghostwire prints the TCP state in words; its enum has no word for an unknown state.
const TCP_STATES: Record<string, string> = {
  ESTABLISHED: "connected",
  SYN_SENT: "syn sent",
  SYN_RECV: "syn received",
  FIN_WAIT1: "fin wait1",
  FIN_WAIT2: "fin wait2",
  TIME_WAIT: "time wait",
  CLOSE: "closed",
  CLOSE_WAIT: "close wait",
  LAST_ACK: "last ack",
  LISTEN: "listening",
  CLOSING: "closing",
  NEW_SYN_RECV: "new syn received",
};

const ROUTE_TYPES = new Set([
  "unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve",
]);

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

const ENGINE_TEXT: Record<string, string> = { docker: "Docker", podman: "Podman", containerd: "containerd", "cri-o": "CRI-O" };

/** What the mapping needs to find again: interfaces by key, processes by key, containers by key. */
interface Index {
  interfaces: Map<string, { ns: NetworkNamespace; iface: NetworkInterface }>;
  processes: Map<string, Process>;
  containers: Map<string, Container>;
  engines: Map<string, ContainerEngine>;
}

function indexOf(t: Topology): Index {
  const interfaces = new Map<string, { ns: NetworkNamespace; iface: NetworkInterface }>();
  for (const ns of t.namespaces) for (const iface of ns.interfaces) interfaces.set(iface.key, { ns, iface });
  return {
    interfaces,
    processes: new Map(t.processes.map((p) => [p.key, p])),
    containers: new Map(t.containers.map((c) => [c.key, c])),
    engines: new Map(t.engines.map((e) => [e.key, e])),
  };
}

function metadata(t: Topology, o: GhostwireOptions): GwMetadata {
  const m: GwMetadata = {
    "creation-timestamp": t.discoveredAt,
    creator: `wiresight ${o.creatorVersion}`,
    "creator-id": "wiresight",
    "creator-version": o.creatorVersion,
  };
  if (t.host.hostname !== "") m.hostname = t.host.hostname;
  return m;
}

// ---------------------------------------------------------------------------------------------
// /json

export function toGhostwireDiscovery(t: Topology, o: GhostwireOptions): GwDiscoveryResult {
  const ix = indexOf(t);
  return {
    metadata: metadata(t, o),
    "network-namespaces": t.namespaces.map((ns) => netns(ns, ix)),
    // We do not discover PID namespaces (see docs/ghostwire.md); the list is required, so empty.
    "pid-namespaces": [],
  };
}

function netns(ns: NetworkNamespace, ix: Index): GwNetns {
  const { containers, groups } = tenantsOf(ns, ix);
  const ports = ns.sockets.flatMap((s) => ports_(ns, s, ix, containers));
  return {
    id: netnsId(ns),
    netnsid: ns.inode,
    "network-interfaces": ns.interfaces.map((i) => iface(ns, i, ix)),
    routes: {
      ipv4: ns.routes.filter((r) => r.family === "ipv4").map((r) => route(r, ix)),
      ipv6: ns.routes.filter((r) => r.family === "ipv6").map((r) => route(r, ix)),
    },
    "transport-ports": { ipv4: ports.filter((p) => p.family === AF_INET), ipv6: ports.filter((p) => p.family === AF_INET6) },
    containers: containers.map((c) => c.entry),
    "container-groups": groups,
  };
}

function ref(key: string, ix: Index): GwRef | null {
  const hit = ix.interfaces.get(key);
  return hit ? { idref: nifId(hit.ns, hit.iface), name: hit.iface.name, index: hit.iface.index } : null;
}

function refs(keys: string[], ix: Index): GwRef[] {
  return keys.map((k) => ref(k, ix)).filter((r): r is GwRef => r !== null);
}

function iface(ns: NetworkNamespace, i: NetworkInterface, ix: Index): GwInterface {
  const r = i.relations;
  const out: GwInterface = {
    id: nifId(ns, i),
    name: i.name,
    index: i.index,
    // Ghostwire: empty for interfaces with a hardware driver (and lo), else the Linux "kind".
    kind: i.kind === "physical" || i.kind === "loopback" ? "" : (i.driverKind ?? ""),
    operstate: (OPERSTATES.has(i.operState) ? i.operState : "UNKNOWN") as GwInterface["operstate"],
    physical: i.kind === "physical",
    promisc: i.promiscuous,
    addresses: {
      // The spec requires a 6-byte MAC; interfaces without one (tun, ipip…) get all zeroes, as lo has.
      mac: i.mac !== null && MAC.test(i.mac) ? i.mac : "00:00:00:00:00:00",
      ipv4: i.addresses.filter((a) => a.family === "ipv4").map((a) => address(i, a)),
      ipv6: i.addresses.filter((a) => a.family === "ipv6").map((a) => address(i, a)),
    },
  };
  // A container network's name is the alias people know the bridge by (Ghostwire does the same).
  const alias = i.containerNetwork?.name ?? i.alias;
  if (alias) out.alias = alias;
  const master = ref(r.bridge ?? r.controller ?? "", ix);
  if (master) out.master = master;
  if (i.kind === "macvlan" && r.master) {
    const m = ref(r.master, ix);
    if (m) out.macvlan = m;
  }
  const macvlans = refs(r.slaves.filter((k) => ix.interfaces.get(k)?.iface.kind === "macvlan"), ix);
  if (macvlans.length > 0) out.macvlans = macvlans;
  if (r.peer) {
    const p = ix.interfaces.get(r.peer);
    if (p) out.peer = { "peer-idref": nifId(p.ns, p.iface), "peer-name": p.iface.name, "peer-index": p.iface.index };
  }
  // Ghostwire's "slaves": bridge ports, bond/team/vrf members and the vxlans riding on this one.
  const slaves = refs([...r.ports, ...r.members, ...r.overlays], ix);
  if (slaves.length > 0) out.slaves = slaves;
  return out;
}

function address(i: NetworkInterface, a: Address): GwIpAddress {
  return {
    address: a.address,
    family: family(a.family),
    index: i.index,
    "preferred-lifetime": a.preferredLifetime ?? FOREVER,
    prefixlen: a.prefixLength,
    scope: SCOPES[a.scope] ?? (Number.isInteger(Number(a.scope)) ? Number(a.scope) : 0),
    "valid-lifetime": a.validLifetime ?? FOREVER,
  };
}

function route(r: Route, ix: Index): GwRoute {
  // Multipath routes have no single interface: Ghostwire's shape has one, so the first hop speaks.
  const outKey = r.outputInterface ?? r.nexthops[0]?.outputInterface ?? null;
  const out = outKey ? ix.interfaces.get(outKey) : undefined;
  const gateway = r.gateway ?? r.nexthops[0]?.gateway ?? null;
  const g: GwRoute = {
    family: family(r.family),
    destination: r.destination === "default" ? (r.family === "ipv4" ? "0.0.0.0" : "::") : r.destination,
    "destination-prefixlen": r.prefixLength,
    index: out?.iface.index ?? 0,
    // Required by the spec even where there is no interface (blackhole…): empty then.
    "network-interface-idref": out ? nifId(out.ns, out.iface) : "",
    // Two binary digits of RTA_PREF; the spec's enum lacks low ("11"), so low reads as the default.
    preference: r.preference === "high" ? "01" : "00",
    priority: r.priority,
    table: r.table,
  };
  if (gateway !== null) g.nexthop = gateway;
  const type = r.type === "none" ? "unspec" : r.type;
  if (ROUTE_TYPES.has(type)) g.type = type;
  return g;
}

function ports_(ns: NetworkNamespace, s: Socket, ix: Index, tenants: TenantEntry[]): GwPort[] {
  // The spec's local-port is 1…65535: a socket not yet bound to a port is no port.
  if (s.localPort < 1) return [];
  const owners = s.processes.map((k) => ix.processes.get(k)).filter((p): p is Process => p !== undefined).map((p) => owner(p, tenants));
  const idrefs = s.interfaces.map((k) => ix.interfaces.get(k)).filter((x) => x !== undefined).map((x) => nifId(x.ns, x.iface));
  const port: GwPort = {
    family: family(s.family),
    protocol: s.protocol,
    "local-address": s.localAddress,
    "local-port": s.localPort,
    "remote-address": s.remoteAddress,
    "remote-port": s.remotePort,
    macrostate: s.simpleState === "other" ? "unconnected" : s.simpleState,
    owners,
    "network-interface-idrefs": idrefs,
  };
  if (s.service !== null) port["local-servicename"] = s.service;
  const state = TCP_STATES[s.state];
  // UDP: Ghostwire has no word for an unconnected datagram socket's "CLOSE" beyond macrostate.
  if (state !== undefined && !(s.protocol === "udp" && s.state === "CLOSE")) port.state = state;
  // Ghostwire adds a synthetic IPv4 port for an IPv6 socket that also serves IPv4.
  if (!s.dualStack) return [port];
  return [port, { ...port, family: AF_INET, "local-address": "0.0.0.0", "remote-address": "0.0.0.0" }];
}

function owner(p: Process, tenants: TenantEntry[]): GwOwner {
  const o: GwOwner = { pid: p.pid, cmdline: p.cmdline.join(" ") };
  const t = tenants.find((x) => x.process === p.key);
  if (t) o["container-idref"] = t.entry.id;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Ghostwire's "containers" of a namespace: its containers, then its stand-alone processes (our
// tenants that are no container's init), then — for a namespace nothing runs in — its bind mounts.

interface TenantEntry {
  entry: GwContainer;
  process: string | null;
  starttime: number;
}

function tenantsOf(ns: NetworkNamespace, ix: Index): { containers: TenantEntry[]; groups: GwContainerGroup[] } {
  const entries: TenantEntry[] = [];
  const groups = new Map<string, GwContainerGroup>();
  const tenantByProcess = new Map(ns.tenants.map((t) => [t.process, t]));
  const taken = new Set<string>();
  for (const key of ns.containers) {
    const c = ix.containers.get(key);
    if (!c) continue;
    const engine = ix.engines.get(c.engine);
    const kind = engine?.kind ?? key.split(":")[1] ?? "container";
    const proc = c.process ? ix.processes.get(c.process) : undefined;
    const tenant = c.process ? tenantByProcess.get(c.process) : undefined;
    if (c.process) taken.add(c.process);
    const entry: GwContainer = {
      id: `ctr-${kind}-${c.id}`,
      name: c.name,
      type: kind,
      "type-text": `${ENGINE_TEXT[kind] ?? kind} container`,
      pid: proc?.pid ?? c.enginePid,
      // PID namespaces are not discovered: 0 and "" say "unknown" (docs/ghostwire.md).
      pidns: 0,
      "pidns-idref": "",
      status: c.state === "paused" ? "paused" : "running",
      labels: { ...c.labels },
    };
    if (proc) entry.cmdline = proc.cmdline.join(" ");
    if (tenant?.boundingCapabilities) entry.capbnd = encodeCapabilityMask(tenant.boundingCapabilities);
    if (tenant) entry.dns = dns(tenant);
    if (engine?.apiSocket) entry["api-path"] = engine.apiSocket;
    // Only pods share a network namespace, which is what a v1 container group is; compose
    // projects do not, and the spec leaves them out (their label stays in labels).
    for (const g of c.groups) {
      if (g.kind !== "kubernetes-pod") continue;
      const name = `${g.namespace}/${g.name}`;
      let group = groups.get(name);
      if (!group) {
        group = { id: `group-${ns.inode}-${groups.size}`, name, type: "pod", "type-text": "Kubernetes pod", "container-idrefs": [] };
        groups.set(name, group);
      }
      group["container-idrefs"].push(entry.id);
      entry.group ??= group.id;
    }
    entries.push({ entry, process: c.process, starttime: proc?.startTime ?? 0 });
  }
  for (const t of ns.tenants) {
    if (taken.has(t.process)) continue;
    const proc = ix.processes.get(t.process);
    const entry: GwContainer = {
      id: `proc-${t.pid}`,
      name: t.comm,
      type: "proc",
      "type-text": "process",
      pid: t.pid,
      pidns: 0,
      "pidns-idref": "",
      status: "running",
      dns: dns(t),
    };
    if (proc) entry.cmdline = proc.cmdline.join(" ");
    if (t.boundingCapabilities) entry.capbnd = encodeCapabilityMask(t.boundingCapabilities);
    entries.push({ entry, process: t.process, starttime: proc?.startTime ?? 0 });
  }
  if (entries.length === 0) {
    // The same mount is seen from several mount namespaces: one target per path.
    const paths = new Set<string>();
    ns.references.forEach((r, n) => {
      if (r.kind !== "bindmount" || paths.has(r.path)) return;
      paths.add(r.path);
      entries.push({
        entry: { id: `bindmount-${ns.inode}-${n}`, name: r.path, type: "bindmount", "type-text": "bind mount", pid: 0, pidns: 0, "pidns-idref": "", status: "running" },
        process: null,
        starttime: 0,
      });
    });
  }
  return { containers: entries, groups: [...groups.values()] };
}

function dns(t: Tenant): GwDns {
  const d = t.dns;
  const out: GwDns = {};
  if (d.utsHostname !== null) out["uts-hostname"] = d.utsHostname;
  if (d.hostname !== null) out["etc-hostname"] = d.hostname;
  if (d.domainname !== null) out.domainname = d.domainname;
  if (d.resolver !== null) {
    out.nameservers = [...d.resolver.nameservers];
    out.searchlist = [...d.resolver.search];
  }
  // Ghostwire maps a name to one address: a name with several addresses becomes several entries.
  if (d.hosts !== null) out["etc-hosts"] = d.hosts.flatMap((h) => h.addresses.map((address) => ({ name: h.name, address })));
  return out;
}

// ---------------------------------------------------------------------------------------------
// /mobyshark: one capture target per container, stand-alone process or bind mount.

export function toMobysharkTargets(t: Topology, o: GhostwireOptions): GwTargetDiscoveryResult {
  const ix = indexOf(t);
  const targets: GwCaptureTarget[] = [];
  for (const ns of t.namespaces) {
    const names = ns.interfaces.map((i) => i.name);
    for (const e of tenantsOf(ns, ix).containers) {
      const target: GwCaptureTarget = {
        name: e.entry.name,
        type: e.entry.type,
        netns: ns.inode,
        "network-interfaces": names,
        pid: e.entry.pid,
        starttime: e.starttime,
      };
      targets.push(target);
    }
  }
  targets.sort((a, b) => a.name.localeCompare(b.name) || a.netns - b.netns || a.pid - b.pid);
  return { metadata: metadata(t, o), containers: targets };
}
