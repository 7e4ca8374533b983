// Processes from /proc: pid, parent, name, command line, start time, real uid, scheduling, CPU
// affinity and PID namespace.
//
// A process's identity (design.md) is its PID plus its start time, so startTime is read from the
// same /proc/PID/stat that gives the pid. Each of stat, status and cmdline is read once per pid;
// the PID namespace costs one readlink of /proc/PID/ns/pid. Scheduling comes from stat and the
// affinity from status (Cpus_allowed_list): both files are read anyway, so no sched_* syscall.

import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { describeErrno, errnoCode, isVanished } from "./errors.ts";
import { parseNsLink } from "./namespaces.ts";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The kernel's task name (/proc/PID/comm, at most 15 bytes); may contain spaces and parentheses. */
  comm: string;
  /** argv as the process presents it; [] for kernel threads and zombies. */
  cmdline: string[];
  /** Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
  startTime: number;
  /** Real uid, from the Uid: line of /proc/PID/status; -1 if status could not be read. */
  uid: number;
  /**
   * Field 20 of /proc/PID/stat (num_threads) at read time. Optional: lets the namespace scan skip
   * the /proc/PID/task walk for single-threaded processes; absent means "unknown, walk it".
   */
  threads?: number;
  /** Fields 41 (policy, SCHED_*), 40 (rt_priority) and 19 (nice) of stat. */
  scheduling: { policy: number; rtPriority: number; nice: number } | null;
  /** Cpus_allowed_list of status as [first, last] ranges; null if status could not be read. */
  cpuAffinity: [number, number][] | null;
  /**
   * Its PID namespace: the inode of /proc/PID/ns/pid and its nesting level (NSpid of status has
   * one PID per level, outermost first); null if either could not be read.
   */
  pidns: { inode: number; level: number; pidInside: number } | null;
}

export interface ParsedStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Field 9: PF_* flags (PF_KTHREAD = 0x00200000). */
  flags: number;
  /** Field 20: number of threads. */
  numThreads: number;
  startTime: number;
  /** Field 19: nice, -20 (most favourable) to 19. */
  nice: number;
  /** Field 40: real-time priority, 1–99 for SCHED_FIFO/SCHED_RR, else 0. */
  rtPriority: number;
  /** Field 41: scheduling policy (SCHED_NORMAL 0, FIFO 1, RR 2, BATCH 3, IDLE 5, DEADLINE 6). */
  policy: number;
}

/**
 * Parse the text of /proc/PID/stat. The comm field is wrapped in parentheses and may itself contain
 * spaces, "(" and ")", so it runs from the first "(" to the LAST ")". Returns null when malformed.
 */
export function parseStat(text: string): ParsedStat | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // After ") " come fields 3 (state), 4 (ppid), … ; field N is rest[N - 3].
  const rest = text.slice(close + 1).trim().split(" ");
  const state = rest[0];
  const ppid = Number(rest[1]);
  const flags = Number(rest[6]);
  const numThreads = Number(rest[17]);
  const startTime = Number(rest[19]);
  const int = (v: string | undefined) => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : 0);
  if (!Number.isInteger(pid) || state === undefined || !Number.isInteger(ppid) || !Number.isFinite(startTime)) {
    return null;
  }
  return {
    pid,
    comm,
    state,
    ppid,
    flags: Number.isFinite(flags) ? flags : 0,
    numThreads: Number.isInteger(numThreads) ? numThreads : 0,
    startTime,
    nice: int(rest[16]),
    rtPriority: int(rest[37]),
    policy: int(rest[38]),
  };
}

/** The real uid from the text of /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs"). */
export function parseStatusUid(text: string): number | null {
  const uid = Number(statusLine(text, "Uid")?.split(/\s+/)[0] ?? NaN);
  return Number.isInteger(uid) ? uid : null;
}

/** The value of one "Key:\tvalue" line of a /proc/PID/status text, or null. */
function statusLine(text: string, key: string): string | null {
  const first = text.startsWith(`${key}:`);
  const at = first ? 0 : text.indexOf(`\n${key}:`) + 1;
  if (at === 0 && !first) return null;
  const end = text.indexOf("\n", at);
  return text.slice(at + key.length + 1, end < 0 ? undefined : end).trim();
}

/** A kernel CPU list ("0-3,8,10-11", as in Cpus_allowed_list or /sys/…/cpu/online) as ranges. */
export function parseCpuList(text: string): [number, number][] | null {
  const t = text.trim();
  if (t === "") return [];
  const ranges: [number, number][] = [];
  for (const part of t.split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) return null;
    ranges.push([first, last]);
  }
  return ranges;
}

