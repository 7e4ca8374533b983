// The phases of a discovery, reusable on their own: discover() runs them once in a row; the
// watch loop (src/watch) keeps their results and re-runs only the phase an event invalidates.
//
//   scanProcfs        processes, the one fd pass, every namespace (procfs + nsfs)
//   readNamespace     one namespace over netlink: links, addresses, routes, sockets, nft rules
//   assemble          NSIDs, tenants, relations, tun users, forwarded ports → one Topology
//
// readNamespace is the only phase that switches namespace (for socket() alone, in src/ffi), and
// it is synchronous. assemble asks the kernel only for NSIDs that are not already known (the
// caller may pass what it resolved before), for ethtool driver names of physical interfaces and
// for tun attachments; everything else in it is pure or reads procfs once per scan (memoised on
// the scan, so a watcher assembling again after a netlink event reads no file).

import { readFileSync } from "node:fs";
import { closeQuietly, openFile, type NetlinkSocket } from "../ffi/index.ts";
import { netnsKey, processKey, type NetnsKey } from "../model/keys.ts";
import type { Tenant } from "../model/tenants.ts";
import {
  TOPOLOGY_FORMAT_VERSION,
  type NetworkNamespace,
  type Process,
  type Topology,
  type Warning,
} from "../model/topology.ts";
import { sortTopology } from "../model/sort.ts";
import { resolveForwardedPortDestinations } from "../model/forwarded-ports.ts";
import type { NftRule } from "../netlink/index.ts";
import { readBootId } from "./procfs/boot.ts";
import { missingForDiscovery, readEffectiveCapabilities } from "./procfs/capabilities.ts";
import { readProcesses, type ProcessInfo } from "./procfs/processes.ts";
import { collectPidNamespaces } from "./procfs/pid-namespaces.ts";
import { readCpusOnline, readHostOsRelease, readKernelVersion } from "./procfs/host-info.ts";
import { schedPolicyName } from "../model/scheduling.ts";
import {
  readFdTable,
  scanNetworkNamespaces,
  type FdTable,
  type NamespaceScan,
  type NetnsCandidate,
} from "./procfs/namespaces.ts";
import { collectNamespace, openNamespaceSockets, type NamespaceHandle, type RawNamespace } from "./network/collect-namespace.ts";
import { collectNftRules, collectNftSets } from "./forwarded-ports/collect-nftables.ts";
import type { NftSetWithElements } from "./forwarded-ports/rule-graph.ts";
import { resolveServiceEndpoints } from "../model/kube-services.ts";
import { NETLINK_NETFILTER, NETLINK_ROUTE, NETLINK_SOCK_DIAG } from "../netlink/index.ts";
import { findForwardedPorts } from "./forwarded-ports/find.ts";
import { buildNamespace } from "./network/build-namespace.ts";
import { resolveNsids } from "./network/resolve-nsids.ts";
import { resolveRelations, type RelationSubject } from "./network/relations.ts";
import { resolveSriov } from "./network/sriov.ts";
import { resolveTunnelUnderlays } from "./network/tunnel-underlay.ts";
import { collectTenants, type TenantStats } from "./tenants/collect-tenants.ts";
import { readTunFds, type TunFd } from "./procfs/tun-fds.ts";
import { assignTunUsers } from "./network/tun-users.ts";
import { socketOwners } from "./network/sockets.ts";
import { readServices, type ServiceTable } from "./services.ts";
import type { ProcessKey } from "../model/keys.ts";

type Warn = (subject: string, message: string) => void;

// ---------------------------------------------------------------------------------------------
// procfs

/** What one procfs pass found, plus lazily derived tables that depend on nothing else. */
export interface ProcfsState {
  procRoot: string;
  bootId: string;
  processes: Map<number, ProcessInfo>;
  fdTable: FdTable;
  scan: NamespaceScan;
  /** procfs warnings (subject "procfs"), in the order discover() reports them. */
  warnings: Warning[];
  /** Filled by assemble on first use; valid as long as this scan is (see memo()). */
  memo: Map<string, unknown>;
}

export interface ProcfsOptions {
  procRoot?: string;
  /**
   * fd numbers of this process to leave out of the fd table before the namespace scan: the
   * namespace fds a watcher holds open. Otherwise they would count as references (and a
   * namespace held only by us would never look deleted).
   */
  hideOwnFds?: ReadonlySet<number>;
}

