// Writing one kind's versions for a new revision: compare what discovery saw with the current
// versions, close those that changed or vanished, insert the new ones.

import type { Database } from "bun:sqlite";
import { getTableName, isNull } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { canonical, fieldChanges } from "./canonical.ts";
import { compare, type ChangeEvent, type EntityDiff } from "./entity-diff.ts";
import type { Entity, Kind } from "./kind.ts";
import type { VersionTable } from "./schema.ts";

/**
 * The two writes a recording makes, as statements prepared once per connection: a recording of a
 * thousand namespaces writes tens of thousands of rows, and building SQL text per chunk (the query
 * builder) cost several times what SQLite spends on them.
 */
export class VersionWrites {
  readonly #sqlite: Database;
  constructor(sqlite: Database) {
    this.#sqlite = sqlite;
  }

  insert(table: VersionTable, row: { key: string; parent: string | null; attrs: string; validFrom: number }): number {
    const q = this.#sqlite.query<{ id: number }, [string, string | null, string, number]>(
      `INSERT INTO "${getTableName(table)}" (key, parent, attrs, valid_from) VALUES (?1, ?2, ?3, ?4) RETURNING id`,
    );
    return q.get(row.key, row.parent, row.attrs, row.validFrom)!.id;
  }

  close(table: VersionTable, id: number, revision: number): void {
    this.#sqlite.query(`UPDATE "${getTableName(table)}" SET valid_to = ?1 WHERE id = ?2`).run(revision, id);
  }

  /** The stored attributes of a version (the cache keeps only their hash). */
  attrs(table: VersionTable, id: number): string {
    return this.#sqlite.query<{ attrs: string }, [number]>(`SELECT attrs FROM "${getTableName(table)}" WHERE id = ?1`).get(id)!.attrs;
  }
}

/**
 * A 53-bit hash of a text (two 32-bit xxHash32s, one cut to 21 bits): what the cache of current
 * versions keeps instead of the text. A plain number, stored inline in its row object (a BigInt
 * would be an allocation of its own, per entity).
 */
function hashOf(text: string): number {
  return (Bun.hash.xxHash32(text, 0x9e3779b9) >>> 11) * 0x1_0000_0000 + Bun.hash.xxHash32(text);
}

/** A current version, as record() compares against it. */
export interface CurrentRow {
  id: number;
  /**
   * Hash of the stored (canonical) attributes. Hashes, not the texts: a watcher keeps the current
   * versions of every entity of the host between recordings, and the texts (twice) were most of
   * its memory. The text is read back from the database only for a version that changed.
   */
  attrs: number;
  /**
   * Hash of JSON.stringify of the attributes as discovery last built them (key order as built),
   * when this store recorded them. Equal means equal attributes, so an unchanged entity is
   * recognised by the engine's native serialiser alone; canonical() (sorted keys, several times
   * slower) runs only for entities that are new or may have changed. This is what keeps the
   * watcher's recordings of a one-namespace change cheap on a host with thousands of entities.
   */
  built?: number;
}

/**
 * The current versions of a kind, by key; for kinds that live in namespaces, also by namespace
 * (built on first use), so that a recording scoped to a few namespaces finds what may have gone
 * from them without looking at the others.
 */
export class CurrentRows {
  readonly rows: Map<string, CurrentRow>;
  #byNetns: Map<string, Set<string>> | null = null;

  constructor(rows: Map<string, CurrentRow>) {
    this.rows = rows;
  }

  /** The current versions (valid_to null) of a table. */
  static load(tx: BunSQLiteDatabase, table: VersionTable): CurrentRows {
    const rows = tx.select({ id: table.id, key: table.key, attrs: table.attrs }).from(table).where(isNull(table.validTo)).all();
    return new CurrentRows(new Map(rows.map((r) => [r.key, { id: r.id, attrs: hashOf(r.attrs) }])));
  }

