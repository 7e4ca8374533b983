// `wiresight ls`: each namespace as a header (how it is known) and its interfaces as a tree.
// Bridge ports hang under their bridge, bond/team/vrf members under their controller, and upper
// devices (macvlan, vlan, ipvlan) under their lower device when both are in the same namespace;
// every cross-namespace relation is spelled out with the other namespace's name, because that is
// what people cannot see with `ip`.

import type { TopologyIndex } from "../../model/index-topology.ts";
import type { ForwardedPort, PortRange } from "../../model/forwarded-ports.ts";
import type { NetworkInterface, NetworkNamespace, Route } from "../../model/topology.ts";
import { KIND_LABELS } from "./interface-kinds.ts";
import { portLines, type PortsOptions } from "./ls-ports.ts";
import type { Style } from "./style.ts";
import { tenantLines } from "./tenants.ts";

export interface LsOptions {
  routes: boolean;
  /** Show each namespace's sockets (null: do not). */
  ports?: PortsOptions | null;
  /** List each namespace's tenants with their capabilities and DNS settings. */
  tenants?: boolean;
  /** List each namespace's forwarded ports. */
  forwards?: boolean;
  style: Style;
}

export function renderLs(index: TopologyIndex, opts: LsOptions): string {
  const out: string[] = [];
  for (const ns of index.topology.namespaces) {
    out.push(...renderNamespace(ns, index, opts), "");
  }
  return out.join("\n");
}

function renderNamespace(ns: NetworkNamespace, index: TopologyIndex, opts: LsOptions): string[] {
  const s = opts.style;
  const lines = [`${s.bold(ns.displayName)}  ${s.dim(`net:[${ns.inode}]`)}${ns.initial ? s.cyan("  initial") : ""}`];
  const pod = index.topology.pods.find((p) => p.netns === ns.key && !ns.initial);
  if (pod) lines.push(`  ${s.magenta(`pod ${pod.namespace}/${pod.name}${pod.state === "ready" ? "" : ` (${pod.state})`}${pod.ips.length ? `  ${pod.ips.join(" ")}` : ""}`)}`);
  const containers = containersLine(ns, index);
  if (containers) lines.push(`  ${s.magenta(containers)}`);
  for (const how of describeReferences(ns, index)) lines.push(`  ${s.dim(how)}`);
  if (opts.tenants && ns.tenants.length > 0) lines.push(...tenantLines(ns.tenants, s).map((l) => `  ${l}`));

  // Children are drawn under their parent when both live here; everything else is a root.
  const here = new Set(ns.interfaces.map((i) => i.key));
  const children = (i: NetworkInterface) =>
    [...i.relations.ports, ...i.relations.slaves, ...i.relations.members].filter((k) => here.has(k)).map((k) => index.interfaces.get(k)!);
  const parentHere = (i: NetworkInterface) =>
    [i.relations.bridge, i.relations.master, i.relations.controller].some((k) => k !== null && here.has(k));
  const roots = ns.interfaces.filter((i) => !parentHere(i));

  const walk = (i: NetworkInterface, prefix: string, last: boolean, seen: Set<string>) => {
    const branch = last ? "└─ " : "├─ ";
    const cont = prefix + (last ? "   " : "│  ");
    lines.push(prefix + branch + interfaceLine(i, ns, index, s));
    const addrs = i.addresses.map((a) => `${a.address}/${a.prefixLength}`);
    if (addrs.length > 0) lines.push(cont + "   " + s.cyan(addrs.join("  ")));
    const kids = children(i).filter((k) => !seen.has(k.key));
    kids.forEach((k, n) => {
      seen.add(k.key);
      walk(k, cont, n === kids.length - 1, seen);
    });
  };
  const seen = new Set<string>();
  roots.forEach((r, n) => walk(r, "  ", n === roots.length - 1, seen));

  if (opts.routes && ns.routes.length > 0) {
    lines.push(`  ${s.bold("routes")}`);
    for (const r of ns.routes) lines.push(`    ${routeLine(r, index, s)}`);
  }
  if (opts.ports) lines.push(...portLines(ns, index, opts.ports, s));
  const forwarded = opts.forwards ? index.topology.forwardedPorts.filter((p) => p.netns === ns.key) : [];
  if (forwarded.length > 0) {
    lines.push(`  ${s.bold("forwarded ports")}`);
    for (const p of forwarded) lines.push(`    ${forwardedPortLine(p, index, s)}`);
  }
  return lines;
}

