// The tables. History is stored as temporal rows: each entity kind (registry.ts) has a table of
// versions, one row per stretch of revisions in which an entity kept the same attributes, and
// `snapshots` has one row per recording. An unchanged host therefore costs one snapshots row.
//
// Changing anything here needs a migration: `npm run db:generate` (drizzle-kit, then
// scripts/embed-migrations.ts so the binary carries it).

import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One recording. Its id is the revision number every version row refers to. */
export const snapshots = sqliteTable(
  "snapshots",
  {
    id: integer("id").primaryKey({ autoIncrement: true }), // AUTOINCREMENT: a revision is never reused, even after pruning
    /** When discovery started, in milliseconds since the epoch (the Topology's discoveredAt). */
    time: integer("time").notNull(),
    durationMs: real("duration_ms").notNull(),
    /** How many entities this recording added, removed and changed (a changed one is a new version). */
    added: integer("added").notNull(),
    removed: integer("removed").notNull(),
    changed: integer("changed").notNull(),
    /**
     * The per-run parts of the Topology that are not entities, as JSON: stats (without the
     * duration), warnings, host, privileges. Null: the same as the previous recording (run-info.ts).
     */
    stats: text("stats"),
    warnings: text("warnings"),
    host: text("host"),
    privileges: text("privileges"),
  },
  (t) => [index("snapshots_time").on(t.time)],
);

/**
 * A table of versions for one entity kind. `valid_from` is the revision that first saw this
 * version, `valid_to` the revision that no longer saw it (null while current), so the version
 * is valid at revision r when valid_from ≤ r < valid_to.
 */
export function versionTable(name: string) {
  return sqliteTable(
    name,
    {
      id: integer("id").primaryKey({ autoIncrement: true }),
      /** The identity key (src/model/keys.ts). */
      key: text("key").notNull(),
      /** The key of the entity this one belongs to (an interface's namespace…), null for roots. */
      parent: text("parent"),
      /** Canonical JSON (sorted object keys) of the entity without its children. */
      attrs: text("attrs").notNull(),
      validFrom: integer("valid_from").notNull(),
      validTo: integer("valid_to"),
    },
    (t) => [
      // Both orders, so that each range is scanned and filtered inside one index, without a
      // table lookup per row: at(r) = (valid_to null or > r) and valid_from ≤ r; diff(a, b) and
      // changes() = versions that began, or ended, within (a, b]; record() = valid_to null.
      index(`${name}_from_to`).on(t.validFrom, t.validTo),
      index(`${name}_to_from`).on(t.validTo, t.validFrom),
      // one entity's history
      index(`${name}_key`).on(t.key, t.validFrom),
    ],
  );
}

export type VersionTable = ReturnType<typeof versionTable>;
