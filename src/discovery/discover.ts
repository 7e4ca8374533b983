// One full discovery pass: processes and namespaces from procfs, then each namespace over
// netlink, then NSIDs and relations across all of them, into one Topology. Everything here is
// synchronous on purpose: namespace switches (withNetns) must not interleave with other work.
//
// Partial failure is normal. A namespace that vanishes or cannot be opened is skipped with a
// warning; only a failure to read our own namespace aborts, because then nothing works.

import { readFileSync } from "node:fs";
import { closeQuietly, openFile, threadNetnsInode } from "../ffi/index.ts";
import { netnsKey, processKey, type NetnsKey } from "../model/keys.ts";
import {
  TOPOLOGY_FORMAT_VERSION,
  type NetworkNamespace,
  type Process,
  type Topology,
  type Warning,
} from "../model/topology.ts";
import { sortTopology } from "../model/sort.ts";
import { readBootId } from "./procfs/boot.ts";
import { missingForDiscovery, readEffectiveCapabilities } from "./procfs/capabilities.ts";
import { readProcesses, type ProcessInfo } from "./procfs/processes.ts";
import { readFdTable, scanNetworkNamespaces, type FdTable, type NetnsCandidate } from "./procfs/namespaces.ts";
import { collectNamespace, switchFd, type NamespaceHandle, type RawNamespace } from "./network/collect-namespace.ts";
import { collectNftRules } from "./forwarded-ports/collect-nftables.ts";
import { findForwardedPorts } from "./forwarded-ports/find.ts";
import { resolveForwardedPortDestinations } from "../model/forwarded-ports.ts";
import type { NftRule } from "../netlink/index.ts";
import { buildNamespace } from "./network/build-namespace.ts";
import { resolveNsids } from "./network/resolve-nsids.ts";
import { netlinkClock } from "./netlink-request.ts";
import { resolveRelations, type RelationSubject } from "./network/relations.ts";
import { collectTenants } from "./tenants/collect-tenants.ts";
import { readTunFds } from "./procfs/tun-fds.ts";
import { assignTunUsers } from "./network/tun-users.ts";
import { socketOwners } from "./network/sockets.ts";
import { readServices } from "./services.ts";

export interface DiscoverOptions {
  /** procfs mount to read (tests may point elsewhere). */
  procRoot?: string;
  /**
   * Called just before each namespace is opened. Lets tests make a namespace vanish between the
   * procfs scan and its collection, the race every real run is exposed to.
   */
  beforeNamespace?: (candidate: NetnsCandidate) => void;
  /**
   * Listening TCP and unconnected UDP sockets only. Much cheaper on a host with many namespaces:
   * a TCP dump in all states walks the kernel's host-wide established hash once per namespace.
   * Off by default, so that a discovery is complete unless asked otherwise.
   */
  listeningOnly?: boolean;
  /** /etc/services to read service names from (tests may point elsewhere). */
  servicesPath?: string;
  /** Filled with where the time went, for the benchmark (bench/discovery.ts). */
  timings?: DiscoveryTimings;
}

/** Milliseconds per phase of one discover() call. */
export interface DiscoveryTimings {
  /** Processes, the one fd pass, namespace scan (procfs). */
  procWalk: number;
  /** Per-namespace collection as a whole: opening sockets, dumps, decoding. */
  collect: number;
  /** Of `collect`: waiting on the kernel — socket opens (with the setns around them), send, recv. */
  netlink: number;
  /** NSID resolution, building the model (sockets → owners, carriers, services), relations, sort. */
  relations: number;
}

interface OpenNamespace {
  candidate: NetnsCandidate;
  handle: NamespaceHandle;
  raw: RawNamespace;
  key: NetnsKey;
  /** nf_tables rules, read for forwarded ports. */
  rules: NftRule[];
}

/** A Topology plus the procfs tables it was built from, for steps that run after it (engines). */
export interface DetailedDiscovery {
  topology: Topology;
  processes: Map<number, ProcessInfo>;
  fdTable: FdTable;
}

export function discover(options: DiscoverOptions = {}): Topology {
  return discoverDetailed(options).topology;
}

