import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readlinkSync, statSync } from "node:fs";
import {
  AF_INET,
  NETLINK_ROUTE,
  NetlinkSocket,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SyscallError,
  netnsCookie,
  openDatagramSocket,
  socketInNetns,
  socketsInNetns,
  socketNetnsFd,
  allThreadsNetns,
  closeFd,
  closeQuietly,
  gettid,
  openFile,
  originalNetnsFd,
  threadNetnsInode,
  withNetns,
} from "../../src/ffi/index.ts";
import { IS_ROOT, createTestNetns, deleteTestNetns, dumpLinkNames, fdCount, rootTest } from "./helpers.ts";

describe("withNetns", () => {
  let nsA = "";
  let nsB = "";
  let fdA = -1;
  let fdB = -1;
  let original = 0;

  beforeAll(() => {
    original = threadNetnsInode();
    if (!IS_ROOT) return;
    nsA = createTestNetns();
    nsB = createTestNetns();
    fdA = openFile(`/run/netns/${nsA}`);
    fdB = openFile(`/run/netns/${nsB}`);
  });

  afterAll(() => {
    closeQuietly(fdA);
    closeQuietly(fdB);
    deleteTestNetns(nsA);
    deleteTestNetns(nsB);
  });

  rootTest("a socket opened inside has the namespace's cookie and stays there", () => {
    using outside = NetlinkSocket.open(NETLINK_ROUTE);
    let insideInode = 0;
    using inside = withNetns(fdA, () => {
      insideInode = threadNetnsInode();
      return NetlinkSocket.open(NETLINK_ROUTE);
    });
    expect(insideInode).toBe(statSync(`/run/netns/${nsA}`).ino);
    expect(insideInode).not.toBe(original);
    expect(threadNetnsInode()).toBe(original);

    const cin = inside.netnsCookie();
    const cout = outside.netnsCookie();
    expect(typeof cin).toBe("bigint");
    expect(cin).not.toBe(cout);
    // The cookie names the namespace, not the socket: a second socket there has the same one.
    using again = withNetns(fdA, () => NetlinkSocket.open(NETLINK_ROUTE));
    expect(again.netnsCookie()).toBe(cin);
    // Used after withNetns returned, the socket still talks to its own namespace.
    expect(dumpLinkNames(inside)).toEqual(["lo"]);
  });

  rootTest("an exception thrown inside still switches back, and is rethrown as is", () => {
    const boom = new Error("boom");
    let seen = 0;
    expect(() =>
      withNetns(fdA, () => {
        seen = threadNetnsInode();
        throw boom;
      }),
    ).toThrow(boom);
    expect(seen).toBe(statSync(`/run/netns/${nsA}`).ino);
    expect(threadNetnsInode()).toBe(original);
  });

  rootTest("an async fn is rejected, still switched back, and its continuation runs outside", async () => {
    let before = 0;
    let after = 0;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    expect(() =>
      withNetns(fdA, async () => {
        before = threadNetnsInode();
        await Promise.resolve();
        after = threadNetnsInode();
        resolveDone();
        throw new Error("late rejection must not surface as unhandled");
      }),
    ).toThrow(/must be synchronous/);
    expect(threadNetnsInode()).toBe(original);
    await done;
    await Bun.sleep(1); // let a stray unhandled rejection, if any, fire inside this test
    expect(before).toBe(statSync(`/run/netns/${nsA}`).ino);
    expect(after).toBe(original); // why async is refused: the rest of fn ran in the wrong namespace
  });

  rootTest("a thenable that is not a Promise is refused too", () => {
    expect(() => withNetns(fdA, () => ({ then() {} }))).toThrow(/must be synchronous/);
    expect(threadNetnsInode()).toBe(original);
  });

  rootTest("nested calls return to the outer namespace, then to the original", () => {
    const inoA = statSync(`/run/netns/${nsA}`).ino;
    const inoB = statSync(`/run/netns/${nsB}`).ino;
    const trail: number[] = [];
    const fds = fdCount();
    withNetns(fdA, () => {
      trail.push(threadNetnsInode());
      withNetns(fdB, () => trail.push(threadNetnsInode()));
      trail.push(threadNetnsInode());
      expect(() => withNetns(fdB, () => { throw new Error("inner"); })).toThrow("inner");
      trail.push(threadNetnsInode());
    });
    trail.push(threadNetnsInode());
    expect(trail).toEqual([inoA, inoB, inoA, inoA, original]);
    expect(fdCount()).toBe(fds); // the nested call's temporary way-back fd was closed
  });

  rootTest("the fd of the original namespace is opened once and cached", () => {
    withNetns(fdA, () => 0); // make sure the cache exists
    const cached = originalNetnsFd();
    expect(readlinkSync(`/proc/self/fd/${cached}`)).toBe(`net:[${original}]`);
    const fds = fdCount();
    for (let i = 0; i < 5; i++) withNetns(i % 2 ? fdA : fdB, () => 0);
    for (let i = 0; i < 200; i++) closeFd(socketInNetns(i % 2 ? fdA : fdB, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    expect(originalNetnsFd()).toBe(cached);
    expect(fdCount()).toBe(fds);
  });

  rootTest("switching back failing is fatal, loud, and poisons later calls", () => {
    const r = Bun.spawnSync([process.execPath, `${import.meta.dir}/fixtures/restore-failure.ts`, `/run/netns/${nsA}`], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout.toString());
    const inoA = statSync(`/run/netns/${nsA}`).ino;
    expect(report.inside).toBe(inoA);
    expect(report.name).toBe("NetnsRestoreError");
    expect(report.message).toContain("FATAL");
    expect(report.message).toContain("wrong network namespace");
    expect(report.causeCode).toBe("EBADF");
    expect(report.fnError).toBe("fn failed too"); // fn's own error is kept, not swallowed
    expect(report.after).toBe(inoA); // it really is stuck: hence fatal
    expect(report.second).toBe("NetnsRestoreError");
    expect(report.returned).toBeUndefined();
  });

  // The thread check runs in a fresh process. `bun test` runs every test file in one process, and an
  // engine thread started while some other file's code was switched by withNetns lingers ~10 s
  // (see src/ffi/netns.ts): checked here, the result would depend on which files ran before.
  function threadsAfter(mode: string, ...args: string[]) {
    const r = Bun.spawnSync([process.execPath, `${import.meta.dir}/fixtures/threads-after.ts`, mode, `/run/netns/${nsA}`, ...args], {
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    return JSON.parse(r.stdout.toString()) as { original: number; threadNow: number; threads: number; foreign: unknown[]; cookies: string[] };
  }

  rootTest("after the withNetns scenarios no thread of the process is in a foreign namespace", () => {
    const report = threadsAfter("withNetns");
    expect(report.threadNow).toBe(report.original);
    expect(report.threads).toBeGreaterThan(1); // the engine's own threads are checked too
    expect(report.foreign).toEqual([]);
    expect(report.cookies).toHaveLength(1);
  });

  rootTest("after 2000 discovery-like rounds through socketInNetns no thread is in a foreign namespace", () => {
    const report = threadsAfter("primitives", "2000");
    expect(report.threadNow).toBe(report.original);
    expect(report.foreign).toEqual([]);
    expect(report.cookies).toHaveLength(1);
  });

});

describe("socketInNetns", () => {
  let ns = "";
  let fd = -1;
  let original = 0;

  beforeAll(() => {
    original = threadNetnsInode();
    if (!IS_ROOT) return;
    ns = createTestNetns();
    fd = openFile(`/run/netns/${ns}`);
  });

  afterAll(() => {
    closeQuietly(fd);
    deleteTestNetns(ns);
  });

  rootTest("creates the socket in the namespace without the thread staying there", () => {
    using viaWith = withNetns(fd, () => NetlinkSocket.open(NETLINK_ROUTE));
    using viaPrimitive = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: fd });
    using here = NetlinkSocket.open(NETLINK_ROUTE);
    expect(viaPrimitive.netnsCookie()).toBe(viaWith.netnsCookie());
    expect(viaPrimitive.netnsCookie()).not.toBe(here.netnsCookie());
    expect(threadNetnsInode()).toBe(original);
    expect(dumpLinkNames(viaPrimitive)).toEqual(["lo"]);

    const dgram = openDatagramSocket(AF_INET, fd);
    try {
      expect(netnsCookie(dgram)).toBe(viaWith.netnsCookie());
    } finally {
      closeFd(dgram);
    }
  });

  rootTest("errors name the failing step and leave the thread where it was", () => {
    const bad = (() => {
      try {
        socketInNetns(987654, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      } catch (e) {
        return e as SyscallError;
      }
    })();
    expect(bad).toBeInstanceOf(SyscallError);
    expect(bad!.syscall).toBe("setns");
    expect(bad!.code).toBe("EBADF");

    const unsupported = (() => {
      try {
        socketInNetns(fd, 9999, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      } catch (e) {
        return e as SyscallError;
      }
    })();
    expect(unsupported!.syscall).toBe("socket");
    expect(unsupported!.code).toBe("EAFNOSUPPORT");
    expect(threadNetnsInode()).toBe(original);
    expect(() => socketInNetns(1.5, AF_INET, SOCK_DGRAM, 0)).toThrow(TypeError);
  });

  rootTest("socketsInNetns: several sockets in one switch; a protocol that fails fails alone", () => {
    const NETLINK_SOCK_DIAG = 4;
    const NO_SUCH_NETLINK_PROTOCOL = 31; // MAX_LINKS - 1: never registered
    using ref = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: fd });
    const before = fdCount();
    const got = socketsInNetns(fd, 16 /* AF_NETLINK */, 3 /* SOCK_RAW */ | SOCK_CLOEXEC, [NETLINK_ROUTE, NO_SUCH_NETLINK_PROTOCOL, NETLINK_SOCK_DIAG, NETLINK_ROUTE]);
    expect(threadNetnsInode()).toBe(original);
    expect(got[1]).toBeInstanceOf(SyscallError);
    expect((got[1] as SyscallError).syscall).toBe("socket");
    expect((got[1] as SyscallError).code).toBe("EPROTONOSUPPORT");
    for (const i of [0, 2, 3]) {
      expect(typeof got[i]).toBe("number");
      expect(netnsCookie(got[i] as number)).toBe(ref.netnsCookie());
      closeFd(got[i] as number);
    }
    expect(fdCount()).toBe(before);

    const sockets = NetlinkSocket.openAllIn(fd, [NETLINK_ROUTE, NETLINK_SOCK_DIAG]);
    try {
      expect(sockets.map((s) => (s as NetlinkSocket).netnsCookie())).toEqual([ref.netnsCookie(), ref.netnsCookie()]);
      expect(dumpLinkNames(sockets[0] as NetlinkSocket)).toEqual(["lo"]);
    } finally {
      for (const s of sockets) if (s instanceof NetlinkSocket) s.close();
    }

    expect(() => socketsInNetns(fd, AF_INET, SOCK_DGRAM, [])).toThrow(RangeError);
    expect(() => socketsInNetns(fd, AF_INET, SOCK_DGRAM, [0, 0, 0, 0, 0])).toThrow(RangeError);
    expect(() => socketsInNetns(987654, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, [0, 0])).toThrow("EBADF");
    expect(threadNetnsInode()).toBe(original);
    expect(fdCount()).toBe(before);
  });

  rootTest("nested inside withNetns it returns to the outer namespace", () => {
    const other = createTestNetns();
    const otherFd = openFile(`/run/netns/${other}`);
    try {
      const seen = withNetns(otherFd, () => {
        const s = socketInNetns(fd, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        const cookie = netnsCookie(s);
        closeFd(s);
        return { inode: threadNetnsInode(), cookie };
      });
      expect(seen.inode).toBe(statSync(`/run/netns/${other}`).ino);
      using ref = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: fd });
      expect(seen.cookie).toBe(ref.netnsCookie());
      expect(threadNetnsInode()).toBe(original);
    } finally {
      closeFd(otherFd);
      deleteTestNetns(other);
    }
  });
});

describe("socketNetnsFd (SIOCGSKNS)", () => {
  rootTest("a socket is a handle on its namespace that pins no mount: umount works, the namespace stays reachable", () => {
    const name = createTestNetns();
    const path = `/run/netns/${name}`;
    const inode = statSync(path).ino;
    const pathFd = openFile(path);
    const sock = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: pathFd });
    closeFd(pathFd); // from here on only the socket refers to the namespace
    try {
      // A plain umount (no MNT_DETACH) fails with EBUSY while any fd is open on the mount.
      const umount = Bun.spawnSync(["umount", path], { stderr: "pipe" });
      expect(umount.stderr.toString()).toBe("");
      expect(umount.exitCode).toBe(0);
      const nsFd = socketNetnsFd(sock.fd);
      try {
        expect(statSync(`/proc/self/fd/${nsFd}`).ino).toBe(inode);
        // The derived fd enters the namespace like the mount did.
        using again = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: nsFd });
        expect(again.netnsCookie()).toBe(sock.netnsCookie());
        expect(readlinkSync(`/proc/self/fd/${nsFd}`)).toBe(`net:[${inode}]`);
      } finally {
        closeFd(nsFd);
      }
      expect(() => socketNetnsFd(987654)).toThrow("EBADF");
    } finally {
      sock.close();
      deleteTestNetns(name); // the mount point file is left by umount; ip netns del removes it
    }
  });

  rootTest("adopt takes over a set-up socket by fd; release hands it on without closing it", () => {
    const first = NetlinkSocket.open(NETLINK_ROUTE);
    const portId = first.portId;
    const fd = first.release();
    expect(first.closed).toBe(true);
    const adopted = NetlinkSocket.adopt(fd, NETLINK_ROUTE);
    try {
      expect(adopted.portId).toBe(portId);
      expect(dumpLinkNames(adopted)).toContain("lo");
    } finally {
      adopted.close();
    }
  });
});

describe("namespace helpers", () => {
  // Not root-only: reading one's own namespace links needs no privilege.
  test("threadNetnsInode matches /proc/thread-self and gettid is a thread of ours", () => {
    expect(threadNetnsInode()).toBe(statSync("/proc/thread-self/ns/net").ino);
    expect(allThreadsNetns().some((t) => t.tid === gettid())).toBe(true);
    const fd = openFile("/proc/thread-self/ns/net");
    closeFd(fd);
  });
});
