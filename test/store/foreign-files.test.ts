// Issue 14, item 5 (and the database parts of item 7): a file that is not a wiresight database
// is refused before SQLite opens it, and stays byte for byte as it was, with nothing created
// beside it: another program's database in WAL mode (whose log SQLite would fold in and delete
// on close), an empty file, a SQLite file holding only a user_version. Checked by sha256 before
// and after, through the library and through the compiled binary. A new database on a full
// disk leaves nothing behind; a directory, an unreadable file and a read-only file system get a
// message that says what is wrong (and reading needs no write).

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { discover } from "../../src/discovery/discover.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Store, StoreError } from "../../src/store/index.ts";
import { BUILT_BINARY } from "../helpers/serve-binary.ts";
import { requireRoot, sh } from "../helpers/lab.ts";
import { tempDir } from "./helpers.ts";

const tmp = tempDir();
let topology: Topology;

beforeAll(() => {
  topology = discover();
}, 60_000);
afterAll(() => tmp.cleanup());

/** sha256 of every file in `dir`, by name: what "left as it was" means. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = createHash("sha256").update(readFileSync(join(dir, name))).digest("hex");
  return out;
}

function storeError(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StoreError) return err;
    throw err;
  }
  throw new Error("no StoreError");
}

function binary(args: string[]) {
  const r = spawnSync(BUILT_BINARY, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A directory holding one file, made by `make(path)`; returns the file's path. */
function alone(name: string, make: (path: string) => void): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  const path = join(dir, "their.db");
  make(path);
  return path;
}

/** Every way in refuses `path` with `message`, and its directory is unchanged. */
function refusedUntouched(path: string, message: string): void {
  const dir = join(path, "..");
  const before = snapshot(dir);
  expect(storeError(() => Store.open(path)).message).toContain(message);
  expect(storeError(() => Store.open(path, { readonly: true })).message).toContain(message);
  for (const args of [["record", "--db", path], ["history", "--db", path], ["diff", "1", "2", "--db", path]]) {
    const r = binary(args);
    expect({ args, code: r.code }).toEqual({ args, code: 1 });
    expect(r.stderr).toContain(message);
  }
  expect(snapshot(dir)).toEqual(before);
}

describe("files that are not ours are refused untouched", () => {
  test("another program's database in WAL mode, with its log not yet folded in", () => {
    const path = alone("wal", (p) => {
      // A live database with committed rows only in its log, copied as it is at rest.
      const live = join(tmp.dir, "live.db");
      const db = new Database(live, { create: true });
      db.run("PRAGMA journal_mode = WAL");
      db.run("PRAGMA wal_autocheckpoint = 0");
      db.run("CREATE TABLE accounts (name TEXT, balance INTEGER)");
      for (let i = 0; i < 50; i++) db.run("INSERT INTO accounts VALUES (?, ?)", [`user${i}`, i * 100]);
      copyFileSync(live, p);
      copyFileSync(`${live}-wal`, `${p}-wal`);
      db.close();
    });
    expect(existsSync(`${path}-wal`)).toBe(true);
    refusedUntouched(path, "is not a wiresight database (a SQLite file of another program: no wiresight id); not touching it");
    expect(readdirSync(join(path, "..")).sort()).toEqual(["their.db", "their.db-wal"]); // no -shm either
  });

  test("an empty file", () => {
    const path = alone("empty", (p) => writeFileSync(p, ""));
    refusedUntouched(path, "is an empty file that wiresight did not create; not touching it");
  });

  test("a SQLite file with only a user_version", () => {
    const path = alone("uv", (p) => {
      const db = new Database(p, { create: true });
      db.run("PRAGMA user_version = 7");
      db.close();
    });
    refusedUntouched(path, "user_version 7, no wiresight id");
  });

  test("a directory, given as --db", () => {
    const r = binary(["history", "--db", tmp.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${tmp.dir} is a directory: give the path of a database file in it`);
  });
});

describe.if(requireRoot())("file systems and owners", () => {
  const mnt = join(tmp.dir, "mnt");

  beforeAll(() => {
    mkdirSync(mnt);
    sh("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", mnt]);
  });
  afterAll(() => {
    sh("umount", ["-l", mnt], { allowFail: true });
  });

  test("a new database on a full disk: a clear error, and nothing left behind (no file, no directory)", () => {
    sh("sh", ["-c", `dd if=/dev/zero of=${join(mnt, "filler")} bs=64k 2>/dev/null; true`]);
    try {
      const before = snapshot(mnt);
      for (const path of [join(mnt, "fresh.db"), join(mnt, "new/dir/fresh.db")]) {
        const err = storeError(() => Store.open(path));
        expect(err.failure).toBe("DISK_FULL");
        expect(err.message).toMatch(/the disk is full|No space left on device/);
        expect(snapshot(mnt)).toEqual(before);
        const r = binary(["record", "--db", path]);
        expect(r.code).toBe(1);
        expect(snapshot(mnt)).toEqual(before);
      }
    } finally {
      rmSync(join(mnt, "filler"));
    }
  });

  test("history on a read-only file system reads (reading needs no write); record says read-only", () => {
    const path = join(mnt, "ro.db");
    // Recorded by another process: this one must hold no file open on the mount it remounts.
    const rec = binary(["record", "--db", path]);
    if (rec.code !== 0) throw new Error(`record failed: ${rec.stderr}`);
    sh("mount", ["-o", "remount,ro", mnt]);
    try {
      const r = binary(["history", "--db", path]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^\s*1\s/m);
      const w = binary(["record", "--db", path]);
      expect(w.code).toBe(1);
      expect(w.stderr).toContain(`${path} is read-only here`);
    } finally {
      sh("mount", ["-o", "remount,rw", mnt]);
      rmSync(path);
    }
  }, 60_000);

  test("a 0600 file of another user: 'permission denied', naming owner and mode, not a misleading hint", () => {
    const dir = join(tmp.dir, "others");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(tmp.dir, 0o755);
    const path = join(dir, "root-only.db");
    const s = Store.open(path);
    s.record(topology);
    s.close();
    chmodSync(path, 0o600);
    const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", BUILT_BINARY, "history", "--db", path], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${path}: permission denied reading it (owner uid 0, mode 0600)`);
    expect(r.stderr).not.toContain("directory is writable");
  });
});