export function scanProcfs(options: ProcfsOptions = {}): ProcfsState {
  const procRoot = options.procRoot ?? "/proc";
  const bootId = readBootId(procRoot);
  const procWarnings: string[] = [];
  const processes = readProcesses(procRoot, procWarnings);
  const fdTable = readFdTable(processes, procRoot, procWarnings);
  const own = options.hideOwnFds && options.hideOwnFds.size > 0 ? fdTable.byPid.get(process.pid) : undefined;
  if (own) for (const fd of options.hideOwnFds!) own.delete(fd);
  const scan = scanNetworkNamespaces(processes, { procRoot, fdTable });
  const warnings = [...procWarnings, ...scan.warnings].map((message) => ({ subject: "procfs", message }));
  return { procRoot, bootId, processes, fdTable, scan, warnings, memo: new Map() };
}

/** A value derived from one procfs scan only, computed once per scan; its warnings replayed. */
function memo<T>(state: ProcfsState, name: string, warn: Warn, compute: (warn: Warn) => T): T {
  let entry = state.memo.get(name) as { value: T; warnings: Warning[] } | undefined;
  if (!entry) {
    const warnings: Warning[] = [];
    entry = { value: compute((subject, message) => warnings.push({ subject, message })), warnings };
    state.memo.set(name, entry);
  }
  for (const w of entry.warnings) warn(w.subject, w.message);
  return entry.value;
}

// ---------------------------------------------------------------------------------------------
// one namespace

/** One namespace as read over netlink, with the fd it was read through. */
export interface CollectedNamespace {
  candidate: NetnsCandidate;
  handle: NamespaceHandle;
  raw: RawNamespace;
  key: NetnsKey;
  /** nf_tables rules, read for forwarded ports. */
  rules: NftRule[];
  /** The sets (with elements) of the tables whose rules need them: kube-proxy's. */
  sets: NftSetWithElements[];
  /** What reading it warned about, in order. */
  warnings: Warning[];
  /**
   * The NETLINK_ROUTE socket it was read through, when the reader asked to keep it (for the NSID
   * queries of assemble, saving a socket per namespace); closed by closeNamespaces.
   */
  routeSocket?: NetlinkSocket;
}

/** Opens the namespace behind a candidate; null (with a warning) when it cannot be opened. */
export function openCandidate(candidate: NetnsCandidate, warn: Warn): number | null {
  try {
    return openFile(candidate.openPath);
  } catch (err) {
    warn(`net:[${candidate.inode}]`, `skipped: cannot open ${candidate.openPath}: ${(err as Error).message}`);
    return null;
  }
}

/**
 * Reads one namespace through an fd of it. Never throws: a namespace that cannot be read is
 * null, with a warning. The fd stays the caller's (open or close it as it likes).
 */
export function readNamespace(
  candidate: NetnsCandidate,
  handle: NamespaceHandle,
  bootId: string,
  options: { listeningOnly?: boolean; keepRouteSocket?: boolean },
): { namespace: CollectedNamespace | null; warnings: Warning[] } {
  const warnings: Warning[] = [];
  const warn: Warn = (subject, message) => warnings.push({ subject, message });
  const subject = `net:[${candidate.inode}]`;
  let sockets: (NetlinkSocket | Error)[] = [];
  let keep: NetlinkSocket | undefined;
  try {
    // One switch into the namespace for all three sockets.
    sockets = openNamespaceSockets(handle, [NETLINK_ROUTE, NETLINK_SOCK_DIAG, NETLINK_NETFILTER]);
    const [route, diag, nft] = sockets as [NetlinkSocket | Error, NetlinkSocket | Error, NetlinkSocket | Error];
    if (route instanceof Error) throw route;
    const raw = collectNamespace({ route, diag }, { listeningOnly: options.listeningOnly });
    for (const what of raw.interrupted) warn(subject, `${what} dump kept being interrupted; result may be incomplete`);
    if (raw.socketsError !== null) warn(subject, `sockets not read: ${raw.socketsError}`);
    const key = netnsKey(bootId, raw.cookie);
    const { rules, sets } = readRules(nft, key, warn);
    if (options.keepRouteSocket) {
      keep = route;
      route.releaseBuffer(); // idle until assemble: its buffer serves the next namespace's sockets
    }
    return { namespace: { candidate, handle, raw, key, rules, sets, warnings, routeSocket: keep }, warnings };
  } catch (err) {
    warn(subject, `skipped: ${(err as Error).message}`);
    return { namespace: null, warnings };
  } finally {
    for (const s of sockets) if (!(s instanceof Error) && s !== keep) s.close();
  }
}

/**
 * The namespace's nf_tables rules, and the sets of kube-proxy's tables; an error (no
 * CAP_NET_ADMIN over it, say) costs the namespace its forwarded ports only, with a warning.
 */
