// One full discovery pass: processes and namespaces from procfs, then each namespace over
// netlink, then NSIDs and relations across all of them, into one Topology. Everything here is
// synchronous on purpose: namespace switches (withNetns) must not interleave with other work.
//
// Partial failure is normal. A namespace that vanishes or cannot be opened is skipped with a
// warning; only a failure to read our own namespace aborts, because then nothing works.

import { threadNetnsInode, closeQuietly } from "../ffi/index.ts";
import type { Topology, Warning } from "../model/topology.ts";
import type { ProcessInfo } from "./procfs/processes.ts";
import { withoutNoise } from "../model/without-noise.ts";
import type { FdTable, NetnsCandidate } from "./procfs/namespaces.ts";
import { netlinkClock } from "./netlink-request.ts";
import { assemble, closeNamespaces, openCandidate, readNamespace, scanProcfs, type CollectedNamespace } from "./session.ts";

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

/**
 * A Topology (with every process: engines and containers are matched to them next) plus the
 * procfs tables it was built from, for steps that run after it (engines).
 */
export interface DetailedDiscovery {
  topology: Topology;
  processes: Map<number, ProcessInfo>;
  fdTable: FdTable;
}

/** The topology as wiresight reports it (model/without-noise.ts). */
export function discover(options: DiscoverOptions = {}): Topology {
  return withoutNoise(discoverDetailed(options).topology);
}

export function discoverDetailed(options: DiscoverOptions = {}): DetailedDiscovery {
  const started = performance.now();
  const discoveredAt = new Date().toISOString();
  const netlinkAtStart = netlinkClock.ms;
  const procfs = scanProcfs({ procRoot: options.procRoot });
  const procWalkDone = performance.now();

  const opened: CollectedNamespace[] = [];
  const collectWarnings: Warning[] = [];
  const warn = (subject: string, message: string) => collectWarnings.push({ subject, message });
  try {
    const seenCookies = new Set<bigint>();
    const ownInode = Number(threadNetnsInode());
    for (const candidate of procfs.scan.namespaces) {
      options.beforeNamespace?.(candidate);
      const fd = openCandidate(candidate, warn);
      if (fd === null) continue;
      const handle = { fd, current: candidate.inode === ownInode };
      // The route socket stays open until the end, for assemble's NSID queries.
      const read = readNamespace(candidate, handle, procfs.bootId, { listeningOnly: options.listeningOnly, keepRouteSocket: true });
      collectWarnings.push(...read.warnings);
      const ns = read.namespace;
      if (ns === null || seenCookies.has(ns.raw.cookie)) {
        // Unreadable, or the same namespace reached by two paths (should not happen: dedup is by inode).
        ns?.routeSocket?.close();
        closeQuietly(fd);
        continue;
      }
      seenCookies.add(ns.raw.cookie);
      opened.push(ns);
    }

    const collectDone = performance.now();
    const netlinkInCollect = netlinkClock.ms - netlinkAtStart;
    const { topology } = assemble(procfs, opened, collectWarnings, {
      discoveredAt,
      listeningOnly: options.listeningOnly,
      servicesPath: options.servicesPath,
    });
    const end = performance.now();
    topology.stats.durationMs = Math.round((end - started) * 100) / 100;
    if (options.timings)
      Object.assign(options.timings, {
        procWalk: procWalkDone - started,
        collect: collectDone - procWalkDone,
        netlink: netlinkInCollect,
        relations: end - collectDone,
      } satisfies DiscoveryTimings);
    return { topology, processes: procfs.processes, fdTable: procfs.fdTable };
  } finally {
    closeNamespaces(opened);
  }
}