export function discoverDetailed(options: DiscoverOptions = {}): DetailedDiscovery {
  const started = performance.now();
  const discoveredAt = new Date().toISOString();
  const procRoot = options.procRoot ?? "/proc";
  const warnings: Warning[] = [];
  const warn = (subject: string, message: string) => warnings.push({ subject, message });

  const netlinkAtStart = netlinkClock.ms;
  const bootId = readBootId(procRoot);
  const procWarnings: string[] = [];
  const processes = readProcesses(procRoot, procWarnings);
  const fdTable = readFdTable(processes, procRoot, procWarnings);
  const scan = scanNetworkNamespaces(processes, { procRoot, fdTable });
  for (const m of [...procWarnings, ...scan.warnings]) warn("procfs", m);
  const procWalkDone = performance.now();

  const opened: OpenNamespace[] = [];
  let dumpRetries = 0;
  try {
    const seenCookies = new Set<bigint>();
    const ownInode = Number(threadNetnsInode());
    for (const candidate of scan.namespaces) {
      const subject = `net:[${candidate.inode}]`;
      options.beforeNamespace?.(candidate);
      let fd: number;
      try {
        fd = openFile(candidate.openPath);
      } catch (err) {
        warn(subject, `skipped: cannot open ${candidate.openPath}: ${(err as Error).message}`);
        continue;
      }
      try {
        const handle = { fd, current: candidate.inode === ownInode };
        const raw = collectNamespace(handle, { listeningOnly: options.listeningOnly });
        dumpRetries += raw.retries;
        for (const what of raw.interrupted) warn(subject, `${what} dump kept being interrupted; result may be incomplete`);
        if (raw.socketsError !== null) warn(subject, `sockets not read: ${raw.socketsError}`);
        if (seenCookies.has(raw.cookie)) {
          closeQuietly(fd); // the same namespace reached by two paths (should not happen: dedup is by inode)
          continue;
        }
        seenCookies.add(raw.cookie);
        const key = netnsKey(bootId, raw.cookie);
        opened.push({ candidate, handle, raw, key, rules: readRules(handle, key, warn) });
      } catch (err) {
        closeQuietly(fd);
        warn(subject, `skipped: ${(err as Error).message}`);
      }
    }

    const collectDone = performance.now();
    const netlinkInCollect = netlinkClock.ms - netlinkAtStart;
    const nsids = resolveNsids(opened.map((o) => ({ ns: o.handle, links: o.raw.links })));
    for (const w of nsids.warnings) warn(opened[w.subject]!.key, w.message);

    const pidToNetns = new Map<number, NetnsKey>();
    for (const o of opened)
      for (const r of o.candidate.references) if (r.kind === "process") pidToNetns.set(r.pid, o.key);

    const memberships = opened.map((o) => new Set(o.candidate.references.flatMap((r) => (r.kind === "process" ? [r.pid] : []))));
    const tenants = collectTenants(memberships, processes, bootId, procRoot, (i, m) => warn(opened[i]!.key, m));
    const owners = socketOwners(fdTable.byPid, (pid) => {
      const p = processes.get(pid);
      return p && processKey(bootId, pid, p.startTime);
    });
    const shared = { socketOwners: owners, services: readServices(options.servicesPath, (m) => warn("services", m)) };

    const namespaces: NetworkNamespace[] = [];
    const subjects: RelationSubject[] = [];
    for (const [i, o] of opened.entries()) {
      const nsidMap = nsids.maps[i]!;
      const keyed = new Map([...nsidMap].map(([nsid, target]) => [nsid, target === null ? null : opened[target]!.key]));
      const { namespace, byIndex } = buildNamespace({ ...o, nsids: keyed, tenants: tenants.tenants[i]! }, bootId, processes, warn, shared);
      namespaces.push(namespace);
      subjects.push({ links: o.raw.links, byIndex, nsids: nsidMap });
    }
    resolveRelations(subjects);

    const tunWarnings: string[] = [];
    const tunFds = readTunFds(fdTable, procRoot, tunWarnings);
    for (const m of tunWarnings) warn("procfs", m);

    const processList: Process[] = [...processes.values()].map((p) => ({
      key: processKey(bootId, p.pid, p.startTime),
      pid: p.pid,
      ppid: p.ppid,
      comm: p.comm,
      cmdline: p.cmdline,
      startTime: p.startTime,
      uid: p.uid,
      netns: pidToNetns.get(p.pid) ?? null,
    }));

    const keyByPid = new Map(processList.map((p) => [p.pid, p.key]));
    assignTunUsers(tunFds, namespaces, (pid) => keyByPid.get(pid), warn);
    const forwardedPorts = findForwardedPorts(
      opened.map((o) => ({ netns: o.key, rules: o.rules })),
      processList,
      warn,
    );

    const caps = readEffectiveCapabilities(procRoot);
    const interfaces = namespaces.reduce((n, ns) => n + ns.interfaces.length, 0);
    const topology: Topology = {
      formatVersion: TOPOLOGY_FORMAT_VERSION,
      host: { bootId, hostname: readTrimmed(`${procRoot}/sys/kernel/hostname`), kernelRelease: readTrimmed(`${procRoot}/sys/kernel/osrelease`) },
      discoveredAt,
      namespaces,
      processes: processList,
      forwardedPorts,
      engines: [],
      containers: [],
      containerNetworks: [],
      privileges: { root: process.getuid?.() === 0, missing: missingForDiscovery(caps) },
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
        dumpRetries,
        initialNamespaceBy: scan.initialMethod,
      },
    };
    resolveForwardedPortDestinations(topology);
    sortTopology(topology);
    const end = performance.now();
    topology.stats.durationMs = Math.round((end - started) * 100) / 100;
    if (options.timings)
      Object.assign(options.timings, {
        procWalk: procWalkDone - started,
        collect: collectDone - procWalkDone,
        netlink: netlinkInCollect,
        relations: end - collectDone,
      } satisfies DiscoveryTimings);
    return { topology, processes, fdTable };
  } finally {
    for (const o of opened) closeQuietly(o.handle.fd);
  }
}

/**
 * The namespace's nf_tables rules; an error (no CAP_NET_ADMIN over it, say) costs the namespace
 * its forwarded ports only, with a warning.
 */
function readRules(handle: NamespaceHandle, key: NetnsKey, warn: (subject: string, message: string) => void): NftRule[] {
  try {
    const r = collectNftRules(switchFd(handle));
    if (r.interrupted) warn(key, "nf_tables rule dump kept being interrupted; forwarded ports may be incomplete");
    return r.rules;
  } catch (err) {
    warn(key, `forwarded ports not read: ${(err as Error).message}`);
    return [];
  }
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}
