// What the test suite leaves behind on the machine:
//   bun .ci/leaks.ts -- COMMAND...
// runs COMMAND (the suite) and afterwards names everything it left, then exits with COMMAND's
// status, or 1 when COMMAND passed but left something. What counts:
// - processes: this runner makes itself the child subreaper, so every process the suite started
//   and orphaned is reparented here rather than to PID 1; whatever of its descendants still runs
//   is a leftover, named and killed by the PID and start time seen here (never by name, never a
//   process that is not the suite's);
// - compared before and after: network namespaces however held (a process, a thread, a bind mount
//   in any mount namespace, an open fd), `ip netns` names, the mounts of this mount namespace,
//   interfaces of the initial network namespace, nf_tables tables.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { dlopen, FFIType } from "bun:ffi";

interface Proc {
  pid: number;
  start: string;
  comm: string;
  cmdline: string;
}

interface State {
  /** netns inode → how it is held (the first holder seen). */
  netns: Record<string, string>;
  ipNetns: string[];
  mounts: string[];
  links: string[];
  nftTables: string[];
}

const PF_KTHREAD = 0x00200000;

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function link(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

function pids(): number[] {
  return readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
}

/** /proc/PID/stat fields after the command (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | null {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** Live (not zombie) processes below this runner. */
function descendants(): Proc[] {
  const parent = new Map<number, number>();
  const info = new Map<number, Proc>();
  for (const pid of pids()) {
    // Fields from the 3rd of stat (state): ppid is index 1, flags 6, starttime 19.
    const f = statFields(pid);
    if (!f || f[0] === "Z" || (Number(f[6]) & PF_KTHREAD) !== 0) continue;
    parent.set(pid, Number(f[1]));
    const comm = (read(`/proc/${pid}/comm`) ?? "").trim();
    const cmdline = (read(`/proc/${pid}/cmdline`) ?? "").split("\0").join(" ").trim();
    info.set(pid, { pid, start: f[19]!, comm, cmdline });
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p !== undefined && hops < 64; p = parent.get(p), hops++) if (p === process.pid) return true;
    return false;
  };
  return [...info.values()].filter((p) => below(p.pid));
}

const NET_LINK = /^net:\[(\d+)\]$/;

function netnsHolders(): Record<string, string> {
  const held: Record<string, string> = {};
  const note = (target: string | null, how: string) => {
    const ino = target && NET_LINK.exec(target)?.[1];
    if (ino && !(ino in held)) held[ino] = how;
  };
  for (const pid of pids()) {
    const comm = (read(`/proc/${pid}/comm`) ?? "?").trim();
    note(link(`/proc/${pid}/ns/net`), `process ${pid} (${comm})`);
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {}
    for (const tid of tasks) if (Number(tid) !== pid) note(link(`/proc/${pid}/task/${tid}/ns/net`), `thread ${tid} of ${pid} (${comm})`);
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {}
    for (const fd of fds) note(link(`/proc/${pid}/fd/${fd}`), `fd ${fd} of ${pid} (${comm})`);
    // Bind mounts of nsfs, in every mount namespace (a process's mountinfo shows its own).
    for (const line of (read(`/proc/${pid}/mountinfo`) ?? "").split("\n")) {
      const f = line.split(" ");
      const root = f[3];
      const sep = f.indexOf("-");
      if (sep > 0 && f[sep + 1] === "nsfs" && root) note(root, `bind mount ${f[4]} (seen by ${pid} ${comm})`);
    }
  }
  return held;
}

function lines(cmd: string, args: string[]): string[] {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return (r.stdout ?? "").split("\n").map((l) => l.trim()).filter((l) => l !== "");
}

function snapshot(): State {
  return {
    netns: netnsHolders(),
    ipNetns: lines("ip", ["netns", "list"]).map((l) => l.split(" ")[0]!),
    mounts: (read("/proc/self/mountinfo") ?? "").split("\n").filter((l) => l).map((l) => l.split(" ")[4]!),
    links: lines("ip", ["-o", "link", "show"]).map((l) => l.split(": ")[1]!.split("@")[0]!),
    nftTables: lines("nft", ["list", "tables"]),
  };
}

/** Names what the suite left; kills its leftover processes when `kill`. */
function leftovers(before: State, after: State, kill: boolean): string[] {
  const found: string[] = [];
  for (const p of descendants()) {
    found.push(`process ${p.pid} (${p.comm}): ${p.cmdline.slice(0, 200)}`);
    if (kill && statFields(p.pid)?.[19] === p.start) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {}
    }
  }
  for (const [ino, how] of Object.entries(after.netns)) if (!(ino in before.netns)) found.push(`network namespace net:[${ino}], held by ${how}`);
  const diff = (what: string, a: string[], b: string[]) => {
    const had = new Set(a);
    for (const x of b) if (!had.has(x)) found.push(`${what} ${x}`);
  };
  diff("ip netns", before.ipNetns, after.ipNetns);
  diff("mount", before.mounts, after.mounts);
  diff("interface", before.links, after.links);
  diff("nf_tables", before.nftTables, after.nftTables);
  return found;
}

const PR_SET_CHILD_SUBREAPER = 36;

const args = process.argv.slice(2);
const command = args[0] === "--" ? args.slice(1) : args;
if (command.length === 0) {
  console.error("usage: bun .ci/leaks.ts -- COMMAND [ARG...]");
  process.exit(2);
}
const WNOHANG = 1;
const libc = dlopen("libc.so.6", {
  prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
  waitpid: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
});
if (libc.symbols.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) !== 0) throw new Error("prctl(PR_SET_CHILD_SUBREAPER) failed");

const before = snapshot();
const suite = Bun.spawn(command, { stdio: ["inherit", "inherit", "inherit"] });
// Orphans that end become our zombies: reap them (by PID, never the suite itself, whose status
// Bun collects), so they don't pile up in /proc for the suite's own discoveries to see.
const reaper = setInterval(() => {
  for (const pid of pids()) {
    const f = statFields(pid);
    if (f?.[0] === "Z" && Number(f[1]) === process.pid && pid !== suite.pid) libc.symbols.waitpid(pid, null, WNOHANG);
  }
}, 2000);
const status = await suite.exited;
clearInterval(reaper);

// Give exiting processes and lazily destroyed namespaces a moment: a test's last SIGKILL has
// been sent, but the kernel may still be tearing down.
let found = leftovers(before, snapshot(), false);
for (let i = 0; i < 20 && found.length > 0; i++) {
  Bun.sleepSync(250);
  found = leftovers(before, snapshot(), false);
}
if (found.length > 0) found = leftovers(before, snapshot(), true);

if (found.length > 0) {
  console.log(`The test suite left ${found.length} thing(s) behind:`);
  for (const f of found) console.log(`  - ${f}`);
} else {
  console.log("The test suite left nothing behind (processes, network namespaces, mounts, interfaces, nf_tables tables).");
}
process.exit(status !== 0 ? status : found.length > 0 ? 1 : 0);
