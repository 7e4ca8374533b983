// The one dlopen of libc. Internal to src/ffi: everything else uses the wrappers, which turn the
// C convention (-1 + errno) into SyscallError.
//
// Declarations follow the x86_64/arm64 Linux C ABI. open() and ioctl() are variadic in C; calling
// them with a fixed prototype is sound on these ABIs (variadic integer/pointer arguments travel in
// the same registers as named ones; glibc only reads open's mode with O_CREAT, which we never pass).
// Path arguments are passed as NUL-terminated bytes we encode ourselves (cString) rather than
// relying on the engine's string-to-cstring conversion.

import { FFIType, dlopen, read } from "bun:ffi";
import { SyscallError } from "./errno.ts";

if (process.platform !== "linux" || (process.arch !== "x64" && process.arch !== "arm64")) {
  throw new Error(`src/ffi supports Linux on x64/arm64 only (struct layouts and constants), not ${process.platform}/${process.arch}`);
}

const lib = dlopen("libc.so.6", {
  // int socket(int domain, int type, int protocol)
  socket: { args: ["i32", "i32", "i32"], returns: "i32" },
  // int bind(int fd, const struct sockaddr *addr, socklen_t len)
  bind: { args: ["i32", "ptr", "u32"], returns: "i32" },
  // int connect(int fd, const struct sockaddr *addr, socklen_t len)
  connect: { args: ["i32", "ptr", "u32"], returns: "i32" },
  // int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
  getsockname: { args: ["i32", "ptr", "ptr"], returns: "i32" },
  // ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)
  sendto: { args: ["i32", "ptr", "u64", "i32", "ptr", "u32"], returns: FFIType.i64_fast },
  // ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
  recvfrom: { args: ["i32", "ptr", "u64", "i32", "ptr", "ptr"], returns: FFIType.i64_fast },
  // int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
  setsockopt: { args: ["i32", "i32", "i32", "ptr", "u32"], returns: "i32" },
  // int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
  getsockopt: { args: ["i32", "i32", "i32", "ptr", "ptr"], returns: "i32" },
  // int setns(int fd, int nstype)
  setns: { args: ["i32", "i32"], returns: "i32" },
  // int open(const char *path, int flags, ...)
  open: { args: ["ptr", "i32"], returns: "i32" },
  // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); MAP_FAILED
  // is (void *)-1, which the signed return type keeps exact (a pointer type would round it).
  mmap: { args: ["ptr", "u64", "i32", "i32", "i32", "i64"], returns: FFIType.i64_fast },
  // int munmap(void *addr, size_t length)
  munmap: { args: ["ptr", "u64"], returns: "i32" },
  // int close(int fd)
  close: { args: ["i32"], returns: "i32" },
  // int ioctl(int fd, unsigned long request, ...) — always called with one pointer argument here
  ioctl: { args: ["i32", "u64", "ptr"], returns: "i32" },
  // long syscall(long number, ...) — for system calls glibc 2.36 has no wrapper for everywhere
  // (openat2, pidfd_open, pidfd_getfd). Always called with the number plus three integer or
  // pointer-as-integer arguments: glibc's syscall() is assembly that only moves registers, so a
  // fixed prototype is sound (same reasoning as open/ioctl above).
  syscall: { args: ["i64", "i64", "i64", "i64", "i64"], returns: FFIType.i64_fast },
  // int epoll_create1(int flags)
  epoll_create1: { args: ["i32"], returns: "i32" },
  // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
  epoll_ctl: { args: ["i32", "i32", "i32", "ptr"], returns: "i32" },
  // int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
  epoll_wait: { args: ["i32", "ptr", "i32", "i32"], returns: "i32" },
  // int uname(struct utsname *buf)
  uname: { args: ["ptr"], returns: "i32" },
  // pid_t gettid(void) — glibc >= 2.30
  gettid: { args: [], returns: "i32" },
  // int *__errno_location(void) — errno of the calling thread
  __errno_location: { args: [], returns: "ptr" },
  // int setpriority(int which, id_t who, int prio) — with PRIO_PROCESS and a tid: that thread only
  setpriority: { args: ["i32", "u32", "i32"], returns: "i32" },
});

export const libc = lib.symbols;

/**
 * errno of the calling thread. Call it right after the failing call, in the same synchronous
 * turn and with no other libc call in between, or the value may belong to something else.
 */
export function errno(): number {
  const loc = libc.__errno_location();
  if (loc === null) throw new Error("__errno_location() returned NULL");
  return read.i32(loc, 0);
}

/** Build a SyscallError from the current errno. Same rule as errno(): call immediately. */
export function lastError(syscall: string, detail?: string): SyscallError {
  return new SyscallError(syscall, errno(), detail);
}

const encoder = new TextEncoder();

/** A JS string as NUL-terminated UTF-8 for a `const char *` argument. */
export function cString(s: string): Uint8Array {
  if (s.includes("\0")) throw new TypeError(`string passed to libc contains a NUL byte: ${JSON.stringify(s)}`);
  return encoder.encode(`${s}\0`);
}
