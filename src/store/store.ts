// The store: record a Topology as temporal rows, rebuild any recorded moment, diff two moments,
// replay the changes in between, prune old history, and report its size. Generic over entity
// kinds (registry.ts). Every write is one synchronous transaction, so a crash (even kill -9)
// loses at most the recording in progress.

import { and, asc, count, desc, eq, getTableName, gt, isNull, lt, lte, max, min, or } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { sortTopology } from "../model/sort.ts";
import { TOPOLOGY_FORMAT_VERSION, type NetworkNamespace, type Topology } from "../model/topology.ts";
import { compare, rowsMap, type ChangeEvent, type Diff, type EntityDiff } from "./entity-diff.ts";
import { explain, StoreError } from "./errors.ts";
import type { Rebuild } from "./kind.ts";
import { openDatabase, type OpenOptions } from "./open.ts";
import { KINDS } from "./registry.ts";
import { carry, runInfoAt, runInfoDelta, runInfoOf, topologyFields, type RunInfo } from "./run-info.ts";
import { snapshots, type VersionTable } from "./schema.ts";
import type { Entity, TopLevelList } from "./kind.ts";
import { enumerateContext } from "./registry.ts";
import { CurrentRows, VersionWrites, recordKind } from "./write-versions.ts";

export type { ChangeEvent, Diff, EntityDiff };

/** A moment in the history: a revision number, or a time (ms since the epoch). */
export type Moment = { revision: number } | { time: number };

export interface RecordResult {
  revision: number;
  added: number;
  removed: number;
  changed: number;
  /** With `events`: what changes() will say of this revision, in its order. */
  events?: ChangeEvent[];
}

export interface Snapshot extends RecordResult {
  time: string;
  durationMs: number;
  /** Entity counts as discovery reported them (namespaces, interfaces…). */
  stats: Topology["stats"];
  warnings: number;
}

export interface RetentionPolicy {
  /** Drop recordings older than this many milliseconds (the latest is always kept). */
  maxAgeMs?: number;
  /** Drop the oldest recordings until the data fits in this many bytes. */
  maxBytes?: number;
}

export interface StoreInfo {
  path: string;
  /** The database file plus its write-ahead log. */
  fileBytes: number;
  /** Bytes in use inside the file (what maxBytes retention compares with). */
  usedBytes: number;
  revisions: { first: number | null; last: number | null; count: number };
  rows: Record<string, number>;
}

/**
 * The current versions of every kind as of one revision, kept between recordings by the store
 * that wrote them, so that recording every few seconds does not re-read them all each time.
 */
interface CurrentCache {
  revision: number;
  kinds: Map<string, CurrentRows>;
  runInfo: RunInfo;
}

export interface RecordOptions {
  /** Record nothing (and return null) when no entity changed. */
  skipUnchanged?: boolean;
  /**
   * What may differ from the topology this store recorded last (a watcher knows): only those
   * namespaces (with everything in them; null for one that is gone) and lists are compared, the
   * rest is taken as unchanged. Ignored (everything compared) when this store did not write the
   * latest recording itself.
   */
  scope?: RecordScope;
  /** Return the revision's change events too (what changes() would read back), from what was written. */
  events?: boolean;
}

export interface RecordScope {
  namespaces: ReadonlyMap<string, NetworkNamespace | null>;
  /** Of `namespaces`, those that were not read again: what only a read changes (addresses, routes) is not compared there. */
  unread?: ReadonlySet<string>;
  lists: ReadonlySet<TopLevelList>;
}

/** Thrown inside a recording's transaction to roll it back: nothing changed. */
const UNCHANGED = new Error("unchanged: rolled back");

interface VersionRow {
  key: string;
  parent: string | null;
  attrs: string;
}

export class Store {
  private cache: CurrentCache | null = null;

  private constructor(
    readonly path: string,
    private readonly sqlite: Database,
    private readonly db: BunSQLiteDatabase,
  ) {}

