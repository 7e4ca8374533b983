// Opening and closing raw file descriptors. Every fd we create carries O_CLOEXEC so that
// processes spawned by wiresight (iproute2 in tests, engines' helpers) never inherit them.

import { O_CLOEXEC, O_RDONLY } from "./constants.ts";
import { cString, lastError, libc } from "./libc.ts";

const EINTR = 4;

/** open(path, flags | O_CLOEXEC). Throws SyscallError (syscall "open", detail = path). */
export function openFile(path: string, flags: number = O_RDONLY): number {
  const cpath = cString(path);
  for (;;) {
    const fd = libc.open(cpath, flags | O_CLOEXEC);
    if (fd >= 0) return fd;
    const err = lastError("open", path);
    // open() can be interrupted on FIFOs and some network filesystems; retrying is always safe.
    if (err.errno !== EINTR) throw err;
  }
}

/**
 * close(fd). Throws SyscallError on failure (EBADF means a double close or a foreign fd: a bug
 * worth surfacing). Not retried on EINTR: on Linux the fd is released even then, and a retry
 * could close an fd another part of the program just received.
 */
export function closeFd(fd: number): void {
  if (libc.close(fd) !== 0) {
    const err = lastError("close", `fd ${fd}`);
    if (err.errno !== EINTR) throw err;
  }
}

/** close(fd) for cleanup paths that already have an error to report; failures are ignored. */
export function closeQuietly(fd: number): void {
  if (fd >= 0) libc.close(fd);
}
