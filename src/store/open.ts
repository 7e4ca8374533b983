// Opening a database file safely: decide whose file it is from its header before SQLite opens
// it (file-identity.ts), and refuse what is not ours (another program's SQLite file, an empty
// file, garbage) without a byte written or a file created beside it; refuse a schema newer than
// this binary knows. A new database is built under a temporary name and linked into place only
// when complete, so a failure (a full disk) leaves nothing behind and the path never holds a
// half-made file. Then WAL, a busy timeout and foreign keys, and the migrations embedded in the
// binary for an older database.

import { Database, constants } from "bun:sqlite";
import { createHash } from "node:crypto";
import { accessSync, constants as fsConstants, existsSync, linkSync, mkdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";
import { explain, StoreError } from "./errors.ts";
import { APPLICATION_ID, identifyDatabaseFile } from "./file-identity.ts";
import { journal, MIGRATION_SQL } from "./migrations/embedded.ts";

export { APPLICATION_ID };
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
  if (identifyDatabaseFile(path) === "missing") {
    if (readonly) throw new StoreError(`no database at ${path} (wiresight record creates it)`);
    createDatabase(path);
  }
  const sqlite = readonly ? openReadonly(path) : openReadWrite(path);
  try {
    sqlite.run(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (!readonly) {
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
    throw (readonly ? null : notWritable(path)) ?? explain(path, err);
  }
}

function openReadWrite(path: string): Database {
  try {
    return new Database(path, { readwrite: true });
  } catch (err) {
    throw notWritable(path) ?? explain(path, err);
  }
}

/**
 * Why `path` cannot be written, from the file system, or null. SQLite opens a write-protected
 * file read-only without a word and later says only "unable to open database file".
 */
function notWritable(path: string): StoreError | null {
  try {
    accessSync(path, fsConstants.W_OK);
    accessSync(dirname(path), fsConstants.W_OK); // WAL mode creates PATH-wal and PATH-shm beside it
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EROFS") return new StoreError(`${path} is read-only here (a read-only file system); recording needs write access`, "DATABASE_READ_ONLY");
    if (code !== "EACCES" && code !== "EPERM") return null;
    const st = statSync((err as NodeJS.ErrnoException).path ?? path);
    return new StoreError(
      `${path} is read-only here (${(err as NodeJS.ErrnoException).path === path ? "the file" : "its directory"}: owner uid ${st.uid}, mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}); run as its owner, or use a copy`,
      "DATABASE_READ_ONLY",
    );
  }
}

/**
 * Reading needs no write. In WAL mode SQLite creates PATH-shm even to read, which a read-only
 * file system or another user's directory forbids. When no write-ahead log exists (no writer has
 * the database open, nothing is left to fold in), the file alone is the whole database: it is
 * then read as immutable, touching nothing.
 */
function openReadonly(path: string): Database {
  let sqlite: Database | null = null;
  try {
    sqlite = new Database(path, { readonly: true });
    sqlite.query("SELECT count(*) FROM sqlite_master").get(); // the first read is where WAL needs -shm
    return sqlite;
  } catch (err) {
    sqlite?.close();
    const code = String((err as { code?: unknown }).code ?? "");
    if (!/^SQLITE_(CANTOPEN|READONLY)/.test(code) || existsSync(`${path}-wal`)) throw explain(path, err);
    try {
      const uri = `file:${encodeURI(path).replace(/[?#]/g, encodeURIComponent)}?immutable=1`;
      return new Database(uri, constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI);
    } catch {
      throw explain(path, err);
    }
  }
}

/**
 * A new database at `path`, built complete under a temporary name beside it (rollback journal,
 * every migration, then WAL mode, closed) and hard-linked into place: `path` either does not
 * exist or holds a whole wiresight database. On failure every file (and directory) made here is
 * removed. Losing a race to another process creating the same path is fine: its file is then
 * checked like any other.
 */
function createDatabase(path: string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.creating-${process.pid}`);
  let madeDir: string | undefined;
  try {
    try {
      madeDir = mkdirSync(dir, { recursive: true, mode: 0o750 });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new StoreError(`cannot create ${dir}: ${e.message}`, e.code === "ENOSPC" ? "DISK_FULL" : "DATABASE_READ_ONLY");
    }
    const sqlite = new Database(temp, { create: true, readwrite: true });
    try {
      // auto_vacuum (so that retention can give space back) only takes before the file's first
      // write; the application id marks the file as ours from then on.
      sqlite.run("PRAGMA auto_vacuum = INCREMENTAL");
      sqlite.run(`PRAGMA application_id = ${APPLICATION_ID}`);
      sqlite.run("PRAGMA synchronous = FULL");
      migrateIfNeeded(sqlite, drizzle({ client: sqlite }), path, false);
      const mode = sqlite.query<{ journal_mode: string }, []>("PRAGMA journal_mode = WAL").get();
      if (mode?.journal_mode !== "wal") throw new StoreError(`${path}: cannot switch to WAL mode (got ${mode?.journal_mode})`);
    } finally {
      sqlite.close();
    }
    // Closing folds the (empty) log into the file; a log still there means that failed.
    if (existsSync(`${temp}-wal`)) throw new StoreError(`${path}: the new database could not be completed (its write-ahead log remained)`, "DATABASE_UNAVAILABLE");
    try {
      linkSync(temp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    madeDir = undefined; // the directory holds the database now
  } catch (err) {
    throw explain(path, err);
  } finally {
    for (const f of [temp, `${temp}-wal`, `${temp}-shm`, `${temp}-journal`]) rmSync(f, { force: true });
    if (madeDir !== undefined) rmSync(madeDir, { recursive: true, force: true });
  }
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
