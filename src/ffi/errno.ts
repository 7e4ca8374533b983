// SyscallError and the errno <-> name mapping. Pure: no libc here, so any layer may
// `instanceof SyscallError` without loading bun:ffi. Reading errno itself lives in libc.ts.

import { ERRNO_TABLE } from "./errno-table.ts";

const NAME_BY_ERRNO = new Map<number, string>();
const MESSAGE_BY_ERRNO = new Map<number, string>();
const ERRNO_BY_NAME = new Map<string, number>();
for (const [n, name, message] of ERRNO_TABLE) {
  NAME_BY_ERRNO.set(n, name);
  MESSAGE_BY_ERRNO.set(n, message);
  ERRNO_BY_NAME.set(name, n);
}
// Aliases libc defines as the same number. errnoName() always returns the kernel's name
// (EAGAIN, EDEADLK, EOPNOTSUPP); errnoNumber() accepts either spelling.
ERRNO_BY_NAME.set("EWOULDBLOCK", 11);
ERRNO_BY_NAME.set("EDEADLOCK", 35);
ERRNO_BY_NAME.set("ENOTSUP", 95);

/** The kernel name of an errno ("EPERM"); unknown numbers give "E<n>?" so they stay visible. */
export function errnoName(n: number): string {
  return NAME_BY_ERRNO.get(n) ?? `E${n}?`;
}

/** The strerror-style text of an errno ("Operation not permitted"). */
export function errnoMessage(n: number): string {
  return MESSAGE_BY_ERRNO.get(n) ?? `Unknown error ${n}`;
}

/** The number of an errno name, aliases included (ENOTSUP -> 95); undefined if unknown. */
export function errnoNumber(name: string): number | undefined {
  return ERRNO_BY_NAME.get(name);
}

/**
 * A failed libc call. `code` is the errno name ("EPERM"), `errno` the positive number,
 * `syscall` the libc function ("setns"). Message: `setns: EPERM (Operation not permitted)`,
 * followed by `: <detail>` when the caller knows what was being operated on (a path, an ifname).
 */
export class SyscallError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
  readonly detail: string | undefined;

  constructor(syscall: string, errno: number, detail?: string) {
    const code = errnoName(errno);
    super(`${syscall}: ${code} (${errnoMessage(errno)})${detail === undefined ? "" : `: ${detail}`}`);
    this.name = "SyscallError";
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
    this.detail = detail;
  }
}

/** True when `err` is a SyscallError with one of the given codes (aliases accepted: ENOTSUP == EOPNOTSUPP). */
export function isSyscallError(err: unknown, ...codes: string[]): err is SyscallError {
  if (!(err instanceof SyscallError)) return false;
  if (codes.length === 0) return true;
  return codes.some((c) => errnoNumber(c) === err.errno);
}
