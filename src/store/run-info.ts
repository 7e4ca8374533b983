// The per-recording parts of a Topology that are not entities: stats (without the duration,
// which has its own column), warnings, host and privileges. They are the same from one recording
// to the next almost always, so a snapshots row stores each only when it differs from the
// previous recording's (null means "as before"): an unchanged host then costs a row of a few
// numbers. Reading looks back to the latest recording that stored it.

import { and, desc, isNotNull, lte } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { Topology } from "../model/topology.ts";
import { snapshots } from "./schema.ts";

export const RUN_FIELDS = ["stats", "warnings", "host", "privileges"] as const;
export type RunField = (typeof RUN_FIELDS)[number];
/** Each field as its JSON text. */
export type RunInfo = Record<RunField, string>;

export function runInfoOf(t: Topology): RunInfo {
  const { durationMs: _, ...stats } = t.stats;
  return { stats: JSON.stringify(stats), warnings: JSON.stringify(t.warnings), host: JSON.stringify(t.host), privileges: JSON.stringify(t.privileges) };
}

/** What to store: null for every field equal to the previous recording's. */
export function runInfoDelta(now: RunInfo, previous: RunInfo | null): Record<RunField, string | null> {
  const out = {} as Record<RunField, string | null>;
  for (const f of RUN_FIELDS) out[f] = previous !== null && previous[f] === now[f] ? null : now[f];
  return out;
}

/** The run info in force at `revision`: each field from the latest recording at or before it that stored it. */
export function runInfoAt(db: BunSQLiteDatabase, revision: number): RunInfo | null {
  const out = {} as RunInfo;
  for (const f of RUN_FIELDS) {
    const col = snapshots[f];
    const row = db.select({ v: col }).from(snapshots).where(and(lte(snapshots.id, revision), isNotNull(col))).orderBy(desc(snapshots.id)).limit(1).get();
    if (!row?.v) return null;
    out[f] = row.v;
  }
  return out;
}

/** Fills the stored fields of a snapshots row over `previous` (a row's nulls mean "as before"). */
export function carry(row: Record<RunField, string | null>, previous: RunInfo | null): RunInfo {
  const out = {} as RunInfo;
  for (const f of RUN_FIELDS) {
    const v = row[f] ?? previous?.[f];
    if (v === undefined) throw new Error(`snapshot without ${f} and nothing before it`);
    out[f] = v;
  }
  return out;
}

export function topologyFields(info: RunInfo, durationMs: number): Pick<Topology, "stats" | "warnings" | "host" | "privileges"> {
  return {
    stats: { durationMs, ...JSON.parse(info.stats) },
    warnings: JSON.parse(info.warnings),
    // Recordings from before these host fields existed: not known.
    host: { kernelVersion: null, os: null, cpusOnline: null, ...JSON.parse(info.host) },
    privileges: JSON.parse(info.privileges),
  };
}
