// utsNamesIn and readFileInRoot on their edges: bad fds, FIFOs, magic links, and that no thread
// is left in another UTS namespace.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { SyscallError, closeFd, openFile, openRootDir, readFileInRoot, threadUtsLink, utsNamesIn } from "../../src/ffi/index.ts";

const dir = mkdtempSync(join(tmpdir(), "wiresight-openat2-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("utsNamesIn", () => {
  test("our own UTS namespace gives our hostname; the thread stays where it was", () => {
    const before = threadUtsLink();
    const fd = openFile("/proc/self/ns/uts");
    try {
      for (let i = 0; i < 200; i++) expect(utsNamesIn(fd).nodename).toBe(hostname());
    } finally {
      closeFd(fd);
    }
    expect(threadUtsLink()).toBe(before);
    for (const tid of readdirSync("/proc/self/task")) {
      let link: string;
      try {
        link = readlinkSync(`/proc/self/task/${tid}/ns/uts`);
      } catch {
        continue; // thread exited meanwhile
      }
      expect(link).toBe(before);
    }
  });

  test("an fd that is not a UTS namespace is a setns error, and nothing is switched", () => {
    const before = threadUtsLink();
    const fd = openFile("/proc/self/ns/net");
    try {
      expect(() => utsNamesIn(fd)).toThrow(SyscallError);
      expect(() => utsNamesIn(fd)).toThrow(/setns: EINVAL/);
    } finally {
      closeFd(fd);
    }
    expect(() => utsNamesIn(987654)).toThrow(/setns: EBADF/);
    expect(threadUtsLink()).toBe(before);
  });
});

describe("readFileInRoot", () => {
  test("a FIFO is refused at once instead of blocking", () => {
    spawnSync("mkfifo", [join(dir, "fifo")]);
    const root = openRootDir(dir);
    try {
      expect(() => readFileInRoot(root, "/fifo", 100)).toThrow(/not a regular file/);
    } finally {
      closeFd(root);
    }
  });

  test("magic links (/proc/self/…) are refused: they could jump out of the root", () => {
    const proc = openRootDir("/");
    try {
      expect(() => readFileInRoot(proc, "/proc/self/root/etc/hostname", 100)).toThrow(/openat2: ELOOP/);
    } finally {
      closeFd(proc);
    }
  });

  test("a file bigger than the limit is cut and flagged; a missing one is null", () => {
    writeFileSync(join(dir, "big"), "x".repeat(10000));
    const root = openRootDir(dir);
    try {
      const r = readFileInRoot(root, "big", 5000)!;
      expect(r.truncated).toBe(true);
      expect(r.bytes.length).toBe(5000);
      expect(readFileInRoot(root, "big", 20000)).toMatchObject({ truncated: false });
      expect(readFileInRoot(root, "big", 20000)!.bytes.length).toBe(10000);
      expect(readFileInRoot(root, "nothing/here", 10)).toBeNull();
    } finally {
      closeFd(root);
    }
  });
});
