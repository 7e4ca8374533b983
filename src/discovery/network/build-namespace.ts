// Builds one model namespace from what was read from it: interfaces (with driver details for
// physical ones), their addresses, routes, and the NSIDs its links reference. Relations across
// namespaces are left to relations.ts, which needs every namespace built first.

import { processKey, type NetnsKey, type ProcessKey } from "../../model/keys.ts";
import type { NetworkInterface, NetworkNamespace } from "../../model/topology.ts";
import type { Tenant } from "../../model/tenants.ts";
import type { ProcessInfo } from "../procfs/processes.ts";
import type { NetnsCandidate } from "../procfs/namespaces.ts";
import { namespaceDisplayName } from "../naming.ts";
import { toAddress, toRoute } from "./addresses-routes.ts";
import type { RawNamespace } from "./collect-namespace.ts";
import { toInterface, type DriverInfo } from "./interfaces.ts";
import { toSockets } from "./sockets.ts";
import { serviceName, type ServiceTable } from "../services.ts";

export interface NamespaceInput {
  key: NetnsKey;
  candidate: NetnsCandidate;
  raw: RawNamespace;
  /** ethtool answers for its physical interfaces, by ifindex (read with the namespace). */
  drivers: ReadonlyMap<number, DriverInfo | null>;
  /** NSID → the key of the namespace it means, or null if unresolved. */
  nsids: Map<number, NetnsKey | null>;
  /** Its tenants, oldest first (tenants/collect-tenants.ts). */
  tenants: Tenant[];
}

/** What every namespace's sockets are resolved against: read once per discovery. */
export interface SharedInput {
  /** Socket inode → processes with an fd on it (from the one pass over /proc/PID/fd). */
  socketOwners: Map<number, ProcessKey[]>;
  services: ServiceTable;
}

export function buildNamespace(
  input: NamespaceInput,
  bootId: string,
  processes: Map<number, ProcessInfo>,
  warn: (subject: string, message: string) => void,
  shared: SharedInput,
): { namespace: NetworkNamespace; byIndex: Map<number, NetworkInterface> } {
  const { key, candidate, raw } = input;
  const byIndex = new Map<number, NetworkInterface>();
  for (const l of raw.links) byIndex.set(l.index, toInterface(key, l, input.drivers.get(l.index)));
  for (const a of raw.addresses) {
    const addr = toAddress(key, a);
    const iface = byIndex.get(a.index);
    if (addr && iface) iface.addresses.push(addr);
  }
  const known = new Set(byIndex.keys());
  const interfaces = [...byIndex.values()];
  const namespace: NetworkNamespace = {
    key,
    cookie: raw.cookie.toString(),
    inode: candidate.inode,
    dev: candidate.dev,
    initial: candidate.initial,
    displayName: "",
    references: [],
    processes: [],
    tenants: [],
    containers: [], // filled by engine discovery (discovery/engines)
    interfaces,
    routes: raw.routes.map((r) => toRoute(key, r, known)),
    sockets: toSockets(raw.sockets, { netns: key, interfaces, owners: shared.socketOwners, services: shared.services }),
    nsids: [],
  };
  dressNamespace(namespace, input, bootId, processes, warn, shared);
  return { namespace, byIndex };
}

/**
 * Fills in (in place) what a namespace's model takes from outside its own netlink read: how it is
 * known and named, its processes and tenants, the NSIDs as resolved, its sockets' owners and
 * service names. A namespace whose read did not change but whose procfs inputs or NSIDs did is
 * dressed anew on a copy of its model, without its read (which is not kept).
 */
export function dressNamespace(
  ns: NetworkNamespace,
  input: Pick<NamespaceInput, "key" | "candidate" | "nsids" | "tenants">,
  bootId: string,
  processes: Map<number, ProcessInfo>,
  warn: (subject: string, message: string) => void,
  shared: SharedInput,
): void {
  const { key, candidate } = input;
  const members = new Set<number>();
  for (const r of candidate.references) if (r.kind === "process") members.add(r.pid);
  for (const [nsid, target] of input.nsids)
    if (target === null) warn(key, `NSID ${nsid} names a namespace that could not be found (peer links stay unresolved)`);
  ns.displayName = namespaceDisplayName(candidate.initial, candidate.references, input.tenants, processes);
  ns.references = candidate.references;
  ns.processes = [...members].sort((a, b) => a - b).flatMap((pid) => {
    const p = processes.get(pid);
    return p ? [processKey(bootId, pid, p.startTime)] : [];
  });
  ns.tenants = input.tenants;
  ns.nsids = [...input.nsids].map(([nsid, netns]) => ({ nsid, netns }));
  for (const s of ns.sockets) {
    s.processes = s.inode ? (shared.socketOwners.get(s.inode) ?? []) : [];
    s.service = serviceName(shared.services, s.protocol, s.localPort);
  }
}