  set(key: string, row: CurrentRow): void {
    this.rows.set(key, row);
    if (this.#byNetns) addTo(this.#byNetns, netnsOfKey(key), key);
  }

  delete(key: string): void {
    this.rows.delete(key);
    this.#byNetns?.get(netnsOfKey(key))?.delete(key);
  }

  /** Keys of the current versions inside a namespace. */
  keysIn(netns: string): Iterable<string> {
    if (!this.#byNetns) {
      this.#byNetns = new Map();
      for (const key of this.rows.keys()) addTo(this.#byNetns, netnsOfKey(key), key);
    }
    return this.#byNetns.get(netns) ?? [];
  }
}

function addTo(m: Map<string, Set<string>>, k: string, v: string): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

/** The namespace an entity key lies in: every key inside a namespace starts with its key and "/". */
export function netnsOfKey(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? key : key.slice(0, slash);
}

/**
 * Writes one kind's changes for `revision`: closes versions that changed or vanished, inserts
 * new ones, and updates `current` (the kind's current versions) to match. `entities`: what
 * discovery saw; `mayHaveGone`: the current keys that vanished unless seen among them (all of
 * them for a whole recording, those of the scope for a scoped one).
 */
export function recordKind(
  writes: VersionWrites,
  kind: Kind,
  entities: Iterable<Entity>,
  mayHaveGone: Iterable<string>,
  revision: number,
  current: CurrentRows,
  events?: ChangeEvent[],
) {
  const table = kind.table;
  const unseen = new Set(mayHaveGone);
  const inserts: { key: string; parent: string | null; attrs: string; validFrom: number }[] = [];
  const close: number[] = [];
  const seen = new Map<string, number>();
  const builtHash = new Map<string, number>();
  let added = 0;
  let changed = 0;
  for (const e of entities) {
    // Two entities with one key (IPv4 lets `ip route append` add a twin) are both kept: the
    // second is stored as `key#2`, in the order discovery sorted them. Its attrs keep the real key.
    const n = (seen.get(e.key) ?? 0) + 1;
    seen.set(e.key, n);
    const key = n === 1 ? e.key : `${e.key}#${n}`;
    const built = hashOf(JSON.stringify(e.attrs));
    const cur = current.rows.get(key);
    if (cur) {
      unseen.delete(key);
      if (cur.built === built) continue;
      const attrs = canonical(e.attrs);
      const hash = hashOf(attrs);
      let stored: string | undefined;
      if (hash === cur.attrs || (kind.volatile && sameVersion(kind, (stored = writes.attrs(table, cur.id)), attrs))) {
        cur.built = built;
        continue;
      }
      close.push(cur.id);
      changed++;
      inserts.push({ key, parent: e.parent, attrs, validFrom: revision });
      // What the change stream (Store.changes) says of this revision, without reading it back.
      if (events) pushEvent(events, revision, compare(kind, key, { attrs: stored ?? writes.attrs(table, cur.id) }, { attrs }, true));
    } else {
      added++;
      const attrs = canonical(e.attrs);
      inserts.push({ key, parent: e.parent, attrs, validFrom: revision });
      if (events) pushEvent(events, revision, compare(kind, key, undefined, { attrs }));
    }
    builtHash.set(key, built);
  }
  for (const key of unseen) {
    const cur = current.rows.get(key)!;
    close.push(cur.id);
    current.delete(key);
    if (events) pushEvent(events, revision, compare(kind, key, { attrs: writes.attrs(table, cur.id) }, undefined));
  }
  for (const id of close) writes.close(table, id, revision);
  for (const row of inserts) current.set(row.key, { id: writes.insert(table, row), attrs: hashOf(row.attrs), built: builtHash.get(row.key) });
  return { added, removed: unseen.size, changed };
}

function pushEvent(events: ChangeEvent[], revision: number, d: EntityDiff | null): void {
  if (d) events.push({ revision, ...d });
}

/** Whether two versions differ in volatile fields only (the kind has some). */
function sameVersion(kind: Kind, stored: string, now: string): boolean {
  return stored === now || fieldChanges(JSON.parse(stored), JSON.parse(now), kind.volatile).length === 0;
}
