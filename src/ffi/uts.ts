// The host and NIS domain name of another UTS namespace.
//
// Nothing in procfs shows them: /proc/sys/kernel/hostname answers for the READER's UTS namespace.
// So the calling thread enters the namespace (setns(CLONE_NEWUTS)), calls uname(), and goes back —
// with no JS function call and no allocation in between, for the reason netns.ts gives: a thread
// the engine starts while we are switched would inherit the namespace for its whole life. The
// window below mirrors socketInNetns: native calls and stores into preallocated memory only.

import { read } from "bun:ffi";
import { readlinkSync } from "node:fs";
import { CLONE_NEWUTS } from "./constants.ts";
import { SyscallError } from "./errno.ts";
import { closeQuietly, openFile } from "./fd.ts";
import { libc } from "./libc.ts";

/** uname() failed to come back: this thread now answers with another namespace's hostname. Fatal. */
export class UtsRestoreError extends Error {
  constructor(cause: SyscallError) {
    super(`utsNamesIn: FATAL: could not switch back to the original UTS namespace (${cause.message})`, { cause });
    this.name = "UtsRestoreError";
  }
}

// struct utsname (<sys/utsname.h>, glibc, _UTSNAME_LENGTH 65): sysname, nodename, release,
// version, machine, domainname — six char[65] fields.
const UTS_FIELD = 65;
const NODENAME_OFFSET = UTS_FIELD;
const DOMAINNAME_OFFSET = 5 * UTS_FIELD;
// Passed to uname() as the typed array itself, never as a cached ptr(): a small typed array's
// storage can be relocated by the engine (a cached address read back zeros here), while a typed
// array argument is resolved to its current address at call time, without allocating.
const utsBuf = new Uint8Array(6 * UTS_FIELD);

let originalFd = -1;
let poisoned: UtsRestoreError | undefined;

/** Closes the cached fd of this thread's original UTS namespace (a Worker about to end: see netns.ts). */
export function closeOriginalUtsFd(): void {
  closeQuietly(originalFd);
  originalFd = -1;
}

const { setns, uname, __errno_location } = libc;
// [0] errno of setns in, [1] errno of uname, [2] errno of setns back; -1 = not reached.
const sw = new Int32Array(3);
const NOT_YET = -1;

function utsWindow(nsFd: number, backFd: number): void {
  if (setns(nsFd, CLONE_NEWUTS) !== 0) {
    sw[0] = read.i32(__errno_location()!, 0);
    return;
  }
  sw[0] = 0;
  sw[1] = uname(utsBuf) === 0 ? 0 : read.i32(__errno_location()!, 0);
  sw[2] = setns(backFd, CLONE_NEWUTS) === 0 ? 0 : read.i32(__errno_location()!, 0);
}

const decoder = new TextDecoder();
function cField(offset: number): string {
  const field = utsBuf.subarray(offset, offset + UTS_FIELD);
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

export interface UtsNames {
  /** uname().nodename: the hostname. */
  nodename: string;
  /** uname().domainname: the NIS domain name ("(none)" when unset). */
  domainname: string;
}

/**
 * Hostname and domain name of the UTS namespace behind `nsFd` (an fd of /proc/PID/ns/uts).
 * Throws SyscallError ("setns" when it cannot be entered, "uname"), or UtsRestoreError when the
 * thread could not switch back (after which every call refuses).
 */
export function utsNamesIn(nsFd: number): UtsNames {
  if (poisoned) throw poisoned;
  if ((nsFd | 0) !== nsFd) throw new TypeError("utsNamesIn: nsFd must be a 32-bit integer");
  if (originalFd < 0) originalFd = openFile("/proc/thread-self/ns/uts");
  sw[0] = NOT_YET;
  sw[1] = NOT_YET;
  sw[2] = NOT_YET;
  utsBuf.fill(0);
  try {
    utsWindow(nsFd, originalFd);
  } catch (e) {
    if (sw[0] === 0 && sw[2] === NOT_YET) sw[2] = setns(originalFd, CLONE_NEWUTS) === 0 ? 0 : read.i32(__errno_location()!, 0);
    if (sw[2] === 0 || sw[0] !== 0) throw e;
  }
  if (sw[0] !== 0) throw new SyscallError("setns", sw[0]!, `fd ${nsFd} (CLONE_NEWUTS)`);
  if (sw[2] !== 0) {
    poisoned = new UtsRestoreError(new SyscallError("setns", sw[2]!, `fd ${originalFd} (switching back)`));
    throw poisoned;
  }
  if (sw[1] !== 0) throw new SyscallError("uname", sw[1]!);
  return { nodename: cField(NODENAME_OFFSET), domainname: cField(DOMAINNAME_OFFSET) };
}

/** The UTS namespace link of the calling thread ("uts:[INODE]"), for checks that it was restored. */
export function threadUtsLink(): string {
  return readlinkSync("/proc/thread-self/ns/uts");
}
