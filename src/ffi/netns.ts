// Entering another network namespace.
//
// setns(CLONE_NEWNET) moves only the calling OS thread. JS runs on one thread, so as long as fn
// never awaits, everything withNetns' fn does — opening sockets, which stay bound to the namespace
// they were created in — happens in the target namespace, and other JS never observes the switch.
// An await would let unrelated code run in the foreign namespace (and fn's continuation in the
// wrong one), hence the thenable check.
//
// One leak remains that no JS-level rule can close: a thread the engine creates while this thread
// is switched inherits the foreign namespace for its whole life. JavaScriptCore starts JIT worker
// threads (and GC helpers) lazily from the JS thread when code gets hot or memory is allocated,
// and they only exit after ~10 s idle. Measured here: 100 withNetns(fd, () => NetlinkSocket.open())
// calls were enough to leave a "JITWorker" (another run: a GC "HeapHelper") thread in the foreign
// namespace, pinning it alive after `ip netns del` and showing it as a namespace of ours in
// /proc/self/task/*/ns/net.
// socketInNetns() closes that gap for the one thing discovery needs inside a namespace — creating
// sockets — by running no JS function and allocating nothing while switched.

import { read } from "bun:ffi";
import { readdirSync, readlinkSync } from "node:fs";
import { CLONE_NEWNET } from "./constants.ts";
import { SyscallError } from "./errno.ts";
import { closeQuietly, openFile } from "./fd.ts";
import { lastError, libc } from "./libc.ts";

const THREAD_NETNS = "/proc/thread-self/ns/net";

/**
 * Switching back after withNetns (or socketInNetns) failed: this thread is now in the wrong network namespace, and
 * every later socket it opens would silently be in it too. Fatal — do not catch and continue.
 * `cause` is the setns SyscallError; `fnError` is what fn threw, if it threw.
 */
export class NetnsRestoreError extends Error {
  readonly fnError: unknown;
  constructor(cause: SyscallError | Error, fnError: unknown, op = "withNetns") {
    super(
      `${op}: FATAL: could not switch back to the original network namespace (${cause.message}); ` +
        `this thread (tid ${libc.gettid()}) is now in the wrong network namespace`,
      { cause },
    );
    this.name = "NetnsRestoreError";
    this.fnError = fnError;
  }
}

// fd of the thread's own namespace, opened on first use and kept for the life of the process:
// one open per process instead of one per switch. Module state is per JS thread (a Worker loads
// its own copy), which matches setns being per OS thread.
let originalFd = -1;
// withNetns nesting depth; nested calls switch back to the outer namespace, not the original.
let depth = 0;
// Set once switching back has failed: from then on the "original" namespace is unknowable.
let poisoned: NetnsRestoreError | undefined;

/** The cached fd of this thread's original network namespace (opened on first call, never closed). */
export function originalNetnsFd(): number {
  if (originalFd < 0) originalFd = openFile(THREAD_NETNS);
  return originalFd;
}

/**
 * Closes the cached fd of this thread's original network namespace. For a Worker about to end:
 * fds belong to the process, so a thread's cache would otherwise outlive the thread.
 */
export function closeOriginalNetnsFd(): void {
  closeQuietly(originalFd);
  originalFd = -1;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function"
  );
}

/**
 * Run fn synchronously inside the network namespace `nsFd` (an fd of /run/netns/X or
 * /proc/PID/ns/net) and switch back, whatever fn does. fn must not be async: if it returns a
 * thenable we still switch back, then throw. If switching back fails, NetnsRestoreError is thrown
 * and every later withNetns on this thread refuses to run.
 *
 * Engine threads started while fn runs inherit the namespace (see the top of this file): keep fn
 * tiny, and to open sockets prefer socketInNetns / NetlinkSocket.open({ netnsFd }) /
 * openDatagramSocket(family, netnsFd), which never leave a thread behind.
 */
