// Where `ls` and `dump` get their Topology: a fresh discovery, or with --at a recorded moment
// rebuilt from the history database.

import { discoverWithEngines } from "../../discovery/discover-with-engines.ts";
import { discoverNamespacesInParallel } from "../../discovery/parallel.ts";
import { defaultWorkers } from "../../discovery/workers/pool.ts";
import type { Topology } from "../../model/topology.ts";
import { Store } from "../../store/index.ts";
import { dbPath } from "../db-path.ts";
import { parseMoment } from "../time-spec.ts";
import { UsageError } from "../usage-error.ts";

export const WORKERS_HELP = `      --workers N       read namespaces on N threads at once (default: one per core, here ${defaultWorkers()})`;

/** --workers N: a whole number of reader threads, at least 1 (default one per core). */
export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return defaultWorkers();
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 256) throw new UsageError(`--workers takes a whole number from 1 to 256, not '${value}'`);
  return n;
}

/** A discovery now, containers named, its namespaces read by `workers` reader threads. */
export function discoverWithWorkers(options: { listeningOnly?: boolean }, workers: number): Promise<Topology> {
  return discoverWithEngines(options, (o) => discoverNamespacesInParallel(o, workers));
}

export const AT_OPTIONS_HELP = `      --at MOMENT       show what was recorded then instead of discovering now: a revision,
                        a time (2026-11-22T10:00), a relative time (-1h) or now
      --db PATH         the history database for --at (see 'wiresight help record')`;

/**
 * The topology a command shows: discovered now (by `discoverNow`, so each command picks its own
 * options) or, with --at, rebuilt from the history database.
 */
export async function topologyFor(
  values: { at?: string; db?: string },
  discoverNow: () => Promise<Topology>,
): Promise<{ topology: Topology; recorded: boolean }> {
  if (values.at === undefined) {
    if (values.db !== undefined) throw new UsageError("--db goes with --at (without it, the topology is discovered now)");
    return { topology: await discoverNow(), recorded: false };
  }
  const moment = parseMoment(values.at);
  const store = Store.open(dbPath(values.db), { readonly: true });
  try {
    const revision = store.resolve(moment);
    const topology = store.at({ revision });
    process.stderr.write(`wiresight: as recorded at revision ${revision} (${topology.discoveredAt})\n`);
    return { topology, recorded: true };
  } finally {
    store.close();
  }
}
