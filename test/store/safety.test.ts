// A database file is never damaged by wiresight: one that is not ours, garbage, corrupt, from a
// newer schema, read-only or locked by another writer gives one clear error and stays as it
// was; a recorder killed with SIGKILL mid-recording, again and again, leaves a valid database.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { discover } from "../../src/discovery/discover.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Store, StoreError } from "../../src/store/index.ts";
import { APPLICATION_ID } from "../../src/store/open.ts";
import { tempDir } from "./helpers.ts";
import { requireRoot } from "../helpers/lab.ts";

const tmp = tempDir();
const bun = process.execPath;
let topology: Topology;

beforeAll(() => {
  topology = discover();
}, 60_000);
afterAll(() => tmp.cleanup());

const hash = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

function expectStoreError(fn: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(StoreError);
  expect((caught as Error).message).toMatch(message);
}

function recorded(path: string, n = 1): void {
  const s = Store.open(path);
  try {
    for (let i = 0; i < n; i++) s.record({ ...topology, discoveredAt: new Date(Date.parse(topology.discoveredAt) + i * 1000).toISOString() });
  } finally {
    s.close();
  }
}

describe("opening a database", () => {
  test("a fresh one is created (with its directory), ours, in WAL mode, with the schema", () => {
    const path = join(tmp.dir, "new/sub/fresh.db");
    recorded(path);
    const db = new Database(path, { readonly: true });
    expect(db.query("PRAGMA application_id").get()).toEqual({ application_id: APPLICATION_ID });
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(db.query("PRAGMA auto_vacuum").get()).toEqual({ auto_vacuum: 2 });
    const tables = db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(["snapshots", "namespaces", "interfaces", "addresses", "routes", "processes", "__drizzle_migrations"]));
    db.close();
    const s = Store.open(path, { readonly: true });
    expect(s.at({ revision: 1 })).toEqual(topology);
    s.close();
  });

  test("another program's SQLite database is refused and left as it was", () => {
    const path = join(tmp.dir, "theirs.db");
    const db = new Database(path, { create: true });
    db.run("CREATE TABLE users (name TEXT)");
    db.run("INSERT INTO users VALUES ('alice')");
    db.close();
    const before = hash(path);
    expectStoreError(() => Store.open(path), /theirs\.db is not a wiresight database/);
    expectStoreError(() => Store.open(path, { readonly: true }), /not a wiresight database/);
    expect(hash(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  test("a file that is not SQLite at all is refused and left as it was", () => {
    const path = join(tmp.dir, "notes.txt");
    writeFileSync(path, "these are my notes, not a database\n".repeat(300));
    const before = hash(path);
    expectStoreError(() => Store.open(path), /notes\.txt is not a SQLite database/);
    expect(hash(path)).toBe(before);
  });

  test("a corrupt database gives a clear error, not a crash", () => {
    const path = join(tmp.dir, "corrupt.db");
    recorded(path, 3);
    expect(existsSync(`${path}-wal`)).toBe(false); // closing folded the log into the file we now damage
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    // Trash every page after the first (the header and schema survive, the data does not).
    for (let i = pageSize * 2; i < bytes.length; i++) bytes[i] = (i * 131) & 0xff;
    writeFileSync(path, bytes);
    expectStoreError(() => {
      const s = Store.open(path);
      try {
        s.at({ revision: 3 });
        s.record(topology);
      } finally {
        s.close();
      }
    }, /corrupt\.db (is corrupt|is not a SQLite database)/);
  });

  test("a database from a newer wiresight is refused, read or write, and left as it was", () => {
    const path = join(tmp.dir, "newer.db");
    recorded(path);
    const db = new Database(path);
    db.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', 99999999999999)");
    db.close();
    const before = hash(path);
    expectStoreError(() => Store.open(path), /written by a newer wiresight/);
    expectStoreError(() => Store.open(path, { readonly: true }), /written by a newer wiresight/);
    expect(hash(path)).toBe(before);
  });

  test("reading a database that does not exist says so and creates nothing", () => {
    const path = join(tmp.dir, "missing.db");
    expectStoreError(() => Store.open(path, { readonly: true }), /no database at .*missing\.db/);
    expect(existsSync(path)).toBe(false);
  });

  test("a read-only database can be read; writing to it is refused clearly", () => {
    const path = join(tmp.dir, "ro.db");
    recorded(path, 2);
    const s = Store.open(path, { readonly: true });
    try {
      expect(s.history().map((h) => h.revision)).toEqual([2, 1]);
      expectStoreError(() => s.record(topology), /ro\.db is read-only/);
    } finally {
      s.close();
    }
  });

  // Needs root to make a file another user owns; in CI (root) a missing privilege fails, never skips.
  test.if(requireRoot())("a database another user owns: a clear error for recording, reading works, and no change", () => {
    const shared = join(tmp.dir, "shared");
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(tmp.dir, 0o755);
    const path = join(shared, "root.db");
    recorded(path);
    chmodSync(path, 0o644);
    const before = hash(path);
    const cli = join(import.meta.dir, "../../src/cli/main.ts");
    const asNobody = (args: string[]) =>
      spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", bun, cli, ...args], { encoding: "utf8", cwd: shared });
    const record = asNobody(["record", "--db", path]);
    expect(record.status).toBe(1);
    expect(record.stderr).toMatch(new RegExp(`${path}: no write access to its directory|${path} is read-only here`));
    // Reading needs no write: with no write-ahead log left, the file is read as it is (issue 14).
    const history = asNobody(["history", "--db", path]);
    expect(history.stderr).toBe("");
    expect(history.status).toBe(0);
    expect(history.stdout).toContain("revision");
    expect(hash(path)).toBe(before);
    expect(readdirSync(shared)).toEqual(["root.db"]);
  }, 30_000);

  test("a database locked by another writer: a clear error after the busy timeout, then it works", async () => {
    const path = join(tmp.dir, "locked.db");
    recorded(path);
    const holder = spawn(
      bun,
      ["-e", `const { Database } = require("bun:sqlite"); const d = new Database(${JSON.stringify(path)}); d.run("BEGIN IMMEDIATE"); console.log("locked"); setInterval(() => {}, 1000);`],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on("data", (d: Buffer) => d.toString().includes("locked") && resolve());
        holder.on("exit", (code) => reject(new Error(`lock holder exited (${code})`)));
      });
      const s = Store.open(path, { busyTimeoutMs: 100 });
      try {
        expectStoreError(() => s.record(topology), /locked\.db is locked by another writer/);
        expect(s.history().length).toBe(1); // reading is not blocked by a writer (WAL)
      } finally {
        s.close();
      }
    } finally {
      holder.kill("SIGKILL");
      await new Promise((r) => holder.once("exit", r));
    }
    const s = Store.open(path);
    expect(s.record(topology).revision).toBe(2);
    s.close();
  }, 30_000);
});

describe("kill -9 while recording", () => {
  test("twenty kills at random moments: the database stays valid and loses at most the recording in progress", async () => {
    const path = join(tmp.dir, "killed.db");
    const file = join(tmp.dir, "topology.json");
    writeFileSync(file, JSON.stringify(topology));
    const recorder = join(import.meta.dir, "fixtures/recorder.ts");
    let lastSeen = 0;
    for (let round = 0; round < 20; round++) {
      const child = spawn(bun, [recorder, path, file], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      const committed = () => [...out.matchAll(/revision (\d+)\n/g)].map((m) => Number(m[1])).at(-1) ?? 0;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`recorder printed nothing in 20 s: ${err}`)), 20_000);
        child.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          if (committed() > lastSeen) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on("exit", (code) => code !== null && reject(new Error(`recorder exited (${code}): ${err}`)));
      });
      // Let it run into a later recording, then kill it wherever it is.
      await Bun.sleep(Math.floor(Math.random() * 60));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const printed = committed();

      const s = Store.open(path);
      try {
        const latest = s.latest()!;
        // Committed before the kill: everything it printed, and at most the one it was printing.
        expect(latest).toBeGreaterThanOrEqual(printed);
        expect(latest).toBeLessThanOrEqual(printed + 1);
        const t = s.at({ revision: latest });
        expect(t.namespaces.length).toBe(topology.namespaces.length);
        // one whole recording, not a mix of two
        const marks = new Set([...t.namespaces.flatMap((n) => n.interfaces.map((i) => i.alias)), ...t.namespaces[0]!.interfaces[0]!.addresses.map((a) => a.label).filter((l) => l?.startsWith("pass "))]);
        expect(marks.size).toBe(1);
        expect(t.namespaces[0]!.interfaces[0]!.addresses.length).toBeGreaterThanOrEqual(3000);
        lastSeen = latest;
      } finally {
        s.close();
      }
    }
    const db = new Database(path, { readonly: true });
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    db.close();
  }, 240_000);
});