  static open(path: string, options: OpenOptions = {}): Store {
    const { sqlite, db } = openDatabase(path, options);
    return new Store(path, sqlite, db);
  }

  /**
   * The drizzle handle on this file, for the alert engine's own tables (alert-tables.ts), which
   * share the file and its migrations. Never for the history tables: those are written only here.
   */
  database(): BunSQLiteDatabase {
    return this.db;
  }

  /** Closes the file; the last connection to close folds the write-ahead log back into it. */
  close(): void {
    this.sqlite.close(true);
  }

  /**
   * Records a discovery: a snapshots row, plus a version row for each entity that changed.
   * With `skipUnchanged`, a discovery in which no entity changed is not recorded at all (the
   * transaction is rolled back: history does not grow) and null is returned; run information
   * alone (duration, warnings, stats) is no change.
   */
  record(t: Topology): RecordResult;
  record(t: Topology, options: RecordOptions): RecordResult | null;
  record(t: Topology, options: RecordOptions = {}): RecordResult | null {
    const time = Date.parse(t.discoveredAt);
    if (Number.isNaN(time)) throw new StoreError(`cannot record a topology whose discoveredAt is not a time: '${t.discoveredAt}'`);
    const info = runInfoOf(t);
    let kept: CurrentCache | null = null;
    const done = this.guard(() => {
      try {
        return this.db.transaction(
          (txn) => {
            const tx = txn as unknown as BunSQLiteDatabase;
            // What this store remembers of the current versions holds only if nobody else
            // recorded since it did. (The immediate transaction holds the write lock; a failed
            // one drops the cache, which it may have half-updated.)
            const previous = tx.select({ id: max(snapshots.id) }).from(snapshots).get()?.id ?? null;
            const cache = previous !== null && this.cache?.revision === previous ? this.cache : null;
            this.cache = null;
            const previousInfo = cache ? cache.runInfo : previous === null ? null : runInfoAt(tx, previous);
            const inserted = tx
              .insert(snapshots)
              .values({
                time,
                durationMs: t.stats.durationMs,
                added: 0,
                removed: 0,
                changed: 0,
                ...runInfoDelta(info, previousInfo),
              })
              .returning({ id: snapshots.id })
              .get();
            const revision = inserted.id;
            const kinds = new Map<string, CurrentRows>();
            const totals = { added: 0, removed: 0, changed: 0 };
            const scope = cache ? options.scope : undefined;
            const writes = new VersionWrites(this.sqlite);
            const events: ChangeEvent[] | undefined = options.events ? [] : undefined;
            const ctx = enumerateContext(t);
            for (const kind of KINDS) {
              const current = cache?.kinds.get(kind.name) ?? CurrentRows.load(tx, kind.table);
              let entities: Iterable<Entity> = kind.enumerate(t);
              let mayHaveGone: Iterable<string> = current.rows.keys();
              if (scope) {
                const place = kind.place;
                if ("list" in place) {
                  if (!scope.lists.has(place.list)) {
                    kinds.set(kind.name, current);
                    continue;
                  }
                } else {
                  const keys = [...scope.namespaces.keys()].filter((k) => !(place.onlyByRead && scope.unread?.has(k)));
                  entities = keys.flatMap((k) => {
                    const ns = scope.namespaces.get(k);
                    return ns ? [...place.inNamespace(ns, ctx)] : [];
                  });
                  mayHaveGone = keys.flatMap((k) => [...current.keysIn(k)]);
                }
              }
              const before = events?.length ?? 0;
              const n = recordKind(writes, kind, entities, mayHaveGone, revision, current, events);
              // changes() orders one revision's events by kind (registry order), then key.
              if (events && events.length > before + 1) {
                const mine = events.splice(before).sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
                events.push(...mine);
              }
              kinds.set(kind.name, current);
              totals.added += n.added;
              totals.removed += n.removed;
              totals.changed += n.changed;
            }
            if (options.skipUnchanged && totals.added + totals.removed + totals.changed === 0) {
              // Nothing was written but the snapshots row, so the current versions read (or
              // cached) are still those of `previous`: keep them for the next recording.
              if (previous !== null && previousInfo) kept = { revision: previous, kinds, runInfo: previousInfo };
              throw UNCHANGED;
            }
            tx.update(snapshots).set(totals).where(eq(snapshots.id, revision)).run();
            return { result: { revision, ...totals, ...(events ? { events } : {}) }, kinds };
          },
          { behavior: "immediate" },
        );
      } catch (err) {
        if (err === UNCHANGED) return null;
        throw err;
      }
    });
    if (done === null) {
      this.cache = kept;
      return null;
    }
    this.cache = { revision: done.result.revision, kinds: done.kinds, runInfo: info };
    return done.result;
  }