function interfaceLine(i: NetworkInterface, ns: NetworkNamespace, index: TopologyIndex, s: Style): string {
  const state = i.operState === "UP" || (i.up && i.operState === "UNKNOWN") ? s.green("●") : i.up ? s.yellow("◐") : s.red("○");
  const parts = [`${state} ${s.bold(i.name)}`, KIND_LABELS[i.kind](i), s.dim(i.operState)];
  if (i.mac && i.kind !== "loopback") parts.push(s.dim(i.mac));
  if (i.alias) parts.push(s.magenta(`"${i.alias}"`));
  const net = i.containerNetwork;
  if (net) {
    const flags = [net.default ? "default" : "", net.internal ? "internal" : ""].filter((f) => f !== "");
    parts.push(s.magenta(`${net.engine} network ${net.name}${flags.length > 0 ? ` (${flags.join(", ")})` : ""}`));
  }
  if (i.promiscuous) parts.push(s.yellow("PROMISC"));
  const rel = (label: string, key: string | null) => {
    if (!key) return;
    const other = index.interfaces.get(key);
    if (!other) return;
    const where = other.netns === ns.key ? "" : ` @ ${index.namespaces.get(other.netns)?.displayName ?? other.netns}`;
    parts.push(`${label} ${s.bold(other.name)}${where}`);
  };
  rel("⇄", i.relations.peer);
  // Parents in this namespace are drawn by nesting; in another namespace they must be named.
  if (i.relations.master && index.interfaces.get(i.relations.master)?.netns !== ns.key) rel("on", i.relations.master);
  for (const k of i.relations.slaves) if (index.interfaces.get(k)?.netns !== ns.key) rel("carries", k);
  rel("via", i.relations.underlay);
  // A bond member that carries the traffic (active-backup, tlb, alb).
  const controller = i.relations.controller ? index.interfaces.get(i.relations.controller) : undefined;
  if (controller?.details.kind === "bond" && controller.details.activeMember === i.key) parts.push(s.green("active"));
  if (i.users.length > 0) parts.push(usersLabel(i, index));
  return parts.join("  ");
}

/** Who holds a tun/tap open, the way `ss -p` prints socket users: users:(("qemu",pid=42),…). */
function usersLabel(i: NetworkInterface, index: TopologyIndex): string {
  const users = i.users.map((k) => {
    const p = index.processes.get(k);
    return p ? `("${p.comm}",pid=${p.pid})` : `(${k})`;
  });
  return `users:(${users.join(",")})`;
}

function routeLine(r: Route, index: TopologyIndex, s: Style): string {
  const dst = r.destination === "default" ? "default" : `${r.destination}/${r.prefixLength}`;
  const parts = [r.type === "unicast" ? dst : `${r.type} ${dst}`];
  if (r.gateway) parts.push(`via ${r.gateway}`);
  if (r.outputInterface) parts.push(`dev ${index.interfaces.get(r.outputInterface)?.name ?? "?"}`);
  for (const h of r.nexthops)
    parts.push(`nexthop via ${h.gateway ?? "-"} dev ${h.outputInterface ? index.interfaces.get(h.outputInterface)?.name : "?"} weight ${h.weight}`);
  if (r.tableName !== "main") parts.push(`table ${r.tableName}`);
  if (r.priority) parts.push(`metric ${r.priority}`);
  return parts.join(" ") + s.dim(`  proto ${r.protocol} scope ${r.scope}`);
}

