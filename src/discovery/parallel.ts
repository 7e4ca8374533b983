// A one-shot discovery with the namespaces read on every core: the same phases as discover.ts,
// but each namespace read in a reader Worker (workers/pool.ts). The Workers start first and load
// while this thread walks procfs; each read keeps its NETLINK_ROUTE socket open and hands over
// its fd, through which this thread then resolves NSIDs (fds are process-wide) and closes it.

import { closeQuietly } from "../ffi/index.ts";
import type { NetnsKey } from "../model/keys.ts";
import { Assembly } from "./assembly.ts";
import { resolveNsidsHere, type Discovered, type DiscoverOptions, type DiscoveryTimings } from "./discover.ts";
import { netlinkClock } from "./netlink-request.ts";
import { runProcfsPass } from "./procfs-pass.ts";
import { ReaderPool } from "./workers/pool.ts";

export async function discoverNamespacesInParallel(options: DiscoverOptions, workers: number): Promise<Discovered> {
  const startedAt = performance.now();
  const discoveredAt = new Date().toISOString();
  const pool = ReaderPool.start(workers);
  const routes = new Map<NetnsKey, number>();
  try {
    const procfs = runProcfsPass({ procRoot: options.procRoot, servicesPath: options.servicesPath });
    const procWalkDone = performance.now();
    const assembly = new Assembly({ listeningOnly: options.listeningOnly });
    assembly.setProcfs(procfs);
    const reads = await Promise.all(
      procfs.candidates.map((candidate) =>
        pool.read({ candidate, bootId: procfs.bootId, options: { listeningOnly: options.listeningOnly, keepRouteSocket: true } }),
      ),
    );
    for (const [i, r] of reads.entries()) {
      const ns = r.namespace;
      if (ns === null) {
        assembly.setUnreadable(procfs.candidates[i]!, r.warnings);
        continue;
      }
      if (routes.has(ns.key)) {
        closeQuietly(r.routeFd ?? -1); // the same namespace reached by two paths (should not happen: dedup is by inode)
        continue;
      }
      routes.set(ns.key, r.routeFd!);
      assembly.putNamespace(ns);
    }
    const collectDone = performance.now();
    resolveNsidsHere(assembly, (key) => {
      const fd = routes.get(key);
      return fd === undefined ? undefined : { socketFd: fd, requests: true };
    });
    if (options.timings)
      Object.assign(options.timings, {
        procWalk: procWalkDone - startedAt,
        collect: collectDone - procWalkDone,
        netlink: netlinkClock.ms, // the Workers' kernel time is theirs: this thread's only
        relations: performance.now() - collectDone,
      } satisfies DiscoveryTimings);
    return { assembly, procfs, startedAt, discoveredAt };
  } finally {
    for (const fd of routes.values()) closeQuietly(fd);
    await pool.close();
  }
}
