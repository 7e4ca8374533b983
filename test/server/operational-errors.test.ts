// Issue 14, item 4: failures that are nobody's bug reach the GraphQL client as what they are,
// with a code, instead of "Unexpected error.": the history database's disk is full (a small
// tmpfs this test mounts and fills), or another writer holds the database's lock. Each time the
// server keeps serving, and recording works again once the cause is gone.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startService, type RunningService } from "../../src/server/service.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";

const root = requireRoot();

describe.if(root)("operational failures reach the client with a code", () => {
  const lab = new Lab();
  const mnt = join(lab.dir, "small");
  const db = join(mnt, "serve.db");
  let ns = "";
  let service: RunningService;
  let bridges = 0;

  const post = async (query: string) => {
    const res = await fetch(`${service.server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
    return (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  };
  /** A change the next pass must write. */
  const change = () => lab.ip(ns, "link", "add", `br${bridges++}`, "type", "bridge");

  beforeAll(async () => {
    ns = lab.netns("ops");
    mkdirSync(mnt);
    // Room for the first recording of a big host (a shared machine may hold hundreds of
    // namespaces); the test fills what is left anyway.
    sh("mount", ["-t", "tmpfs", "-o", "size=256m", "tmpfs", mnt]);
    service = await startService({ db, listen: "127.0.0.1:0", fullPassEveryMs: 3_600_000, logging: false, watcher: { withEngines: false } });
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    sh("umount", ["-l", mnt], { allowFail: true });
    lab.cleanup();
  }, 60_000);

  test(
    "disk full: discoverNow answers DISK_FULL, and records again once there is space",
    async () => {
      // An empty WAL, so the next commit must grow a file on the full disk.
      const other = new Database(db);
      other.run("PRAGMA wal_checkpoint(TRUNCATE)");
      other.close();
      const filler = join(mnt, "filler");
      sh("sh", ["-c", `dd if=/dev/zero of=${filler} bs=64k 2>/dev/null; true`]);
      change();
      const full = await post("mutation { discoverNow { revision { revision } } }");
      expect(full.errors?.[0]?.extensions?.code).toBe("DISK_FULL");
      expect(full.errors?.[0]?.message).toContain(`${db}: the disk is full; nothing was recorded`);
      expect((await post("{ revision }")).data.revision).toBe(service.watcher.current().revision);

      rmSync(filler);
      const ok = await post("mutation { discoverNow { revision { revision } } }");
      expect(ok.errors).toBeUndefined();
      expect(ok.data.discoverNow.revision.revision).toBeGreaterThan(0);
    },
    60_000,
  );

  test(
    "database locked by another writer: DATABASE_LOCKED, and records again once it lets go",
    async () => {
      const other = new Database(db);
      other.run("BEGIN IMMEDIATE"); // the write lock, held
      try {
        change();
        const locked = await post("mutation { discoverNow { revision { revision } } }");
        expect(locked.errors?.[0]?.extensions?.code).toBe("DATABASE_LOCKED");
        expect(locked.errors?.[0]?.message).toContain(`${db} is locked by another writer`);
      } finally {
        other.run("ROLLBACK");
        other.close();
      }
      const ok = await post("mutation { discoverNow { revision { revision } } }");
      expect(ok.errors).toBeUndefined();
      // The bridge made while the lock was held is in the history now: recorded by this pass, or
      // by its kernel event's own commit if that one ran first once the lock was let go (then
      // this pass found nothing new to record).
      const latest = service.store.at({ revision: service.store.latest()! });
      const lab = latest.namespaces.find((n) => n.key === service.watcher.current().topology.namespaces.find((x) => x.displayName === ns)?.key);
      expect(lab?.interfaces.map((i) => i.name)).toContain(`br${bridges - 1}`);
    },
    120_000, // two full passes, each waiting out SQLite's 5 s busy timeout while locked
  );

  test("a read-only question about the history still answers while the disk is full", async () => {
    const filler = join(mnt, "filler2");
    sh("sh", ["-c", `dd if=/dev/zero of=${filler} bs=64k 2>/dev/null; true`]);
    try {
      const r = await post("{ history(last: 2) { nodes { revision } } }");
      expect(r.errors).toBeUndefined();
      expect(r.data.history.nodes.length).toBeGreaterThan(0);
    } finally {
      writeFileSync(filler, "");
      rmSync(filler);
    }
  });
});
