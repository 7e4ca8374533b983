// scanNetworkNamespaces against real namespaces built here, one per source kind, each checked
// against an oracle that does not use the code under test (readlink, coreutils stat, nsenter, lsns).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  PROC_NET_INIT_INO,
  readFdTable,
  scanNetworkNamespaces,
  type NamespaceScan,
  type NetnsCandidate,
} from "../../src/discovery/procfs/namespaces.ts";
import { readProcesses, type ProcessInfo } from "../../src/discovery/procfs/processes.ts";
import { Cleanup, nsInode, requireRoot, run, statInode, uniquePrefix, waitForLine, waitUntil } from "./helpers.ts";

const root = requireRoot("procfs namespace scan");

const THREAD_PROGRAM = `
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The second thread moves itself into a new netns; the main thread stays where it was. */
static void *worker(void *arg) {
  (void)arg;
  if (unshare(CLONE_NEWNET) != 0) { perror("unshare"); _exit(1); }
  printf("ready %ld\\n", (long)syscall(SYS_gettid));
  fflush(stdout);
  for (;;) pause();
  return NULL;
}

int main(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, worker, NULL) != 0) return 1;
  for (;;) pause();
}
`;

describe.skipIf(!root)("scanNetworkNamespaces (real namespaces)", () => {
  const cleanup = new Cleanup();
  const prefix = uniquePrefix();

  // Filled by beforeAll.
  const hostNetns = root ? nsInode("/proc/self/ns/net") : 0;
  const hostMntns = root ? nsInode("/proc/self/ns/mnt") : 0;
  let hidden = { pid: 0, ino: 0, mnt: 0, path: "" };
  let held = { pid: 0, ino: 0 };
  let bindmount = { name: "", ino: 0 };
  let fdHeld = { pid: 0, ino: 0 };
  let fdLinkHeld = { pid: 0, ino: 0 };
  let bmFdPid = 0;
  let thread = { pid: 0, tid: 0, ino: 0 };
  let scan: NamespaceScan;
  let scanMs = 0;

  const find = (ino: number): NetnsCandidate | undefined => scan.namespaces.find((n) => n.inode === ino);

  beforeAll(async () => {
    try {
      const tmp = cleanup.tempDir(prefix);

      // The thread program, compiled first so a compiler problem fails fast.
      writeFileSync(join(tmp, "netns-thread.c"), THREAD_PROGRAM);
      run(["gcc", "-O1", "-pthread", "-o", join(tmp, "netns-thread"), join(tmp, "netns-thread.c")]);

      // 1. A bind mount visible only in another mount namespace. Created before any `ip netns add`
      //    of ours; slave propagation so that host unmounts (ip netns del) still reach the copy and
      //    nothing mounted inside leaks back out. The inner `unshare --net mount` exits, leaving
      //    that netns with no process at all, only the bind mount. A space in the name exercises
      //    mountinfo's octal escaping (\040).
      const dir = join(tmp, "mnt");
      mkdirSync(dir);
      const hiddenProc = cleanup.spawn(
        Bun.spawn({
          cmd: [
            "unshare",
            "--mount",
            "--propagation",
            "slave",
            "sh",
            "-c",
            'mount -t tmpfs none "$D" && touch "$D/n s" && unshare --net mount --bind /proc/self/ns/net "$D/n s" && echo ready && exec sleep 300',
          ],
          env: { ...process.env, D: dir },
          stdout: "pipe",
          stderr: "pipe",
        }),
      );
      await waitForLine(hiddenProc, /ready/);
      hidden = {
        pid: hiddenProc.pid,
        path: join(dir, "n s"),
        ino: statInode(join(dir, "n s"), hiddenProc.pid),
        mnt: nsInode(`/proc/${hiddenProc.pid}/ns/mnt`),
      };

      // 2. A namespace held by a process.
      const heldProc = cleanup.spawn(Bun.spawn({ cmd: ["unshare", "--net", "sleep", "300"], stdout: "pipe", stderr: "pipe" }));
      await waitUntil(
        () => readlinkSync(`/proc/${heldProc.pid}/exe`).endsWith("/sleep") && nsInode(`/proc/${heldProc.pid}/ns/net`) !== hostNetns,
        "unshare --net sleep",
      );
      held = { pid: heldProc.pid, ino: nsInode(`/proc/${heldProc.pid}/ns/net`) };

      // 3. A process-less namespace bind-mounted under /run/netns.
      const bmName = `${prefix}-bm`;
      cleanup.addNetns(bmName);
      bindmount = { name: bmName, ino: statInode(`/run/netns/${bmName}`) };

      // 3b. The same namespace also held open through its (still attached) bind mount path.
      const bmFdProc = cleanup.spawn(
        Bun.spawn({
          cmd: ["sh", "-c", 'exec 7<"$F" && echo ready && exec sleep 300'],
          env: { ...process.env, F: `/run/netns/${bmName}` },
          stdout: "pipe",
          stderr: "pipe",
        }),
      );
      await waitForLine(bmFdProc, /ready/);
      expect(readlinkSync(`/proc/${bmFdProc.pid}/fd/7`)).toBe(`/run/netns/${bmName}`);
      bmFdPid = bmFdProc.pid;

      // 4. A namespace kept alive only by an open fd: open it, then remove the bind mount. The fd
      //    was opened through the mount, so once it is detached its link reads just "/".
      const fdName = `${prefix}-fd`;
      cleanup.addNetns(fdName);
      const fdIno = statInode(`/run/netns/${fdName}`);
      const fdProc = cleanup.spawn(
        Bun.spawn({
          cmd: ["sh", "-c", 'exec 7<"$F" && echo ready && exec sleep 300'],
          env: { ...process.env, F: `/run/netns/${fdName}` },
          stdout: "pipe",
          stderr: "pipe",
        }),
      );
      await waitForLine(fdProc, /ready/);
      run(["ip", "netns", "del", fdName]);
      expect(readlinkSync(`/proc/${fdProc.pid}/fd/7`)).toBe("/");
      expect(statInode(`/proc/${fdProc.pid}/fd/7`)).toBe(fdIno);
      fdHeld = { pid: fdProc.pid, ino: fdIno };

      // 4b. Kept alive only by an fd opened through an ns link: its link reads "net:[INODE]".
      const tmpHolder = cleanup.spawn(Bun.spawn({ cmd: ["unshare", "--net", "sleep", "300"], stdout: "pipe", stderr: "pipe" }));
      await waitUntil(
        () => readlinkSync(`/proc/${tmpHolder.pid}/exe`).endsWith("/sleep") && nsInode(`/proc/${tmpHolder.pid}/ns/net`) !== hostNetns,
        "second unshare --net sleep",
      );
      const linkIno = nsInode(`/proc/${tmpHolder.pid}/ns/net`);
      const linkProc = cleanup.spawn(
        Bun.spawn({
          cmd: ["sh", "-c", 'exec 7<"$F" && echo ready && exec sleep 300'],
          env: { ...process.env, F: `/proc/${tmpHolder.pid}/ns/net` },
          stdout: "pipe",
          stderr: "pipe",
        }),
      );
      await waitForLine(linkProc, /ready/);
      tmpHolder.kill("SIGKILL");
      await tmpHolder.exited;
      expect(readlinkSync(`/proc/${linkProc.pid}/fd/7`)).toBe(`net:[${linkIno}]`);
      fdLinkHeld = { pid: linkProc.pid, ino: linkIno };

      // 5. A namespace held only by one thread of a process.
      const threadProc = cleanup.spawn(Bun.spawn({ cmd: [join(tmp, "netns-thread")], stdout: "pipe", stderr: "pipe" }));
      const m = await waitForLine(threadProc, /ready (\d+)\n/);
      const tid = Number(m[1]);
      thread = { pid: threadProc.pid, tid, ino: nsInode(`/proc/${threadProc.pid}/task/${tid}/ns/net`) };

      const t0 = performance.now();
      scan = scanNetworkNamespaces(readProcesses("/proc", []));
      scanMs = performance.now() - t0;
    } catch (err) {
      await cleanup.run().catch(() => {});
      throw err;
    }
  });

  afterAll(async () => {
    await cleanup.run();
  });

  test("fixtures are what they claim to be (oracle sanity)", () => {
    const inodes = [hidden.ino, held.ino, bindmount.ino, fdHeld.ino, fdLinkHeld.ino, thread.ino];
    expect(new Set(inodes).size).toBe(6);
    expect(inodes).not.toContain(hostNetns);
    expect(nsInode(`/proc/${thread.pid}/ns/net`)).toBe(hostNetns); // main thread stayed
    // lsns (which lists namespaces by their processes) must not know the process-less ones.
    const lsns = JSON.parse(run(["lsns", "-t", "net", "-J", "-o", "NS,PID"])) as { namespaces: { ns: number; pid: number }[] };
    const listed = new Set(lsns.namespaces.map((n) => Number(n.ns)));
    expect(listed.has(held.ino)).toBe(true);
    expect(listed.has(hidden.ino)).toBe(false);
    expect(listed.has(bindmount.ino)).toBe(false);
    expect(listed.has(fdHeld.ino)).toBe(false);
    expect(listed.has(fdLinkHeld.ino)).toBe(false);
    console.log(`scan of ${scan.namespaces.length} namespaces took ${scanMs.toFixed(1)} ms (incl. readProcesses)`);
  });

  test("the initial namespace is found, marked, and first", () => {
    const initial = scan.namespaces.filter((n) => n.initial);
    expect(initial).toHaveLength(1);
    expect(scan.namespaces[0]!.initial).toBe(true);
    // kthreadd is always in init_net; its link is readable here (oracle independent of the method used).
    expect(scan.namespaces[0]!.inode).toBe(nsInode("/proc/2/ns/net"));
    // Preference order: the kernel's fixed init inode, then kernel threads, then PID 1.
    const expected = nsInode("/proc/2/ns/net") === PROC_NET_INIT_INO ? "fixed-inode" : "kthread";
    expect(scan.initialMethod).toBe(expected);
  });

  test("an unreadable PID 1 yields one warning, not a crash", () => {
    let code: string | undefined;
    try {
      readlinkSync("/proc/1/ns/net");
    } catch (err) {
      code = (err as NodeJS.ErrnoException).code;
    }
    const about1 = scan.warnings.filter((w) => w.startsWith("pid 1 "));
    if (code === undefined) {
      expect(about1).toHaveLength(0);
    } else {
      expect(about1).toHaveLength(1);
      expect(about1[0]).toContain(code);
      expect(about1[0]).toContain("ns/net");
    }
  });

  test("each namespace once by (dev, inode); references deduplicated; sorted initial, then inode", () => {
    const keys = scan.namespaces.map((n) => `${n.dev}:${n.inode}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const n of scan.namespaces) {
      const refs = n.references.map((r) => JSON.stringify(r));
      expect(new Set(refs).size).toBe(refs.length);
      expect(n.references.length).toBeGreaterThan(0);
    }
    const rest = scan.namespaces.slice(1).map((n) => n.inode);
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
    const nsfsDev = statSync("/proc/self/ns/net").dev;
    for (const n of scan.namespaces) expect(n.dev).toBe(nsfsDev);
  });

  test("a namespace held by a process", () => {
    const n = find(held.ino);
    expect(n).toBeDefined();
    expect(n!.references).toContainEqual({ kind: "process", pid: held.pid });
    expect(n!.openPath).toBe(`/proc/${held.pid}/ns/net`);
    expect(n!.initial).toBe(false);
  });

  test("a process-less namespace bind-mounted under /run/netns", () => {
    const n = find(bindmount.ino);
    expect(n).toBeDefined();
    const refs = n!.references.filter((r) => r.kind === "bindmount");
    expect(refs.some((r) => r.kind === "bindmount" && r.path === `/run/netns/${bindmount.name}` && r.mountNamespace === hostMntns)).toBe(true);
    expect(n!.references.some((r) => r.kind === "process" || r.kind === "thread")).toBe(false);
    expect(statInode(n!.openPath)).toBe(bindmount.ino);
    // Propagated into the other (slave) mount namespace too — when /run/netns was already a shared
    // mount there — it is listed once more, per (mount namespace, path). Oracle: findmnt.
    const inHidden = Bun.spawnSync({
      cmd: ["findmnt", "-N", String(hidden.pid), "-n", "-o", "TARGET", `/run/netns/${bindmount.name}`],
      stdout: "pipe",
    });
    const expectedMntns = inHidden.exitCode === 0 ? [hidden.mnt, hostMntns] : [hostMntns];
    const seenMntns = refs.flatMap((r) => (r.kind === "bindmount" && r.path === `/run/netns/${bindmount.name}` ? [r.mountNamespace] : []));
    for (const m of expectedMntns) expect(seenMntns).toContain(m);
    expect(new Set(seenMntns).size).toBe(seenMntns.length);
  });

  test("a bind mount visible only in another mount namespace, via that process's root", () => {
    const n = find(hidden.ino);
    expect(n).toBeDefined();
    expect(n!.references).toEqual([{ kind: "bindmount", path: hidden.path, viaPid: hidden.pid, mountNamespace: hidden.mnt }]);
    expect(n!.openPath).toBe(`/proc/${hidden.pid}/root${hidden.path}`);
    expect(statInode(n!.openPath)).toBe(hidden.ino);
  });

  test("a namespace held only by an fd opened through a since-detached bind mount (link reads \"/\")", () => {
    const n = find(fdHeld.ino);
    expect(n).toBeDefined();
    expect(n!.references).toEqual([{ kind: "fd", pid: fdHeld.pid, fd: 7 }]);
    expect(n!.openPath).toBe(`/proc/${fdHeld.pid}/fd/7`);
    // procfs cannot tell this nsfs file's type; the candidate says so, and a warning names it.
    expect(n!.typeUnverified).toBe(true);
    expect(scan.warnings.some((w) => w.includes(`pid ${fdHeld.pid} `) && w.includes(String(fdHeld.ino)))).toBe(true);
  });

  test("a namespace held only by an fd opened through an ns link (link reads net:[INODE])", () => {
    const n = find(fdLinkHeld.ino);
    expect(n).toBeDefined();
    expect(n!.references).toEqual([{ kind: "fd", pid: fdLinkHeld.pid, fd: 7 }]);
    expect(n!.openPath).toBe(`/proc/${fdLinkHeld.pid}/fd/7`);
    expect(n!.typeUnverified).toBeUndefined();
  });

  test("an fd opened through an attached bind mount is a reference too", () => {
    const n = find(bindmount.ino)!;
    expect(n.references).toContainEqual({ kind: "fd", pid: bmFdPid, fd: 7 });
    expect(n.typeUnverified).toBeUndefined();
  });

  test("a namespace held only by one thread", () => {
    const n = find(thread.ino);
    expect(n).toBeDefined();
    expect(n!.references).toEqual([{ kind: "thread", pid: thread.pid, tid: thread.tid }]);
    expect(n!.openPath).toBe(`/proc/${thread.pid}/task/${thread.tid}/ns/net`);
    // The main thread's namespace is recorded as the process's, with no thread reference for it.
    const host = find(hostNetns)!;
    expect(host.references).toContainEqual({ kind: "process", pid: thread.pid });
    expect(host.references.some((r) => r.kind === "thread" && r.pid === thread.pid)).toBe(false);
  });

  test("every openPath opens the namespace it names (coreutils stat)", () => {
    for (const ino of [hostNetns, held.ino, bindmount.ino, hidden.ino, fdHeld.ino, fdLinkHeld.ino, thread.ino]) {
      const n = find(ino)!;
      expect(statInode(n.openPath)).toBe(ino);
    }
  });

  test("includeThreads: false and includeFds: false leave those sources out", () => {
    const procs = readProcesses("/proc", []);
    const noThreads = scanNetworkNamespaces(procs, { includeThreads: false });
    expect(noThreads.namespaces.some((n) => n.inode === thread.ino)).toBe(false);
    expect(noThreads.namespaces.some((n) => n.inode === fdHeld.ino)).toBe(true);
    const noFds = scanNetworkNamespaces(procs, { includeFds: false });
    expect(noFds.namespaces.some((n) => n.inode === fdHeld.ino)).toBe(false);
    expect(noFds.namespaces.some((n) => n.inode === fdLinkHeld.ino)).toBe(false);
    expect(noFds.namespaces.some((n) => n.inode === thread.ino)).toBe(true);
    // Without the optional thread count (a hand-built process map) every task dir is walked.
    const bare = new Map<number, ProcessInfo>([...procs].map(([pid, { threads: _threads, ...p }]) => [pid, p]));
    expect(bare.get(thread.pid)?.threads).toBeUndefined();
    expect(scanNetworkNamespaces(bare).namespaces.find((n) => n.inode === thread.ino)?.references).toEqual([
      { kind: "thread", pid: thread.pid, tid: thread.tid },
    ]);
  });

  test("a given fdTable is used instead of walking fds again", () => {
    const procs = readProcesses("/proc", []);
    const warnings: string[] = [];
    const table = readFdTable(procs, "/proc", warnings);
    expect(table.byPid.get(fdHeld.pid)?.get(7)).toBe("/");
    expect(table.byPid.get(fdLinkHeld.pid)?.get(7)).toBe(`net:[${fdLinkHeld.ino}]`);
    expect(table.byPid.get(process.pid)?.size).toBeGreaterThan(0);
    const withTable = scanNetworkNamespaces(procs, { fdTable: table });
    expect(withTable.namespaces.find((n) => n.inode === fdHeld.ino)?.references).toContainEqual({ kind: "fd", pid: fdHeld.pid, fd: 7 });
    expect(withTable.namespaces.find((n) => n.inode === fdLinkHeld.ino)?.references).toContainEqual({ kind: "fd", pid: fdLinkHeld.pid, fd: 7 });
    // An empty table proves the scan does not build its own when one is given.
    const empty = scanNetworkNamespaces(procs, { fdTable: { byPid: new Map() } });
    expect(empty.namespaces.some((n) => n.inode === fdHeld.ino)).toBe(false);
    expect(empty.namespaces.some((n) => n.inode === fdLinkHeld.ino)).toBe(false);
  });

  test("scanning never moves this process's threads out of their namespace", () => {
    scanNetworkNamespaces(readProcesses("/proc", []));
    for (const tid of readdirSync("/proc/self/task")) {
      expect(nsInode(`/proc/self/task/${tid}/ns/net`)).toBe(hostNetns);
    }
  });
});
