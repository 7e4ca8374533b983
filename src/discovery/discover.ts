// One full discovery pass on the calling thread: processes and namespaces from procfs, then each
// namespace over netlink, then NSIDs and relations across all of them, into one Topology.
// Synchronous on purpose: namespace switches must not interleave with other work. (`dump` and
// `ls` read namespaces on every core instead: parallel.ts, same phases.)
//
// Partial failure is normal. A namespace that vanishes or cannot be opened is skipped with a
// warning; only a failure to read our own namespace aborts, because then nothing works.

import type { NetlinkSocket } from "../ffi/index.ts";
import type { NetnsKey } from "../model/keys.ts";
import type { Topology } from "../model/topology.ts";
import { Assembly } from "./assembly.ts";
import type { NetnsCandidate } from "./procfs/namespaces.ts";
import { runProcfsPass, type ProcfsPass } from "./procfs-pass.ts";
import { netlinkClock } from "./netlink-request.ts";
import { readNamespace } from "./network/read-namespace.ts";
import { askNsids, type NsidHandle } from "./network/resolve-nsids.ts";

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

/** Namespaces read and assembled, not built yet: engines may still decorate them. */
export interface Discovered {
  assembly: Assembly;
  procfs: ProcfsPass;
  startedAt: number;
  discoveredAt: string;
}

/** A discovery on this thread, as wiresight reports it (processes with a network role only: model/network-processes.ts). */
export function discover(options: DiscoverOptions = {}): Topology {
  const d = discoverNamespaces(options);
  return finish(d, options);
}

/** Builds the Topology of a discovery (its duration since the start) and times the build. */
export function finish(d: Discovered, options: DiscoverOptions, relationsFrom = performance.now()): Topology {
  const { topology } = d.assembly.build(d.discoveredAt);
  const end = performance.now();
  topology.stats.durationMs = Math.round((end - d.startedAt) * 100) / 100;
  if (options.timings) options.timings.relations += end - relationsFrom;
  return topology;
}

/** procfs, every namespace read on this thread, NSIDs resolved: everything but the build. */
export function discoverNamespaces(options: DiscoverOptions = {}): Discovered {
  const startedAt = performance.now();
  const discoveredAt = new Date().toISOString();
  const netlinkAtStart = netlinkClock.ms;
  const procfs = runProcfsPass({ procRoot: options.procRoot, servicesPath: options.servicesPath });
  const procWalkDone = performance.now();
  const assembly = new Assembly({ listeningOnly: options.listeningOnly });
  assembly.setProcfs(procfs);
  // The route socket of each namespace stays open until its NSIDs are resolved.
  const routes = new Map<NetnsKey, NetlinkSocket>();
  try {
    for (const candidate of procfs.candidates) {
      options.beforeNamespace?.(candidate);
      const r = readNamespace(candidate, procfs.bootId, { listeningOnly: options.listeningOnly, keepRouteSocket: true });
      const ns = r.namespace;
      if (ns === null) {
        assembly.setUnreadable(candidate, r.warnings);
        continue;
      }
      if (routes.has(ns.key)) {
        ns.routeSocket?.close(); // the same namespace reached by two paths (should not happen: dedup is by inode)
        continue;
      }
      routes.set(ns.key, ns.routeSocket!);
      assembly.putNamespace(ns);
    }
    const collectDone = performance.now();
    const netlinkInCollect = netlinkClock.ms - netlinkAtStart;
    resolveNsidsHere(assembly, (key) => {
      const sock = routes.get(key);
      return sock && { socketFd: sock.fd, requests: true };
    });
    if (options.timings)
      Object.assign(options.timings, {
        procWalk: procWalkDone - startedAt,
        collect: collectDone - procWalkDone,
        netlink: netlinkInCollect,
        relations: performance.now() - collectDone,
      } satisfies DiscoveryTimings);
    return { assembly, procfs, startedAt, discoveredAt };
  } finally {
    for (const s of routes.values()) s.close();
  }
}

/**
 * Resolves every NSID the assembled namespaces reference, asking the kernel on this thread
 * through a socket in each namespace (`handleOf`).
 */
export function resolveNsidsHere(assembly: Assembly, handleOf: (key: NetnsKey) => NsidHandle | undefined): void {
  const byId = (id: number) => {
    const key = assembly.keyOfId(id);
    return key === undefined ? undefined : handleOf(key);
  };
  for (let work = assembly.nextNsidWork(); work; work = assembly.nextNsidWork()) {
    const subject = handleOf(work.key);
    const answers = new Map<number, number | null>();
    try {
      if (!subject) throw new Error("no socket in it");
      const r = askNsids(subject, work.id, work.plan.questions, byId, assembly.subjectIds(), answers);
      assembly.applyNsids(work.key, answers, r.queries);
    } catch (err) {
      assembly.failNsids(work.key, (err as Error).message);
    }
  }
}