/** "containers: web (paused), db": the containers living in this namespace, as their engine names them. */
function containersLine(ns: NetworkNamespace, index: TopologyIndex): string | null {
  if (ns.containers.length === 0) return null;
  const byKey = new Map(index.topology.containers.map((c) => [c.key, c]));
  const kinds = new Map(index.topology.engines.map((e) => [e.key, e.kind]));
  const names = ns.containers.map((k) => {
    const c = byKey.get(k);
    if (!c) return k;
    const engine = kinds.get(c.engine);
    const where = c.containerdNamespace && c.containerdNamespace !== "k8s.io" ? `/${c.containerdNamespace}` : "";
    return `${c.name}${c.state === "running" ? "" : ` (${c.state})`}${engine === "docker" ? "" : ` [${engine}${where}]`}`;
  });
  return `container${names.length === 1 ? "" : "s"}: ${names.join(", ")}`;
}

/** How the namespace is known: its processes, bind mounts, holders. */
function describeReferences(ns: NetworkNamespace, index: TopologyIndex): string[] {
  const out: string[] = [];
  if (ns.processes.length > 0) out.push(`${ns.processes.length} process${ns.processes.length === 1 ? "" : "es"}`);
  const comm = (pid: number) => index.processByPid.get(pid)?.comm ?? "?";
  for (const r of ns.references) {
    if (r.kind === "bindmount") out.push(`bind mount ${r.path} [mnt:${r.mountNamespace}]`);
    else if (r.kind === "fd") out.push(`held open by fd ${r.fd} of ${comm(r.pid)} (${r.pid})`);
    else if (r.kind === "thread") out.push(`thread ${r.tid} of ${comm(r.pid)} (${r.pid})`);
  }
  return out.length > 0 ? [out.join(" · ")] : [];
}

/** `tcp *:8080 → 172.17.0.2:80 in <ns> (eth0)  docker: ip nat DOCKER #7, docker-proxy pid 812` */
function forwardedPortLine(p: ForwardedPort, index: TopologyIndex, s: Style): string {
  const ports = (r: PortRange | null) => (r === null ? "*" : r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`);
  const addr = (a: string | null) => (a === null ? "*" : a.includes(":") ? `[${a}]` : a);
  const dest = p.destinationAddressLast ? `${addr(p.destinationAddress)}-${addr(p.destinationAddressLast)}` : addr(p.destinationAddress);
  const where = p.destinationNetns ? index.namespaces.get(p.destinationNetns) : undefined;
  const iface = p.destinationInterface ? index.interfaces.get(p.destinationInterface) : undefined;
  const into = where ? ` in ${where.displayName}${iface ? ` (${iface.name})` : ""}` : "";
  // Who answers there: the processes of the listening sockets the forwarding reaches.
  const answering = new Set<string>();
  const sockets = where ? new Map(where.sockets.map((k) => [k.key, k])) : new Map();
  for (const key of p.listeners) {
    for (const pk of sockets.get(key)?.processes ?? []) {
      const proc = index.processes.get(pk);
      if (proc) answering.add(`${proc.comm}(${proc.pid})`);
    }
  }
  const by = answering.size > 0 ? ` ← ${[...answering].join(",")}` : "";
  const svc = p.service ? `${s.cyan(`service ${p.service.name}`)} ` : "";
  const sources = p.sources.map((src) => (src.kind === "proxy" ? `docker-proxy pid ${src.pid}` : `${src.family} ${src.table} ${src.chain} #${src.handle}`));
  return `${svc}${p.protocol ?? "any"} ${addr(p.hostAddress)}:${ports(p.hostPorts)} → ${dest}:${ports(p.destinationPorts)}${into}${by}  ${s.dim(`${p.engine ? `${p.engine}: ` : ""}${sources.join(", ")}`)}`;
}
