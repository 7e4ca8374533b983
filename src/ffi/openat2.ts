// Reading a file of another process's filesystem view with symlinks resolved inside its root.
//
// /proc/PID/root is the process's root directory in its own mount namespace, so paths opened
// relative to it see that namespace's mounts (a bind-mounted /etc/hosts, say). But a plain
// open("/proc/PID/root/etc/resolv.conf") follows an ABSOLUTE symlink (resolv.conf -> /run/...)
// from OUR root: a container's link would silently read the host's file. openat2(2) with
// RESOLVE_IN_ROOT (Linux 5.6) treats the dirfd as "/" for the whole walk: absolute links and ".."
// stay inside it, exactly what chroot would do, without chroot. RESOLVE_NO_MAGICLINKS also refuses
// /proc/*/fd-style links, which could otherwise jump anywhere.

import { fstatSync, readSync } from "node:fs";
import { ptr } from "bun:ffi";
import {
  O_CLOEXEC,
  O_NOCTTY,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  OPEN_HOW_SIZE,
  RESOLVE_IN_ROOT,
  RESOLVE_NO_MAGICLINKS,
  SYS_openat2,
} from "./constants.ts";
import { SyscallError } from "./errno.ts";
import { closeQuietly, openFile } from "./fd.ts";
import { cString, errno, libc } from "./libc.ts";

const EINTR = 4;
const EAGAIN = 11;
// openat2 with RESOLVE_IN_ROOT answers EAGAIN when a rename or mount raced the walk ("retry").
const MAX_ATTEMPTS = 8;

// struct open_how, reused: every call is synchronous on one thread. Its address is taken right
// before each call (never cached: the engine may relocate a small typed array's storage).
const how = new BigUint64Array(OPEN_HOW_SIZE / 8);

/** An O_PATH fd of a directory to use as a root with readFileInRoot (e.g. "/proc/PID/root"). */
export function openRootDir(path: string): number {
  return openFile(path, O_PATH);
}

/**
 * openat2(rootFd, path, { O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS }). O_NONBLOCK so that a FIFO planted at /etc/hosts cannot hang discovery.
 * Throws SyscallError (syscall "openat2", detail = path).
 */
export function openInRoot(rootFd: number, path: string): number {
  const cpath = cString(path);
  how[0] = BigInt(O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  how[1] = 0n;
  how[2] = BigInt(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  for (let attempt = 1; ; attempt++) {
    const fd = Number(libc.syscall(SYS_openat2, rootFd, ptr(cpath), ptr(how), OPEN_HOW_SIZE));
    if (fd >= 0) return fd;
    const e = errno();
    if ((e === EINTR || e === EAGAIN) && attempt < MAX_ATTEMPTS) continue;
    throw new SyscallError("openat2", e, path);
  }
}

export interface InRootFile {
  bytes: Uint8Array;
  /** The file was larger than the limit; bytes holds its beginning. */
  truncated: boolean;
}

/**
 * The contents of `path` under `rootFd` (see openInRoot), at most `limit` bytes. null when the path
 * does not exist (ENOENT, or ENOTDIR for a missing directory on the way). Throws SyscallError for
 * other failures, and an Error for something that is not a regular file.
 */
export function readFileInRoot(rootFd: number, path: string, limit: number): InRootFile | null {
  let fd: number;
  try {
    fd = openInRoot(rootFd, path);
  } catch (err) {
    if (err instanceof SyscallError && (err.code === "ENOENT" || err.code === "ENOTDIR")) return null;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    // st.size is a hint only (it can change under us, and pseudo-files report 0): read to EOF,
    // growing the buffer, up to one byte past the limit to know whether there was more.
    let buf = new Uint8Array(Math.min(limit, Math.max(st.size, 4095)) + 1);
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (buf.length > limit) break;
        const bigger = new Uint8Array(Math.min(limit + 1, buf.length * 2));
        bigger.set(buf);
        buf = bigger;
      }
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    const truncated = len > limit;
    return { bytes: buf.subarray(0, Math.min(len, limit)), truncated };
  } finally {
    closeQuietly(fd);
  }
}