function readRules(sock: NetlinkSocket | Error, key: NetnsKey, warn: Warn): { rules: NftRule[]; sets: NftSetWithElements[] } {
  let rules: NftRule[];
  try {
    const r = collectNftRules(sock);
    if (r.interrupted) warn(key, "nf_tables rule dump kept being interrupted; forwarded ports may be incomplete");
    rules = r.rules;
  } catch (err) {
    warn(key, `forwarded ports not read: ${(err as Error).message}`);
    return { rules: [], sets: [] };
  }
  const tables = new Map<string, { family: number; table: string }>();
  for (const r of rules) if (r.table === KUBE_PROXY_TABLE) tables.set(`${r.family}|${r.table}`, { family: r.family, table: r.table });
  if (tables.size === 0 || sock instanceof Error) return { rules, sets: [] };
  try {
    const s = collectNftSets(sock, [...tables.values()]);
    if (s.interrupted) warn(key, "nf_tables set dump kept being interrupted; kube-proxy services may be incomplete");
    return { rules, sets: s.sets };
  } catch (err) {
    warn(key, `kube-proxy's maps not read, its services are incomplete: ${(err as Error).message}`);
    return { rules, sets: [] };
  }
}

/** kube-proxy's nftables-mode table, whose maps name the services. */
const KUBE_PROXY_TABLE = "kube-proxy";

// ---------------------------------------------------------------------------------------------
// assembly

export interface AssembleOptions {
  discoveredAt: string;
  listeningOnly?: boolean;
  servicesPath?: string;
  /**
   * NSIDs already resolved, per namespace key: NSID → namespace key (or null: known not to be
   * resolvable). Entries whose target is not among `namespaces` are ignored. Only the NSIDs
   * missing here cost kernel queries.
   */
  knownNsids?: ReadonlyMap<NetnsKey, ReadonlyMap<number, NetnsKey | null>>;
}

export interface Assembled {
  topology: Topology;
  /** Per namespace key: every NSID its links reference, resolved (null: unresolved). */
  nsids: Map<NetnsKey, Map<number, NetnsKey | null>>;
}

/**
 * One Topology from a procfs scan and the namespaces read since. `warnings` come first (procfs
 * and collection, in the order they were found), then what assembling adds.
 */