export function withNetns<T>(nsFd: number, fn: () => T): T {
  if (poisoned) throw poisoned;
  const nested = depth > 0;
  // Where to come back to: the cached original at top level, the current (outer) namespace when nested.
  const backFd = nested ? openFile(THREAD_NETNS) : originalNetnsFd();

  if (libc.setns(nsFd, CLONE_NEWNET) !== 0) {
    const err = lastError("setns", `fd ${nsFd}`); // a failed setns leaves the thread where it was
    if (nested) closeQuietly(backFd);
    throw err;
  }

  depth++;
  let result: T | undefined;
  let threw = false;
  let fnError: unknown;
  try {
    result = fn();
  } catch (e) {
    threw = true;
    fnError = e;
  }
  depth--;

  const restored = libc.setns(backFd, CLONE_NEWNET) === 0;
  const restoreErr = restored ? undefined : lastError("setns", `fd ${backFd} (switching back)`);
  if (nested) closeQuietly(backFd);
  if (restoreErr) {
    poisoned = new NetnsRestoreError(restoreErr, threw ? fnError : undefined);
    throw poisoned;
  }

  if (threw) throw fnError;
  if (isThenable(result)) {
    // A rejection of the promise must not surface later as an unhandled rejection: the error below
    // is the report. (Other thenables are left alone: calling their then() would run more user code.)
    if (result instanceof Promise) result.catch(() => {});
    throw new Error(
      "withNetns: fn returned a promise; fn must be synchronous (no async/await): anything after its first " +
        "await runs outside the namespace. Switched back; the promise was not awaited.",
    );
  }
  return result as T;
}

// --- socketsInNetns: the switch with nothing but native calls inside ------------------------------

const { setns, socket, __errno_location } = libc;
/**
 * How many sockets one switched window can open (discovery needs route, sock_diag, netfilter, and
 * a watcher meeting a namespace for the first time its event socket too).
 */
export const MAX_SOCKETS_PER_WINDOW = 4;
// Results of the switched window, written with plain stores (no allocation while switched):
// [0] errno of setns in (0 = ok), [1..4] socket fds or -1, [5..8] errnos of those socket() calls,
// [9] errno of setns back. NOT_YET marks a step that did not happen, so a (theoretically
// impossible) throw inside the window can still be detected and the thread switched back.
const sw = new Int32Array(10); // "switched window" results
const NOT_YET = -1;
const ERRNOS = 1 + MAX_SOCKETS_PER_WINDOW;
const BACK = ERRNOS + MAX_SOCKETS_PER_WINDOW;

/**
 * The window itself. Between the two setns calls it only calls native functions and stores into a
 * preallocated Int32Array: no JS function call and no loop (each call entry and loop back-edge is
 * a point where the engine may queue a JIT compile and start a worker thread) and no allocation
 * (which may start GC threads). Hence the unrolled socket() calls. Arguments are validated by the
 * caller, so nothing in here can throw while switched.
 */
function socketWindow(nsFd: number, backFd: number, domain: number, type: number, count: number, p0: number, p1: number, p2: number, p3: number): void {
  if (setns(nsFd, CLONE_NEWNET) !== 0) {
    sw[0] = read.i32(__errno_location()!, 0);
    return;
  }
  sw[0] = 0;
  let fd = socket(domain, type, p0);
  sw[1] = fd;
  sw[5] = fd < 0 ? read.i32(__errno_location()!, 0) : 0;
  if (count > 1) {
    fd = socket(domain, type, p1);
    sw[2] = fd;
    sw[6] = fd < 0 ? read.i32(__errno_location()!, 0) : 0;
  }
  if (count > 2) {
    fd = socket(domain, type, p2);
    sw[3] = fd;
    sw[7] = fd < 0 ? read.i32(__errno_location()!, 0) : 0;
  }
  if (count > 3) {
    fd = socket(domain, type, p3);
    sw[4] = fd;
    sw[8] = fd < 0 ? read.i32(__errno_location()!, 0) : 0;
  }
  sw[BACK] = setns(backFd, CLONE_NEWNET) === 0 ? 0 : read.i32(__errno_location()!, 0);
}

function isInt32(n: number): boolean {
  return (n | 0) === n;
}

/**
 * socket(domain, type, protocol) for each of up to four protocols, all created inside the network
 * namespace `nsFd` in ONE switch (two setns calls however many sockets), without leaving the
 * calling thread — or any thread — in it. Pass SOCK_CLOEXEC in `type` (the wrappers do).
 * Per protocol: the fd, or the SyscallError of its socket() (a protocol this kernel lacks fails
 * alone; the others are still made). Throws SyscallError "setns" when the namespace cannot be
 * entered, or NetnsRestoreError if switching back failed (then no fd is left open).
 */