/** Cpus_allowed_list and NSpid (one PID per PID namespace level, outermost first) of a status text. */
export function parseStatusExtras(text: string): { cpuAffinity: [number, number][] | null; nspid: number[] | null } {
  const cpus = statusLine(text, "Cpus_allowed_list");
  const ns = statusLine(text, "NSpid");
  const nspid = ns === null ? null : ns.split(/\s+/).map(Number);
  return {
    cpuAffinity: cpus === null ? null : parseCpuList(cpus),
    nspid: nspid !== null && nspid.length > 0 && nspid.every((n) => Number.isInteger(n) && n > 0) ? nspid : null,
  };
}

/** Split the NUL-separated /proc/PID/cmdline (the final NUL terminates, it does not separate). */
export function parseCmdline(text: string): string[] {
  if (text === "") return [];
  const parts = text.split("\0");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** Numeric entries of a /proc directory (processes; threads are not listed at the top level). */
export function listPids(procRoot: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(procRoot)) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0) pids.push(pid);
  }
  return pids.sort((a, b) => a - b);
}

/**
 * Every process visible under procRoot, keyed by pid (ascending insertion order).
 *
 * A process that exits between readdir and read (ENOENT/ESRCH) is skipped silently. A process
 * whose stat cannot be read for another reason (EACCES, …) is left out with one warning; one whose
 * status or cmdline alone cannot be read is kept (uid -1 / cmdline []) with one warning.
 *
 * `warnings` defaults to a throw-away array so the call also works as `readProcesses()`.
 */
export function readProcesses(procRoot = "/proc", warnings: string[] = []): Map<number, ProcessInfo> {
  const processes = new Map<number, ProcessInfo>();
  for (const pid of listPids(procRoot)) {
    const base = `${procRoot}/${pid}`;
    let statText: string;
    try {
      statText = readFileSync(`${base}/stat`, "utf8");
    } catch (err) {
      if (!isVanished(err)) warnings.push(unreadable(pid, undefined, "stat", err, "process not listed"));
      continue;
    }
    const stat = parseStat(statText);
    if (!stat) {
      warnings.push(`pid ${pid}: malformed ${base}/stat; process not listed`);
      continue;
    }
    const failed: string[] = [];
    let uid = -1;
    let extras: ReturnType<typeof parseStatusExtras> = { cpuAffinity: null, nspid: null };
    try {
      const status = readFileSync(`${base}/status`, "utf8");
      const parsed = parseStatusUid(status);
      if (parsed === null) failed.push("status: no Uid line");
      else uid = parsed;
      extras = parseStatusExtras(status);
    } catch (err) {
      if (isVanished(err)) continue;
      failed.push(`status: ${errnoCode(err)} (${describeErrno(errnoCode(err))})`);
    }
    let cmdline: string[] = [];
    try {
      cmdline = parseCmdline(readFileSync(`${base}/cmdline`, "utf8"));
    } catch (err) {
      if (isVanished(err)) continue;
      failed.push(`cmdline: ${errnoCode(err)} (${describeErrno(errnoCode(err))})`);
    }
    if (failed.length > 0) {
      warnings.push(`pid ${pid} (${stat.comm}): cannot read ${failed.join(", ")}; listed without them`);
    }
    let pidnsInode: number | null = null;
    try {
      pidnsInode = parseNsLink(readlinkSync(`${base}/ns/pid`), "pid");
    } catch {
      // Gone meanwhile, or no ptrace access: the PID namespace stays unknown (the namespace scan
      // warns about the same access to ns/net).
    }
    const info: ProcessInfo = {
      pid,
      ppid: stat.ppid,
      comm: stat.comm,
      cmdline,
      startTime: stat.startTime,
      uid,
      scheduling: { policy: stat.policy, rtPriority: stat.rtPriority, nice: stat.nice },
      cpuAffinity: extras.cpuAffinity,
      pidns:
        pidnsInode === null || extras.nspid === null
          ? null
          : { inode: pidnsInode, level: extras.nspid.length - 1, pidInside: extras.nspid[extras.nspid.length - 1]! },
    };
    if (stat.numThreads > 0) info.threads = stat.numThreads;
    processes.set(pid, info);
  }
  return processes;
}

function unreadable(pid: number, comm: string | undefined, what: string, err: unknown, consequence: string): string {
  const code = errnoCode(err);
  return `pid ${pid}${comm === undefined ? "" : ` (${comm})`}: cannot read ${what}: ${code} (${describeErrno(code)}); ${consequence}`;
}
