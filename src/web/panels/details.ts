// The side panel's details of what the user clicked: an interface (addresses, sockets with their
// processes, routes through it, peer, bridge, lower device, the namespace's tenants and DNS),
// a namespace (containers, tenants and DNS, routes, sockets, forwarded ports), a process or a
// forwarded port of the map. Asked of the server when clicked, at the moment the map shows.

import type { WiringRow } from "../../model/wiring.ts";
import { query } from "../data/client.ts";
import { INTERFACE_DETAILS, NAMESPACE_DETAILS } from "../data/queries.ts";
import { captureSection, captureUrl } from "./capture.ts";
import { esc, facts, section, table } from "./html.ts";

/* eslint-disable @typescript-eslint/no-explicit-any -- the answers' shape is the query's, read field by field */
type Answer = any;

const ports = (r: { first: number; last: number } | null) => (r === null ? "*" : r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`);
const procs = (ps: { pid: number; comm: string }[]) => ps.map((p) => `${p.comm} [${p.pid}]`).join(", ");

function socketsTable(sockets: Answer[]): string {
  return table(
    ["proto", "local", "remote", "state", "processes"],
    sockets.map((s) => [s.protocol.toLowerCase(), `${s.localAddress}:${s.localPort}`, s.remotePort ? `${s.remoteAddress}:${s.remotePort}` : "", s.state.toLowerCase(), procs(s.processes)]),
  );
}

function routesTable(routes: Answer[]): string {
  return table(
    ["destination", "via", "dev", "table", "proto"],
    routes.map((r) => [r.destination === "default" ? "default" : `${r.destination}/${r.prefixLength}`, r.gateway ?? "", r.outputInterface?.name ?? "", r.tableName, r.protocol]),
  );
}

function tenantsHtml(tenants: Answer[]): string {
  if (tenants.length === 0) return `<p class="empty">no tenant (no process attached)</p>`;
  return tenants
    .map((t) => {
      const dns = t.dns ?? {};
      return `<div class="tenant">${facts([
        ["process", `${t.comm} [${t.pid}]`],
        ["container", t.container?.name],
        ["hostname", dns.hostname ?? dns.utsHostname],
        ["nameservers", dns.resolver?.nameservers],
        ["search", dns.resolver?.search],
        ["options", dns.resolver?.options],
        ["hosts", (dns.hosts ?? []).map((h: Answer) => `${h.name} ${h.addresses.join(" ")}`)],
      ])}</div>`;
    })
    .join("");
}

function forwardsTable(forwards: Answer[]): string {
  return table(
    ["proto", "host", "to", "listeners"],
    forwards.map((p) => [p.protocol ?? "any", `${p.hostAddress ?? "*"}:${ports(p.hostPorts)}`, `${p.destinationAddress}:${ports(p.destinationPorts ?? p.hostPorts)}`, p.listeners.map((l: Answer) => procs(l.processes)).join("; ")]),
  );
}

export async function interfaceDetails(id: string, at: number | null): Promise<string> {
  const { node: i } = await query<{ node: Answer }>(INTERFACE_DETAILS, { id, at });
  if (!i) return `<p class="empty">this interface is not there at that moment</p>`;
  const relation = (label: string, other: Answer) => (other ? [label, `${other.name}${other.namespace ? ` in ${other.namespace.displayName}` : ""}`] : [label, null]);
  const routes = i.namespace.routes.filter((r: Answer) => r.outputInterface?.name === i.name);
  return (
    `<h2>${esc(i.name)} <span class="sub">${esc(i.kind.toLowerCase())} in ${esc(i.namespace.displayName)}</span></h2>` +
    facts([
      ["state", `${i.operState.toLowerCase()}${i.up ? "" : " (admin down)"}${i.promiscuous ? ", promiscuous" : ""}`],
      ["driver", i.driverKind],
      ["mac", i.mac],
      ["mtu", i.mtu],
      ["alias", i.alias],
      ["flags", i.flags],
      relation("peer", i.peer) as [string, unknown],
      relation("bridge", i.bridge) as [string, unknown],
      ["ports", i.ports.map((p: Answer) => p.name)],
      relation("lower device", i.master) as [string, unknown],
      ["upper devices", i.slaves.map((p: Answer) => p.name)],
      relation("underlay", i.underlay) as [string, unknown],
      ["users", procs(i.users)],
    ]) +
    section("Addresses", table(["address", "scope", "flags"], i.addresses.map((a: Answer) => [`${a.address}/${a.prefixLength}`, a.scope, a.flags.join(" ")]))) +
    section("Routes through it", routesTable(routes)) +
    section("Sockets", socketsTable(i.sockets)) +
    section(`Tenants and DNS of ${i.namespace.displayName}`, tenantsHtml(i.namespace.tenants)) +
    captureSection(captureUrl(i.namespace.id, i.name), `${i.namespace.displayName}-${i.name}`)
  );
}

export async function namespaceDetails(id: string, key: string, at: number | null): Promise<string> {
  const { node: ns, forwardedPorts } = await query<{ node: Answer; forwardedPorts: { nodes: Answer[] } }>(NAMESPACE_DETAILS, { id, key, at });
  if (!ns) return `<p class="empty">this namespace is not there at that moment</p>`;
  const containers = ns.containers.map((c: Answer) =>
    facts([
      ["container", c.name],
      ["image", c.image],
      ["state", c.state.toLowerCase()],
      ["privileged", c.privileged ? "yes" : ""],
      ["groups", c.groups.map((g: Answer) => `${g.kind.toLowerCase().replace(/_/g, " ")} ${g.namespace ? `${g.namespace}/` : ""}${g.name}`)],
      ["networks", c.networks.map((n: Answer) => [n.name, n.ipv4, n.ipv6].filter(Boolean).join(" "))],
    ]),
  );
  return (
    `<h2>${esc(ns.displayName)} <span class="sub">${ns.initial ? "the host's namespace" : "network namespace"}</span></h2>` +
    facts([
      ["inode", ns.inode],
      ["key", ns.key],
      ["held by", ns.references.map((r: Answer) => (r.path ? `mount ${r.path}` : r.fd !== null ? `fd ${r.fd} of ${r.pid}` : r.tid !== null ? `thread ${r.tid}` : `process ${r.pid}`)).slice(0, 8)],
    ]) +
    (containers.length ? section("Containers", containers.join("")) : "") +
    section("Tenants and DNS", tenantsHtml(ns.tenants)) +
    section("Forwarded ports", forwardsTable(forwardedPorts.nodes)) +
    section("Routes", routesTable(ns.routes)) +
    section("Sockets", socketsTable(ns.sockets)) +
    captureSection(captureUrl(ns.id, null), ns.displayName)
  );
}

/** A process or forwarded-port row: what the map already knows. */
export function rowDetails(row: WiringRow, groupName: string): string {
  return `<h2>${esc(row.name)} <span class="sub">${row.type === "forward" ? "forwarded port" : "process using a tun/tap device"} in ${esc(groupName)}</span></h2>${facts([
    ["goes to", row.note],
    ["key", row.key],
  ])}`;
}
