import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import {
  SyscallError,
  closeFd,
  errnoMessage,
  errnoName,
  errnoNumber,
  isSyscallError,
  openFile,
  threadNetnsInode,
  withNetns,
} from "../../src/ffi/index.ts";
import { ERRNO_TABLE } from "../../src/ffi/errno-table.ts";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("errno table", () => {
  test("names the common errnos", () => {
    expect(errnoName(1)).toBe("EPERM");
    expect(errnoName(2)).toBe("ENOENT");
    expect(errnoName(3)).toBe("ESRCH");
    expect(errnoName(4)).toBe("EINTR");
    expect(errnoName(9)).toBe("EBADF");
    expect(errnoName(11)).toBe("EAGAIN");
    expect(errnoName(22)).toBe("EINVAL");
    expect(errnoName(92)).toBe("ENOPROTOOPT");
    expect(errnoName(95)).toBe("EOPNOTSUPP");
    expect(errnoName(105)).toBe("ENOBUFS");
    expect(errnoName(19)).toBe("ENODEV");
    expect(errnoName(133)).toBe("EHWPOISON");
    expect(errnoName(524)).toBe("ENOTSUPP");
    expect(errnoName(9999)).toBe("E9999?");
    expect(errnoMessage(1)).toBe("Operation not permitted");
  });

  test("covers every number 1..133 exactly once (except the two the kernel never assigned)", () => {
    const numbers = ERRNO_TABLE.map(([n]) => n).filter((n) => n < 512);
    expect(new Set(numbers).size).toBe(numbers.length);
    const missing = [];
    for (let n = 1; n <= 133; n++) if (!numbers.includes(n)) missing.push(n);
    expect(missing).toEqual([41, 58]); // EWOULDBLOCK/EDEADLOCK slots: aliases, not numbers
  });

  test("aliases resolve to the kernel number", () => {
    expect(errnoNumber("ENOTSUP")).toBe(95);
    expect(errnoNumber("EOPNOTSUPP")).toBe(95);
    expect(errnoNumber("EWOULDBLOCK")).toBe(11);
    expect(errnoNumber("EDEADLOCK")).toBe(35);
    expect(isSyscallError(new SyscallError("ioctl", 95), "ENOTSUP")).toBe(true);
    expect(isSyscallError(new SyscallError("ioctl", 95), "ENODEV")).toBe(false);
    expect(isSyscallError(new Error("x"))).toBe(false);
  });

  test("SyscallError shape and message", () => {
    const e = new SyscallError("setns", 1);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("SyscallError");
    expect(e.code).toBe("EPERM");
    expect(e.errno).toBe(1);
    expect(e.syscall).toBe("setns");
    expect(e.message).toBe("setns: EPERM (Operation not permitted)");
    expect(new SyscallError("open", 2, "/x").message).toBe("open: ENOENT (No such file or directory): /x");
  });
});

describe("errno from real calls", () => {
  test("setns on a bad fd is EBADF, and the thread stays where it was", () => {
    const before = threadNetnsInode();
    const e = thrown(() => withNetns(987654, () => "never"));
    expect(e).toBeInstanceOf(SyscallError);
    expect((e as SyscallError).code).toBe("EBADF");
    expect((e as SyscallError).errno).toBe(9);
    expect((e as SyscallError).syscall).toBe("setns");
    expect((e as SyscallError).message).toStartWith("setns: EBADF (Bad file descriptor)");
    expect(threadNetnsInode()).toBe(before);
  });

  test("setns on an fd that is not a namespace is EINVAL", () => {
    const fd = openFile("/proc/self/stat");
    try {
      const e = thrown(() => withNetns(fd, () => "never"));
      expect((e as SyscallError).code).toBe("EINVAL");
    } finally {
      closeFd(fd);
    }
  });

  test("openFile of a missing path is ENOENT", () => {
    const e = thrown(() => openFile("/nonexistent/wiresight-ffi-test"));
    expect(e).toBeInstanceOf(SyscallError);
    expect((e as SyscallError).code).toBe("ENOENT");
    expect((e as SyscallError).syscall).toBe("open");
    expect((e as SyscallError).detail).toBe("/nonexistent/wiresight-ffi-test");
  });

  test("openFile rejects a path with a NUL byte instead of truncating it", () => {
    expect(() => openFile("/etc/passwd\0.ignored")).toThrow(TypeError);
  });

  test("closeFd on an fd that is not open is EBADF", () => {
    // Not a just-closed fd: another thread could have been given that number meanwhile.
    const e = thrown(() => closeFd(987654));
    expect((e as SyscallError).code).toBe("EBADF");
    expect((e as SyscallError).syscall).toBe("close");
  });

  test("opened fds are close-on-exec", () => {
    const fd = openFile("/proc/self/stat");
    try {
      const fdinfo = readFileSync(`/proc/self/fdinfo/${fd}`, "utf8");
      const octal = /flags:\s+([0-7]+)/.exec(fdinfo)?.[1];
      expect(octal).toBeDefined();
      expect(parseInt(octal!, 8) & 0o2000000).toBe(0o2000000); // O_CLOEXEC
    } finally {
      closeFd(fd);
    }
  });
});