export function assemble(
  procfs: ProcfsState,
  opened: CollectedNamespace[],
  collectWarnings: Warning[],
  options: AssembleOptions,
): Assembled {
  const { bootId, processes, fdTable, procRoot } = procfs;
  const warnings: Warning[] = [...procfs.warnings, ...collectWarnings];
  const warn: Warn = (subject, message) => warnings.push({ subject, message });

  const indexOfKey = new Map(opened.map((o, i) => [o.key, i]));
  const seed = opened.map((o) => {
    const known = options.knownNsids?.get(o.key);
    const m = new Map<number, number | null>();
    if (known)
      for (const [nsid, target] of known) {
        if (target === null) m.set(nsid, null);
        else if (indexOfKey.has(target)) m.set(nsid, indexOfKey.get(target)!);
      }
    return m;
  });
  const nsids = resolveNsids(
    opened.map((o) => ({ ns: o.handle, links: o.raw.links, socket: o.routeSocket })),
    seed,
  );
  for (const w of nsids.warnings) warn(opened[w.subject]!.key, w.message);

  const pidToNetns = new Map<number, NetnsKey>();
  for (const o of opened)
    for (const r of o.candidate.references) if (r.kind === "process") pidToNetns.set(r.pid, o.key);

  const tenants = tenantsOf(procfs, opened, warn);
  const owners = memo(procfs, "socketOwners", warn, () =>
    socketOwners(fdTable.byPid, (pid) => {
      const p = processes.get(pid);
      return p && processKey(bootId, pid, p.startTime);
    }),
  );
  const services = memo(procfs, `services:${options.servicesPath ?? ""}`, warn, (w): ServiceTable =>
    readServices(options.servicesPath, (m) => w("services", m)),
  );
  const shared = { socketOwners: owners, services };

  const namespaces: NetworkNamespace[] = [];
  const subjects: RelationSubject[] = [];
  const resolved = new Map<NetnsKey, Map<number, NetnsKey | null>>();
  for (const [i, o] of opened.entries()) {
    const nsidMap = nsids.maps[i]!;
    const keyed = new Map([...nsidMap].map(([nsid, target]) => [nsid, target === null ? null : opened[target]!.key]));
    resolved.set(o.key, keyed);
    const { namespace, byIndex } = buildNamespace({ ...o, nsids: keyed, tenants: tenants.tenants[i]! }, bootId, processes, warn, shared);
    namespaces.push(namespace);
    subjects.push({ links: o.raw.links, byIndex, nsids: nsidMap });
  }
  resolveRelations(subjects);
  resolveSriov(namespaces);
  resolveTunnelUnderlays(namespaces);

  const tunFds = memo(procfs, "tunFds", warn, (w): TunFd[] => {
    const tunWarnings: string[] = [];
    const fds = readTunFds(fdTable, procRoot, tunWarnings);
    for (const m of tunWarnings) w("procfs", m);
    return fds;
  });

  const pidNamespaces = memo(procfs, "pidNamespaces", warn, (w) => collectPidNamespaces(processes, bootId, procRoot, (m) => w("procfs", m)));
  const processList: Process[] = [...processes.values()].map((p) => ({
    key: processKey(bootId, p.pid, p.startTime),
    pid: p.pid,
    ppid: p.ppid,
    comm: p.comm,
    cmdline: p.cmdline,
    startTime: p.startTime,
    uid: p.uid,
    netns: pidToNetns.get(p.pid) ?? null,
    pidns: pidNamespaces.keyOfPid.get(p.pid) ?? null,
    scheduling: p.scheduling && { ...p.scheduling, policy: schedPolicyName(p.scheduling.policy) },
    cpuAffinity: p.cpuAffinity,
  }));

  const keyByPid = new Map<number, ProcessKey>(processList.map((p) => [p.pid, p.key]));
  assignTunUsers(tunFds, namespaces, (pid) => keyByPid.get(pid), warn);
  const { forwardedPorts, services: kubeServices } = findForwardedPorts(
    opened.map((o) => ({ netns: o.key, rules: o.rules, sets: o.sets })),
    processList,
    warn,
  );

  const host = memo(procfs, "host", warn, (w) => ({
    caps: readEffectiveCapabilities(procRoot),
    info: {
      bootId,
      hostname: readTrimmed(`${procRoot}/sys/kernel/hostname`),
      kernelRelease: readTrimmed(`${procRoot}/sys/kernel/osrelease`),
      kernelVersion: readKernelVersion(procRoot),
      os: readHostOsRelease(procRoot, (m) => w("procfs", m)),
      cpusOnline: readCpusOnline(),
    },
  }));
  const interfaces = namespaces.reduce((n, ns) => n + ns.interfaces.length, 0);
  const topology: Topology = {
    formatVersion: TOPOLOGY_FORMAT_VERSION,
    host: { ...host.info },
    discoveredAt: options.discoveredAt,
    namespaces,
    processes: processList,
    pidNamespaces: pidNamespaces.list,
    forwardedPorts,
    engines: [],
    containers: [],
    containerNetworks: [],
    pods: [],
    services: kubeServices,
    privileges: { root: process.getuid?.() === 0, missing: missingForDiscovery(host.caps) },
    warnings,
    stats: {
      durationMs: 0,
      namespaces: namespaces.length,
      interfaces,
      addresses: namespaces.reduce((n, ns) => n + ns.interfaces.reduce((m, i) => m + i.addresses.length, 0), 0),
      routes: namespaces.reduce((n, ns) => n + ns.routes.length, 0),
      sockets: namespaces.reduce((n, ns) => n + ns.sockets.length, 0),
      socketStates: options.listeningOnly ? "listening" : "all",
      processes: processList.length,
      tenants: tenants.stats.tenants,
      dnsFileSets: tenants.stats.dnsFileSets,
      utsNamespaces: tenants.stats.utsNamespaces,
      nsidQueries: nsids.queries,
      dumpRetries: opened.reduce((n, o) => n + o.raw.retries, 0),
      initialNamespaceBy: procfs.scan.initialMethod,
    },
  };
  resolveForwardedPortDestinations(topology);
  resolveServiceEndpoints(topology);
  sortTopology(topology);
  return { topology, nsids: resolved };
}

/**
 * Tenants depend only on the scan (who is in which namespace) and on which namespaces were read,
 * so a watcher re-reading one namespace's links reuses them (no DNS file, no UTS switch).
 */
function tenantsOf(procfs: ProcfsState, opened: CollectedNamespace[], warn: Warn): { tenants: Tenant[][]; stats: TenantStats } {
  const name = `tenants:${opened.map((o) => o.key).join(",")}`;
  for (const k of procfs.memo.keys()) if (k.startsWith("tenants:") && k !== name) procfs.memo.delete(k);
  return memo(procfs, name, warn, (w) => {
    const memberships = opened.map((o) => new Set(o.candidate.references.flatMap((r) => (r.kind === "process" ? [r.pid] : []))));
    return collectTenants(memberships, procfs.processes, procfs.bootId, procfs.procRoot, (i, m) => w(opened[i]!.key, m));
  });
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

/** Closes the namespace fds of a set of collected namespaces (discover() holds none afterwards). */
export function closeNamespaces(opened: CollectedNamespace[]): void {
  for (const o of opened) {
    o.routeSocket?.close();
    closeQuietly(o.handle.fd);
  }
}