export function socketsInNetns(nsFd: number, domain: number, type: number, protocols: readonly number[]): (number | SyscallError)[] {
  if (poisoned) throw poisoned;
  const count = protocols.length;
  if (count < 1 || count > MAX_SOCKETS_PER_WINDOW) throw new RangeError(`socketsInNetns: 1 to ${MAX_SOCKETS_PER_WINDOW} protocols, got ${count}`);
  if (!isInt32(nsFd) || !isInt32(domain) || !isInt32(type) || !protocols.every(isInt32)) {
    throw new TypeError("socketsInNetns: arguments must be 32-bit integers");
  }
  const nested = depth > 0;
  const backFd = nested ? openFile(THREAD_NETNS) : originalNetnsFd();
  sw.fill(NOT_YET); // setns in, the fds and setns back: not done yet
  sw.fill(0, ERRNOS, BACK); // errnos of the socket() calls
  try {
    socketWindow(nsFd, backFd, domain, type, count, protocols[0]!, protocols[1] ?? 0, protocols[2] ?? 0, protocols[3] ?? 0);
  } catch (e) {
    if (sw[0] === 0 && sw[BACK] === NOT_YET) {
      sw[BACK] = setns(backFd, CLONE_NEWNET) === 0 ? 0 : read.i32(__errno_location()!, 0);
    }
    if (sw[BACK] === 0) {
      for (let i = 1; i <= count; i++) closeQuietly(sw[i]!);
      throw e;
    }
  } finally {
    if (nested) closeQuietly(backFd);
  }
  if (sw[0] !== 0) throw new SyscallError("setns", sw[0]!, `fd ${nsFd}`);
  if (sw[BACK] !== 0) {
    for (let i = 1; i <= count; i++) closeQuietly(sw[i]!);
    poisoned = new NetnsRestoreError(new SyscallError("setns", sw[BACK]!, `fd ${backFd} (switching back)`), undefined, "socketInNetns");
    throw poisoned;
  }
  const out: (number | SyscallError)[] = [];
  for (let i = 0; i < count; i++) {
    const fd = sw[1 + i]!;
    out.push(fd >= 0 ? fd : new SyscallError("socket", sw[ERRNOS + i]!, `domain ${domain} type ${type} protocol ${protocols[i]} in netns fd ${nsFd}`));
  }
  return out;
}

/**
 * socket(domain, type, protocol) created inside the network namespace `nsFd` (socketsInNetns for
 * one protocol). Throws SyscallError ("setns" when the namespace cannot be entered, "socket" when
 * socket() fails) or NetnsRestoreError if switching back failed.
 */
export function socketInNetns(nsFd: number, domain: number, type: number, protocol: number): number {
  const [fd] = socketsInNetns(nsFd, domain, type, [protocol]);
  if (fd instanceof SyscallError) throw fd;
  return fd!;
}

function parseNetnsLink(link: string): number {
  const m = /^net:\[(\d+)\]$/.exec(link);
  if (!m) throw new Error(`unexpected ns link target ${JSON.stringify(link)}`);
  return Number(m[1]);
}

/** Inode of the calling thread's network namespace (/proc/thread-self/ns/net). */
export function threadNetnsInode(): number {
  return parseNetnsLink(readlinkSync(THREAD_NETNS));
}

/** Network namespace inode of every thread of this process; threads that exit meanwhile are skipped. */
export function allThreadsNetns(): { tid: number; inode: number }[] {
  const out: { tid: number; inode: number }[] = [];
  for (const name of readdirSync("/proc/self/task")) {
    let link: string;
    try {
      link = readlinkSync(`/proc/self/task/${name}/ns/net`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ESRCH") continue;
      throw e;
    }
    out.push({ tid: Number(name), inode: parseNetnsLink(link) });
  }
  return out;
}

/** gettid(2): the OS thread id of the caller (the JS thread). */
export function gettid(): number {
  return libc.gettid();
}

const PRIO_PROCESS = 0;

/**
 * The calling thread's nice value (Linux schedules threads on their own: setpriority with a
 * thread id affects that thread alone, and what it does inside the kernel on its behalf). Raising
 * it needs no privilege; lowering it below the current value needs CAP_SYS_NICE.
 */
export function setThreadNice(nice: number): void {
  if (libc.setpriority(PRIO_PROCESS, libc.gettid(), nice) !== 0) throw lastError("setpriority", `nice ${nice} for tid ${libc.gettid()}`);
}
