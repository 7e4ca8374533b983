// Processes from /proc: pid, parent, name, command line, start time and real uid.
//
// A process's identity (design.md) is its PID plus its start time, so startTime is read from the
// same /proc/PID/stat that gives the pid. Each of stat, status and cmdline is read once per pid.

import { readFileSync, readdirSync } from "node:fs";
import { describeErrno, errnoCode, isVanished } from "./errors.ts";

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
  };
}

/** The real uid from the text of /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs"). */
export function parseStatusUid(text: string): number | null {
  const at = text.indexOf("\nUid:");
  const start = at >= 0 ? at + 1 : text.startsWith("Uid:") ? 0 : -1;
  if (start < 0) return null;
  const end = text.indexOf("\n", start);
  const fields = text.slice(start + 4, end < 0 ? undefined : end).trim().split(/\s+/);
  const uid = Number(fields[0]);
  return Number.isInteger(uid) ? uid : null;
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
    try {
      const parsed = parseStatusUid(readFileSync(`${base}/status`, "utf8"));
      if (parsed === null) failed.push("status: no Uid line");
      else uid = parsed;
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
    const info: ProcessInfo = { pid, ppid: stat.ppid, comm: stat.comm, cmdline, startTime: stat.startTime, uid };
    if (stat.numThreads > 0) info.threads = stat.numThreads;
    processes.set(pid, info);
  }
  return processes;
}

function unreadable(pid: number, comm: string | undefined, what: string, err: unknown, consequence: string): string {
  const code = errnoCode(err);
  return `pid ${pid}${comm === undefined ? "" : ` (${comm})`}: cannot read ${what}: ${code} (${describeErrno(code)}); ${consequence}`;
}