  /** The revision a moment means: that revision (if kept), or the last one recorded at or before a time. */
  resolve(moment: Moment): number {
    return this.guard(() => {
      if ("revision" in moment) {
        const row = this.db.select({ id: snapshots.id }).from(snapshots).where(eq(snapshots.id, moment.revision)).get();
        if (row) return row.id;
        const range = this.revisionRange();
        throw new StoreError(
          range.count === 0
            ? `${this.path} holds no recording yet`
            : `no revision ${moment.revision} (revisions ${range.first}–${range.last} are kept)`,
        );
      }
      const row = this.db
        .select({ id: snapshots.id })
        .from(snapshots)
        .where(lte(snapshots.time, moment.time))
        .orderBy(desc(snapshots.time), desc(snapshots.id))
        .limit(1)
        .get();
      if (row) return row.id;
      const first = this.db.select({ time: snapshots.time }).from(snapshots).orderBy(asc(snapshots.time)).limit(1).get();
      throw new StoreError(
        first
          ? `nothing recorded at or before ${new Date(moment.time).toISOString()}; the first kept recording is at ${new Date(first.time).toISOString()}`
          : `${this.path} holds no recording yet`,
      );
    });
  }

  /** The latest revision, or null for an empty store. */
  latest(): number | null {
    return this.guard(() => this.db.select({ last: max(snapshots.id) }).from(snapshots).get()?.last ?? null);
  }

  /** The Topology as recorded at a moment, relations included. */
  at(moment: Moment): Topology {
    const revision = this.resolve(moment);
    return this.guard(() => {
      const snap = this.db.select({ time: snapshots.time, durationMs: snapshots.durationMs }).from(snapshots).where(eq(snapshots.id, revision)).get()!;
      const info = runInfoAt(this.db, revision);
      if (!info) throw new StoreError(`revision ${revision} is inconsistent: its stats, warnings, host or privileges are missing`);
      const topology: Topology = {
        formatVersion: TOPOLOGY_FORMAT_VERSION,
        discoveredAt: new Date(snap.time).toISOString(),
        namespaces: [],
        processes: [],
        pidNamespaces: [],
        forwardedPorts: [],
        engines: [],
        containers: [],
        containerNetworks: [],
        pods: [],
        services: [],
        ...topologyFields(info, snap.durationMs),
      };
      const objects = new Map<string, Map<string, object>>();
      const rebuild: Rebuild = {
        topology,
        put(kind, key, value) {
          let m = objects.get(kind);
          if (!m) objects.set(kind, (m = new Map()));
          m.set(key, value);
        },
        get<T>(kind: string, key: string): T {
          const v = objects.get(kind)?.get(key);
          if (v === undefined) throw new StoreError(`revision ${revision} is inconsistent: a row refers to ${kind} ${key}, which is not there`);
          return v as T;
        },
      };
      for (const kind of KINDS) for (const row of this.rowsAt(kind.table, revision)) kind.restore(JSON.parse(row.attrs), row.parent, rebuild);
      // Rows come in storage order: sort before finish() (it derives lists in the Topology's
      // order) and again after (for what it added).
      sortTopology(topology);
      for (const kind of KINDS) kind.finish?.(rebuild);
      sortTopology(topology);
      return topology;
    });
  }

