// Opening a database file safely: refuse what is not ours (another program's SQLite file,
// garbage, a schema newer than this binary knows) before writing a single byte to it; set WAL,
// a busy timeout and foreign keys; bring an older or a fresh database up to date with the
// migrations embedded in the binary.

import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { explain, StoreError } from "./errors.ts";
import { journal, MIGRATION_SQL } from "./migrations/embedded.ts";

/** PRAGMA application_id of a wiresight database ("WiSi"): how we recognise our own files. */
export const APPLICATION_ID = 0x57695369;
const MIGRATIONS_TABLE = "__drizzle_migrations";

export interface OpenOptions {
  /** Open for reading only: never creates, migrates or writes (history, diff, --at). */
  readonly?: boolean;
  /** How long to wait for another writer before giving up (default 5 s). */
  busyTimeoutMs?: number;
}

export interface OpenDatabase {
  sqlite: Database;
  db: BunSQLiteDatabase;
}

/** The embedded migrations in the shape drizzle's migrator consumes (as readMigrationFiles makes it). */
export function embeddedMigrations(): MigrationMeta[] {
  return journal.entries.map((e) => {
    const text = MIGRATION_SQL[e.tag];
    if (text === undefined) throw new Error(`migration ${e.tag} is in the journal but not embedded (run npm run db:generate)`);
    return {
      sql: text.split("--> statement-breakpoint"),
      bps: e.breakpoints,
      folderMillis: e.when,
      hash: createHash("sha256").update(text).digest("hex"),
    };
  });
}

export function openDatabase(path: string, options: OpenOptions = {}): OpenDatabase {
  const readonly = options.readonly ?? false;
  if (readonly && !existsSync(path)) throw new StoreError(`no database at ${path} (wiresight record creates it)`);
  let sqlite: Database;
  try {
    if (!readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
    sqlite = readonly ? new Database(path, { readonly: true }) : new Database(path, { create: true, readwrite: true });
  } catch (err) {
    throw explainOpen(path, err);
  }
  try {
    sqlite.run(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    const fresh = checkOurs(sqlite, path);
    if (!readonly) {
      if (fresh) {
        // auto_vacuum (so that retention can give space back) only takes before the file's first
        // write; the application id marks the file as ours from then on.
        sqlite.run("PRAGMA auto_vacuum = INCREMENTAL");
        sqlite.run(`PRAGMA application_id = ${APPLICATION_ID}`);
      }
      const mode = sqlite.query<{ journal_mode: string }, []>("PRAGMA journal_mode = WAL").get();
      if (mode?.journal_mode !== "wal") throw new StoreError(`${path}: cannot switch to WAL mode (got ${mode?.journal_mode})`);
      // In WAL mode NORMAL loses nothing on a process crash (kill -9), only on power loss.
      sqlite.run("PRAGMA synchronous = NORMAL");
    }
    sqlite.run("PRAGMA foreign_keys = ON");
    const db = drizzle({ client: sqlite });
    migrateIfNeeded(sqlite, db, path, readonly);
    return { sqlite, db };
  } catch (err) {
    sqlite.close();
    throw explain(path, err);
  }
}

/** True for an empty file (ours to initialise); throws for a database that belongs to someone else. */
function checkOurs(sqlite: Database, path: string): boolean {
  const appId = sqlite.query<{ application_id: number }, []>("PRAGMA application_id").get()?.application_id ?? 0;
  const tables = sqlite.query<{ n: number }, []>("SELECT count(*) AS n FROM sqlite_master").get()?.n ?? 0;
  if (appId === APPLICATION_ID) return false;
  if (appId === 0 && tables === 0) return true;
  throw new StoreError(
    `${path} is not a wiresight database (${appId === 0 ? `it has ${tables} schema object(s) of another program` : `application id 0x${appId.toString(16)}`}); not touching it`,
  );
}

function migrateIfNeeded(sqlite: Database, db: BunSQLiteDatabase, path: string, readonly: boolean): void {
  const migrations = embeddedMigrations();
  const known = new Set(migrations.map((m) => m.hash));
  const latest = migrations.at(-1)!.folderMillis;
  const hasTable = sqlite.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(MIGRATIONS_TABLE) !== null;
  const applied = hasTable
    ? sqlite.query<{ hash: string; created_at: number }, []>(`SELECT hash, created_at FROM ${MIGRATIONS_TABLE}`).all()
    : [];
  const unknown = applied.filter((a) => !known.has(a.hash) || Number(a.created_at) > latest);
  if (unknown.length > 0)
    throw new StoreError(
      `${path} was written by a newer wiresight (schema has ${applied.length} migration(s), this binary knows ${migrations.length}); use that version or a newer one`,
    );
  if (applied.length === migrations.length) return;
  if (readonly)
    throw new StoreError(`${path} has an older schema (${applied.length} of ${migrations.length} migrations); run 'wiresight record' once to upgrade it`);
  // drizzle's own migrator, fed from the embedded files instead of a folder. It applies in one
  // transaction the migrations newer than the last applied one.
  // `dialect` and `session` are drizzle internals (bun-sqlite's migrate() reads a folder and
  // calls exactly this).
  const internals = db as unknown as {
    dialect: { migrate(m: MigrationMeta[], session: unknown, config: { migrationsTable: string }): void };
    session: unknown;
  };
  internals.dialect.migrate(migrations, internals.session, { migrationsTable: MIGRATIONS_TABLE });
}

function explainOpen(path: string, err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "EACCES" || e.code === "EROFS") return new StoreError(`cannot create ${dirname(path)}: ${e.message}`);
  return explain(path, err);
}
