// Shared by the store tests: a temporary database directory, and the lab namespaces' keys as
// discovery saw them (tests look only at what they built: other things on the host change too).

import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Topology } from "../../src/model/topology.ts";
import { APPLICATION_ID, embeddedMigrations } from "../../src/store/open.ts";
import { sh } from "../helpers/lab.ts";

export function tempDir(): { dir: string; db: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "wiresight-store-"));
  return { dir, db: join(dir, "history.db"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The key discovery gave the namespace bind-mounted at /run/netns/<name>. */
export function netnsKeyOf(t: Topology, name: string): string {
  const inode = Number(sh("stat", ["-L", "-c", "%i", `/run/netns/${name}`]).trim());
  const ns = t.namespaces.find((n) => n.inode === inode);
  if (!ns) throw new Error(`namespace ${name} (inode ${inode}) not discovered`);
  return ns.key;
}

/**
 * A database as an older wiresight left it: ours (application id), with only the embedded
 * migrations before the first whose SQL contains `marker`. Returns it open, for the test to put
 * old rows in; the index of that migration is `at`.
 */
export function databaseBefore(path: string, marker: string): { sqlite: Database; at: number; all: MigrationMeta[] } {
  const all = embeddedMigrations();
  const at = all.findIndex((m) => m.sql.some((s) => s.includes(marker)));
  if (at <= 0) throw new Error(`no migration after the first holds ${marker}`);
  const sqlite = new Database(path, { create: true });
  sqlite.run(`PRAGMA application_id = ${APPLICATION_ID}`);
  const db = drizzle({ client: sqlite });
  const internals = db as unknown as { dialect: { migrate(m: MigrationMeta[], s: unknown, c: { migrationsTable: string }): void }; session: unknown };
  internals.dialect.migrate(all.slice(0, at), internals.session, { migrationsTable: "__drizzle_migrations" });
  return { sqlite, at, all };
}