  /** What differs between two moments: entities added, removed and changed (field by field). */
  diff(from: Moment, to: Moment): Diff {
    const a = this.resolve(from);
    const b = this.resolve(to);
    return this.guard(() => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const entities: EntityDiff[] = [];
      if (lo === hi) return { from: a, to: b, entities };
      for (const kind of KINDS) {
        const t = kind.table;
        // Versions valid at lo that ended within (lo, hi], and versions valid at hi that began
        // within it: only these can differ, and both are range scans on an index.
        const endedIn = rowsMap(
          this.db
            .select({ key: t.key, parent: t.parent, attrs: t.attrs })
            .from(t)
            .where(and(gt(t.validTo, lo), lte(t.validTo, hi), lte(t.validFrom, lo)))
            .all(),
        );
        const begunIn = rowsMap(
          this.db
            .select({ key: t.key, parent: t.parent, attrs: t.attrs })
            .from(t)
            .where(and(gt(t.validFrom, lo), lte(t.validFrom, hi), or(isNull(t.validTo), gt(t.validTo, hi))))
            .all(),
        );
        const [before, after] = a <= b ? [endedIn, begunIn] : [begunIn, endedIn];
        for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
          const d = compare(kind, key, before.get(key), after.get(key));
          if (d) entities.push(d);
        }
      }
      return { from: a, to: b, entities };
    });
  }

  /**
   * Every change after `from` up to and including `to`, in order, for replay. `{ revision: 0 }`
   * means before the first recording ever made (everything recorded since is then "added").
   */
  changes(from: Moment, to: Moment): ChangeEvent[] {
    const a = "revision" in from && from.revision === 0 ? 0 : this.resolve(from);
    const b = this.resolve(to);
    if (a > b) throw new StoreError(`changes: revision ${a} is after ${b}`);
    return this.guard(() => {
      const events: ChangeEvent[] = [];
      for (const kind of KINDS) {
        const t = kind.table;
        const cols = { key: t.key, attrs: t.attrs, validFrom: t.validFrom, validTo: t.validTo };
        const began = this.db.select(cols).from(t).where(and(gt(t.validFrom, a), lte(t.validFrom, b))).all();
        const ended = this.db.select(cols).from(t).where(and(gt(t.validTo, a), lte(t.validTo, b))).all();
        const endedAt = new Map(ended.map((r) => [`${r.validTo}\0${r.key}`, r]));
        for (const r of began) {
          const id = `${r.validFrom}\0${r.key}`;
          const prev = endedAt.get(id);
          endedAt.delete(id);
          const d = compare(kind, r.key, prev, r, true);
          if (d) events.push({ revision: r.validFrom, ...d });
        }
        for (const r of endedAt.values()) events.push({ revision: r.validTo!, ...compare(kind, r.key, r, undefined)! });
      }
      const order = new Map(KINDS.map((k, i) => [k.name, i]));
      return events.sort((x, y) => x.revision - y.revision || order.get(x.kind)! - order.get(y.kind)! || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    });
  }

  /** The recordings, newest first. */
  history(limit = 50): Snapshot[] {
    return this.guard(() => {
      const rows = this.db.select().from(snapshots).orderBy(desc(snapshots.id)).limit(limit).all().reverse();
      if (rows.length === 0) return [];
      // Oldest first, each row's "as before" fields filled from the one before it.
      let info = runInfoAt(this.db, rows[0]!.id);
      const out: Snapshot[] = [];
      for (const s of rows) {
        info = carry(s, info);
        const f = topologyFields(info, s.durationMs);
        out.push({ revision: s.id, time: new Date(s.time).toISOString(), durationMs: s.durationMs, added: s.added, removed: s.removed, changed: s.changed, stats: f.stats, warnings: f.warnings.length });
      }
      return out.reverse();
    });
  }

  /**
   * Drops the oldest recordings by age and/or size. A version still valid at the first kept
   * revision is kept (so `at()` of every kept revision stays whole); versions that ended before
   * it go. The latest recording is never dropped.
   */
  prune(policy: RetentionPolicy, now = Date.now()): { removedRevisions: number; firstKept: number | null } {
    return this.guard(() => {
      let removed = 0;
      const range = this.revisionRange();
      if (range.last === null) return { removedRevisions: 0, firstKept: null };
      if (policy.maxAgeMs !== undefined) {
        const keep = this.db.select({ id: min(snapshots.id) }).from(snapshots).where(gt(snapshots.time, now - policy.maxAgeMs)).get()?.id;
        removed += this.dropBefore(Math.min(keep ?? range.last, range.last));
      }
      if (policy.maxBytes !== undefined) {
        while (this.usedBytes() > policy.maxBytes) {
          const r = this.revisionRange();
          if (r.count <= 1) break;
          // Drop a tenth of what is left (at least one) per step, then measure again.
          const step = Math.max(1, Math.floor(r.count / 10));
          const keep = this.db.select({ id: snapshots.id }).from(snapshots).orderBy(asc(snapshots.id)).limit(1).offset(step).get()!.id;
          removed += this.dropBefore(keep);
        }
      }
      if (removed > 0) {
        this.sqlite.run("PRAGMA incremental_vacuum");
        this.sqlite.run("PRAGMA wal_checkpoint(TRUNCATE)");
      }
      return { removedRevisions: removed, firstKept: this.revisionRange().first };
    });
  }

  info(): StoreInfo {
    return this.guard(() => {
      const rows: Record<string, number> = { snapshots: this.db.select({ n: count() }).from(snapshots).get()!.n };
      for (const kind of KINDS) rows[getTableName(kind.table)] = this.db.select({ n: count() }).from(kind.table).get()!.n;
      return { path: this.path, fileBytes: fileSize(this.path) + fileSize(`${this.path}-wal`), usedBytes: this.usedBytes(), revisions: this.revisionRange(), rows };
    });
  }

  private rowsAt(t: VersionTable, revision: number): VersionRow[] {
    // Current versions and versions that ended later, as two range scans of the
    // (valid_to, valid_from) index (one query with OR is not always planned that way).
    const cols = { key: t.key, parent: t.parent, attrs: t.attrs };
    const current = this.db.select(cols).from(t).where(and(isNull(t.validTo), lte(t.validFrom, revision))).all();
    const ended = this.db.select(cols).from(t).where(and(gt(t.validTo, revision), lte(t.validFrom, revision))).all();
    return current.concat(ended);
  }

  private revisionRange(): StoreInfo["revisions"] {
    const r = this.db.select({ first: min(snapshots.id), last: max(snapshots.id), count: count() }).from(snapshots).get();
    return { first: r?.first ?? null, last: r?.last ?? null, count: r?.count ?? 0 };
  }

  private dropBefore(firstKept: number): number {
    return this.db.transaction(
      (tx) => {
        // The first kept recording may say "as before" of a recording about to go: write out in
        // it what was in force.
        const info = runInfoAt(tx as unknown as BunSQLiteDatabase, firstKept);
        if (info) tx.update(snapshots).set(info).where(eq(snapshots.id, firstKept)).run();
        const gone = tx.select({ n: count() }).from(snapshots).where(lt(snapshots.id, firstKept)).get()!.n;
        tx.delete(snapshots).where(lt(snapshots.id, firstKept)).run();
        for (const kind of KINDS) tx.delete(kind.table).where(lte(kind.table.validTo, firstKept)).run();
        return gone;
      },
      { behavior: "immediate" },
    );
  }

  private usedBytes(): number {
    const q = (p: string) => Number(Object.values(this.sqlite.query(`PRAGMA ${p}`).get() as object)[0]);
    return (q("page_count") - q("freelist_count")) * q("page_size");
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw explain(this.path, err);
    }
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
