// What the watcher holds on to: no fd on any namespace file (so a bind mount can be unmounted
// plainly while it runs, and a deleted namespace is kept alive by nothing of ours but the event
// socket it drops once the namespace is gone), and after stop() nothing at all; and its reader
// threads run at a lower priority than the thread that serves.

import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { Store } from "../../src/store/index.ts";
import { Watcher } from "../../src/watch/watcher.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { tempDir } from "../store/helpers.ts";
import { plainUmount } from "../helpers/mount-holders.ts";

setDefaultTimeout(90_000); // generous: these wait for the kernel and the loop, never measure them
const root = requireRoot();
const lab = new Lab();
const tmp = tempDir();
afterAll(() => {
  lab.cleanup();
  tmp.cleanup();
});

/** This process's fd table as "fd -> target" (fds of child pipes may come and go: compare what is new). */
function fds(): Set<string> {
  return new Set(
    readdirSync("/proc/self/fd").flatMap((f) => {
      try {
        return [`${f} -> ${readlinkSync(`/proc/self/fd/${f}`)}`];
      } catch {
        return [];
      }
    }),
  );
}

async function eventually(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

const inodeOf = (path: string) => Number(sh("stat", ["-L", "-c", "%i", path]).trim());

describe.if(root)("what the watcher holds", () => {
  test("no fd on a namespace but its own; the mount unmounts plainly; stop() leaves the fd table as it was", async () => {
    const s = Store.open(`${tmp.dir}/holds.db`);
    const warm = await Watcher.start({ store: s, withEngines: false });
    await warm.stop(); // the runtime's own lazily opened fds, out of the comparison
    Bun.spawnSync(["true"]); // (both ways of spawning set up their machinery on first use)
    sh("true", []);
    const before = fds();
    const w = await Watcher.start({ store: s, withEngines: false, namespaceRescanEveryMs: 100 });
    try {
      const name = lab.netns("held");
      const path = `/run/netns/${name}`;
      const inode = inodeOf(path);
      await eventually(() => w.current().topology.namespaces.some((n) => n.inode === inode), "the new namespace");
      const added = () => [...fds()].filter((x) => !before.has(x));
      // Event sockets and an epoll set, yes; a namespace file, no — except each reader thread's
      // handle on the initial namespace it switches back to.
      const initial = w.current().topology.namespaces.find((n) => n.initial)!.inode;
      expect(added().some((x) => / -> anon_inode:\[eventpoll\]/.test(x))).toBe(true);
      expect(added().filter((x) => / -> (net:\[|\/run\/netns)/.test(x) && !x.endsWith(`net:[${initial}]`))).toEqual([]);
      // Its readers yield the CPU to the serving thread (this one): nice 10 against 0.
      const nice = (tid: string) => Number(readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ")[16]);
      const readers = readdirSync("/proc/self/task").filter((t) => readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim() === "Worker");
      expect(readers.length).toBeGreaterThanOrEqual(1);
      expect(readers.map(nice)).toEqual(readers.map(() => 10));
      expect(nice(String(process.pid))).toBe(0);
      // A plain umount fails with EBUSY while any fd is open on the mount (ours: never).
      if (plainUmount(path)) {
        // Nothing holds it now but our event socket: the watcher notices and lets it go.
        await eventually(() => !w.current().topology.namespaces.some((n) => n.inode === inode), "the unmounted namespace to leave the topology");
      }
    } finally {
      await w.stop();
    }
    // A Worker's thread (with its event loop's fds) ends a moment after it said it closed.
    const left = () => [...fds()].filter((x) => !before.has(x));
    await eventually(() => left().length === 0, `the fd table as before start(); still open: ${left().join(", ")}`, 10_000).catch(() => {});
    expect(left()).toEqual([]);
    s.close();
  });
});
