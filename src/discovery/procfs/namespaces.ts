// Every network namespace on the host, found through procfs and nsfs, each once by (dev, inode).
//
// Sources, in scan order:
//   1. /proc/PID/ns/net of every process (readlink: one syscall per pid; stat only for a new inode),
//   2. /proc/PID/task/TID/ns/net of every other thread (a lone thread can unshare its own netns),
//   3. nsfs bind mounts from /proc/PID/mountinfo of one process per distinct mount namespace,
//   4. open fds (/proc/PID/fd/N -> "net:[INODE]"), from one reusable fd walk (FdTable).
//
// The inode is an attribute, not the identity key (design.md: boot id + netns cookie, which needs a
// socket inside the namespace and therefore lives in discovery/network); this module only finds the
// namespaces and says how to open each from here.

import { readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { PidFailures, describeErrno, errnoCode, isVanished } from "./errors.ts";
import type { ProcessInfo } from "./processes.ts";

/**
 * Inode of the initial network namespace (init_net) on kernels that give the initial namespaces
 * fixed proc inums: include/linux/proc_ns.h, `PROC_NET_INIT_INO = 0xEFFFFFF9U` (next to
 * PROC_IPC_INIT_INO 0xEFFFFFFF … PROC_MNT_INIT_INO 0xEFFFFFF8). Dynamically allocated namespace
 * inums start at PROC_DYNAMIC_FIRST = 0xF0000000, so no other namespace can ever have this number:
 * a netns with this inode IS init_net. On older kernels init_net had a dynamic inum, nothing
 * matches, and the kernel-thread method applies instead.
 */
export const PROC_NET_INIT_INO = 0xeffffff9;

export type NetnsReference =
  | { kind: "process"; pid: number } // /proc/PID/ns/net
  | { kind: "thread"; pid: number; tid: number } // /proc/PID/task/TID/ns/net differing from its process
  | { kind: "bindmount"; path: string; viaPid: number; mountNamespace: number } // nsfs mount; path as seen inside that mount namespace
  | { kind: "fd"; pid: number; fd: number }; // an open fd of a process pointing at a netns

export interface NetnsCandidate {
  /** Identity as seen by stat of the nsfs file. */
  dev: number;
  inode: number;
  /**
   * A path that opens it from here: /proc/PID/ns/net, /proc/PID/task/TID/ns/net,
   * /proc/PID/root<mountpoint> or /proc/PID/fd/N — the first reference (in `references` order)
   * that was verified to lead to this namespace during the scan.
   */
  openPath: string;
  /** Every way it is known, deduplicated; order: process, thread, bindmount, fd, each by pid then tid/path/fd. */
  references: NetnsReference[];
  initial: boolean;
  /**
   * Present (true) only for a namespace known solely from an fd whose link does not name its type
   * (opened through a bind mount that has since been detached): procfs shows an nsfs file but not
   * whether it is a netns. setns(fd, CLONE_NEWNET) confirms it or fails with EINVAL.
   */
  typeUnverified?: true;
}

export type InitialMethod = "pid1" | "fixed-inode" | "kthread" | "unknown";

export interface NamespaceScan {
  /** Initial namespace first, then by inode. */
  namespaces: NetnsCandidate[];
  initialMethod: InitialMethod;
  warnings: string[];
}

export interface FdTable {
  /** Per pid: fd number → link target string ("socket:[123]", "net:[4026532…]", "/dev/net/tun", …). */
  byPid: Map<number, Map<number, string>>;
}

export interface ScanOptions {
  procRoot?: string;
  /** Walk /proc/PID/task/* for threads in their own netns. Default true. */
  includeThreads?: boolean;
  /** Look for namespaces held by open fds. Default true. */
  includeFds?: boolean;
  /** A table from readFdTable to reuse; built here when absent (and includeFds is on). */
  fdTable?: FdTable;
}

/** The inode in an nsfs link target like "net:[4026531833]", or null if it is not of that type. */
export function parseNsLink(target: string, type = "net"): number | null {
  if (target.length < type.length + 4 || !target.startsWith(type) || target.charCodeAt(type.length) !== 58 /* : */) {
    return null;
  }
  if (target.charCodeAt(type.length + 1) !== 91 /* [ */ || !target.endsWith("]")) return null;
  const ino = Number(target.slice(type.length + 2, -1));
  return Number.isInteger(ino) && ino > 0 ? ino : null;
}

// ---------------------------------------------------------------------------------------------
// fd table

type FailureSink = (pid: number, comm: string | undefined, what: string, code: string) => void;

function sortedPids(processes: Map<number, ProcessInfo>): number[] {
  return [...processes.keys()].sort((a, b) => a - b);
}

function collectFdTable(processes: Map<number, ProcessInfo>, procRoot: string, fail: FailureSink): FdTable {
  const byPid = new Map<number, Map<number, string>>();
  for (const pid of sortedPids(processes)) {
    const comm = processes.get(pid)?.comm;
    const dir = `${procRoot}/${pid}/fd`;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      if (!isVanished(err)) fail(pid, comm, "fd", errnoCode(err));
      continue;
    }
    const fdNumbers = names.map(Number).filter((n) => Number.isInteger(n) && n >= 0).sort((a, b) => a - b);
    const fds = new Map<number, string>();
    let denied = false;
    for (const fd of fdNumbers) {
      try {
        fds.set(fd, readlinkSync(`${dir}/${fd}`));
      } catch (err) {
        if (isVanished(err)) continue; // closed since readdir (or the whole process went away)
        fail(pid, comm, "fd/*", errnoCode(err));
        denied = true;
        break; // the same access check guards every fd of this process: don't fail N times
      }
    }
    if (!denied || fds.size > 0) byPid.set(pid, fds);
  }
  return { byPid };
}

/**
 * One pass over /proc/PID/fd/* of every process: readlink of each fd once, no stat. Reusable by
 * every collector that maps kernel objects to processes (netns fds, sockets, tun/tap users).
 * Processes whose fds cannot be read are absent from byPid and get one warning each.
 */
export function readFdTable(
  processes: Map<number, ProcessInfo>,
  procRoot = "/proc",
  warnings: string[] = [],
): FdTable {
  const failures = new PidFailures();
  const table = collectFdTable(processes, procRoot, (pid, comm, what, code) => failures.add(pid, comm, what, code));
  warnings.push(...failures.render("its open fds are not seen"));
  return table;
}

// ---------------------------------------------------------------------------------------------
// mountinfo

export interface NsfsMount {
  /** Mount point as seen by the reading process (relative to its root), unescaped. */
  mountpoint: string;
  /** The namespace inode from the root field "net:[INODE]". */
  inode: number;
  /** st_dev of the nsfs superblock, from the major:minor field. */
  dev: number;
}

/** Undo the octal escaping of mountinfo path fields (\040 space, \011 tab, \012 newline, \134 backslash). */
export function unescapeMountPath(field: string): string {
  if (!field.includes("\\")) return field;
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Linux userspace dev_t (glibc makedev) from "major:minor", as stat reports it in st_dev. */
export function makedev(major: number, minor: number): number {
  return (
    (major & 0xfff) * 0x100 +
    (minor & 0xff) +
    (minor >>> 8) * 0x100000 + // (minor & 0xffffff00) << 12
    Math.floor(major / 0x1000) * 0x100000000000 // (major & 0xfffff000) << 32
  );
}

export interface NsfsTypedMount extends NsfsMount {
  /** Namespace type from the root field "TYPE:[INODE]": net, mnt, uts, ipc, pid, user, cgroup, time. */
  type: string;
}

/**
 * The nsfs bind mounts (any namespace type) in a mountinfo text: lines whose filesystem type (the
 * first field after the "-" separator) is nsfs and whose root (field 4) is "TYPE:[INODE]".
 */
export function parseNsfsMounts(mountinfo: string): NsfsTypedMount[] {
  const out: NsfsTypedMount[] = [];
  for (const line of mountinfo.split("\n")) {
    if (!line.includes(" nsfs ")) continue; // cheap pre-filter
    const fields = line.split(" ");
    const sep = fields.indexOf("-", 6);
    if (sep < 0 || fields[sep + 1] !== "nsfs") continue;
    const majmin = fields[2];
    const root = fields[3];
    const mountpoint = fields[4];
    if (root === undefined || mountpoint === undefined || majmin === undefined) continue;
    const m = /^([a-z_]+):\[(\d+)\]$/.exec(root);
    if (!m?.[1] || !m[2]) continue;
    const [maj, min] = majmin.split(":").map(Number);
    out.push({ type: m[1], inode: Number(m[2]), mountpoint: unescapeMountPath(mountpoint), dev: makedev(maj ?? 0, min ?? 0) });
  }
  return out;
}

/** The network namespace bind mounts in a mountinfo text (nsfs, root "net:[INODE]"). */
export function parseNsfsNetMounts(mountinfo: string): NsfsMount[] {
  return parseNsfsMounts(mountinfo)
    .filter((m) => m.type === "net")
    .map(({ mountpoint, inode, dev }) => ({ mountpoint, inode, dev }));
}

// ---------------------------------------------------------------------------------------------
// the scan

interface RefEntry {
  ref: NetnsReference;
  path: string;
  /** The path was seen to lead to this namespace (readlink, or stat with matching inode). */
  verified: boolean;
}

interface Builder {
  dev: number;
  inode: number;
  refs: Map<string, RefEntry>;
  hasVerified: boolean;
  typeUnverified?: boolean;
}

const KIND_RANK: Record<NetnsReference["kind"], number> = { process: 0, thread: 1, bindmount: 2, fd: 3 };

function refKey(ref: NetnsReference): string {
  switch (ref.kind) {
    case "process":
      return `p:${ref.pid}`;
    case "thread":
      return `t:${ref.pid}:${ref.tid}`;
    case "bindmount":
      return `b:${ref.mountNamespace}:${ref.path}`;
    case "fd":
      return `f:${ref.pid}:${ref.fd}`;
  }
}

function compareRefs(a: NetnsReference, b: NetnsReference): number {
  const rank = KIND_RANK[a.kind] - KIND_RANK[b.kind];
  if (rank !== 0) return rank;
  if (a.kind === "process" && b.kind === "process") return a.pid - b.pid;
  if (a.kind === "thread" && b.kind === "thread") return a.pid - b.pid || a.tid - b.tid;
  if (a.kind === "fd" && b.kind === "fd") return a.pid - b.pid || a.fd - b.fd;
  if (a.kind === "bindmount" && b.kind === "bindmount") {
    return a.viaPid - b.viaPid || a.mountNamespace - b.mountNamespace || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  }
  return 0;
}

/**
 * Find every network namespace reachable through procfs/nsfs from here. Never throws for a
 * process that vanished (skipped silently) or that cannot be read (one warning per process, with
 * the errno code); only a missing procRoot itself is fatal (that is the caller's readProcesses).
 */
export function scanNetworkNamespaces(processes: Map<number, ProcessInfo>, opts: ScanOptions = {}): NamespaceScan {
  const procRoot = opts.procRoot ?? "/proc";
  const includeThreads = opts.includeThreads ?? true;
  const includeFds = opts.includeFds ?? true;

  const warnings: string[] = [];
  const failures = new PidFailures();
  const fail: FailureSink = (pid, comm, what, code) => failures.add(pid, comm, what, code);

  const byKey = new Map<string, Builder>();
  // readlink gives only the inode; nsfs is one superblock, so ino → dev is learnt from the first stat.
  const devByIno = new Map<number, number>();
  let nsfsDev: number | undefined;
  const procNsKey = new Map<number, string>(); // pid → key of its process netns

  const keyOf = (dev: number, ino: number) => `${dev}:${ino}`;

  function getOrCreate(dev: number, ino: number): Builder {
    const key = keyOf(dev, ino);
    let b = byKey.get(key);
    if (!b) {
      b = { dev, inode: ino, refs: new Map(), hasVerified: false };
      byKey.set(key, b);
      devByIno.set(ino, dev);
      nsfsDev ??= dev;
    }
    return b;
  }

  /**
   * The namespace behind `path`, whose readlink said `ino`: known inodes cost nothing, a new one
   * costs one stat (for dev, and to confirm). Null if it vanished meanwhile.
   */
  function resolveLinked(ino: number, path: string, pid: number, what: string): Builder | null {
    const dev = devByIno.get(ino);
    if (dev !== undefined) return byKey.get(keyOf(dev, ino))!;
    try {
      const st = statSync(path);
      // If the task switched namespace between readlink and stat, the stat is the newer truth.
      return getOrCreate(st.dev, st.ino);
    } catch (err) {
      if (isVanished(err)) return null;
      fail(pid, processes.get(pid)?.comm, what, errnoCode(err));
      return nsfsDev === undefined ? null : getOrCreate(nsfsDev, ino);
    }
  }

  function addRef(b: Builder, ref: NetnsReference, path: string, verified: boolean): void {
    const key = refKey(ref);
    const existing = b.refs.get(key);
    if (existing) {
      if (verified && !existing.verified) existing.verified = true;
    } else {
      b.refs.set(key, { ref, path, verified });
    }
    if (verified) b.hasVerified = true;
  }

  const pids = sortedPids(processes);

  // 1 + 2: processes and their threads.
  for (const pid of pids) {
    const comm = processes.get(pid)?.comm;
    const path = `${procRoot}/${pid}/ns/net`;
    let procIno: number | undefined;
    let denied = false;
    try {
      const target = readlinkSync(path);
      const ino = parseNsLink(target);
      if (ino === null) {
        warnings.push(`pid ${pid} (${comm}): unexpected ${path} -> ${JSON.stringify(target)}`);
      } else {
        const b = resolveLinked(ino, path, pid, "ns/net");
        if (b) {
          procIno = b.inode;
          procNsKey.set(pid, keyOf(b.dev, b.inode));
          addRef(b, { kind: "process", pid }, path, true);
        }
      }
    } catch (err) {
      // ENOENT on a live pid: a zombie, or a thread-group leader that exited before its threads;
      // the threads below still show where the rest of the process lives.
      if (!isVanished(err)) {
        fail(pid, comm, "ns/net", errnoCode(err));
        denied = true; // the same ptrace access check guards the task links: don't fail per thread
      }
    }
    // num_threads from stat, when known, spares single-threaded processes the task readdir.
    if (includeThreads && !denied && processes.get(pid)?.threads !== 1) scanThreads(pid, comm, procIno);
  }

  function scanThreads(pid: number, comm: string | undefined, procIno: number | undefined): void {
    const taskDir = `${procRoot}/${pid}/task`;
    let names: string[];
    try {
      names = readdirSync(taskDir);
    } catch (err) {
      if (!isVanished(err)) fail(pid, comm, "task", errnoCode(err));
      return;
    }
    if (names.length === 1 && names[0] === String(pid)) return; // single-threaded: nothing new
    const tids = names.map(Number).filter((t) => Number.isInteger(t) && t !== pid).sort((a, b) => a - b);
    for (const tid of tids) {
      const path = `${taskDir}/${tid}/ns/net`;
      let target: string;
      try {
        target = readlinkSync(path);
      } catch (err) {
        if (isVanished(err)) continue;
        fail(pid, comm, `task/${tid}/ns/net`, errnoCode(err));
        return;
      }
      const ino = parseNsLink(target);
      if (ino === null || ino === procIno) continue;
      const b = resolveLinked(ino, path, pid, `task/${tid}/ns/net`);
      if (b && b.inode !== procIno) addRef(b, { kind: "thread", pid, tid }, path, true);
    }
  }

  // 3: nsfs bind mounts, one mountinfo per distinct mount namespace.
  const mountNamespaces = new Map<number, number>(); // mnt ns inode → pid whose view was read
  const nsfsMountpoints = new Set<string>(); // every nsfs mount point seen, any namespace type
  const nonNetNsfs = new Set<number>(); // inodes of bind-mounted namespaces of other types
  for (const pid of pids) {
    const comm = processes.get(pid)?.comm;
    let mntIno: number | null;
    try {
      mntIno = parseNsLink(readlinkSync(`${procRoot}/${pid}/ns/mnt`), "mnt");
    } catch (err) {
      if (!isVanished(err)) fail(pid, comm, "ns/mnt", errnoCode(err));
      continue;
    }
    if (mntIno === null || mountNamespaces.has(mntIno)) continue;
    let mountinfo: string;
    try {
      mountinfo = readFileSync(`${procRoot}/${pid}/mountinfo`, "utf8");
    } catch (err) {
      // Leave the mount namespace unclaimed, so the next process in it is tried.
      if (!isVanished(err)) fail(pid, comm, "mountinfo", errnoCode(err));
      continue;
    }
    mountNamespaces.set(mntIno, pid);
    for (const m of parseNsfsMounts(mountinfo)) {
      nsfsMountpoints.add(m.mountpoint);
      if (m.type !== "net") {
        nonNetNsfs.add(m.inode);
        continue;
      }
      const ref: NetnsReference = { kind: "bindmount", path: m.mountpoint, viaPid: pid, mountNamespace: mntIno };
      const openPath = `${procRoot}/${pid}/root${m.mountpoint}`;
      const knownDev = devByIno.get(m.inode);
      const known = knownDev === undefined ? undefined : byKey.get(keyOf(knownDev, m.inode));
      if (known?.hasVerified) {
        addRef(known, ref, openPath, false); // already openable another way: no syscall
        continue;
      }
      // New, or known only through unverified paths: check that this path really opens it.
      try {
        const st = statSync(openPath);
        if (st.ino === m.inode && (known === undefined || st.dev === known.dev)) {
          addRef(getOrCreate(st.dev, st.ino), ref, openPath, true);
          continue;
        }
        warnings.push(
          `netns bind mount ${m.mountpoint} (net:[${m.inode}]) in mount namespace mnt:[${mntIno}] is covered by another mount; ${openPath} does not open it`,
        );
      } catch (err) {
        // Unmounted since mountinfo was read (or its process left): gone, skipped silently.
        if (isVanished(err)) continue;
        const code = errnoCode(err);
        warnings.push(
          `netns bind mount ${m.mountpoint} (net:[${m.inode}]) in mount namespace mnt:[${mntIno}]: ${openPath}: ${code} (${describeErrno(code)})`,
        );
      }
      // Seen but not openable through this path: recorded, unverified (another reference may open it).
      addRef(known ?? getOrCreate(m.dev, m.inode), ref, openPath, false);
    }
  }

  // 4: namespaces held open by fds.
  //
  // readlink of an fd says "net:[INODE]" only when the file was opened through an ns link
  // (/proc/PID/ns/net). Opened through a bind mount (/run/netns/X) it says the mount's path, and
  // once that mount is detached (`ip netns del` while the fd stays open) it says just "/". Those
  // targets, and only those, cost one stat each: nsfs dev + regular file means a namespace file.
  if (includeFds) {
    const table = opts.fdTable ?? collectFdTable(processes, procRoot, fail);
    const maybeNsfs: { pid: number; fd: number; target: string }[] = [];
    for (const pid of [...table.byPid.keys()].sort((a, b) => a - b)) {
      const fds = table.byPid.get(pid)!;
      for (const [fd, target] of fds) {
        if (target.startsWith("net:[")) {
          const ino = parseNsLink(target);
          if (ino === null) continue;
          const path = `${procRoot}/${pid}/fd/${fd}`;
          const b = resolveLinked(ino, path, pid, `fd/${fd}`);
          if (b) addRef(b, { kind: "fd", pid, fd }, path, true);
        } else if (target === "/" || nsfsMountpoints.has(target)) {
          maybeNsfs.push({ pid, fd, target });
        }
      }
    }
    for (const { pid, fd, target } of maybeNsfs) {
      const path = `${procRoot}/${pid}/fd/${fd}`;
      let st: { dev: number; ino: number; isFile(): boolean };
      try {
        st = statSync(path);
      } catch (err) {
        if (!isVanished(err)) fail(pid, processes.get(pid)?.comm, `fd/${fd}`, errnoCode(err));
        continue;
      }
      if (nsfsDev === undefined || st.dev !== nsfsDev || !st.isFile()) continue; // a real "/" directory etc.
      const knownDev = devByIno.get(st.ino);
      if (knownDev !== undefined) {
        addRef(byKey.get(keyOf(knownDev, st.ino))!, { kind: "fd", pid, fd }, path, true);
        continue;
      }
      if (mountNamespaces.has(st.ino) || nonNetNsfs.has(st.ino)) continue; // a namespace of another type
      // An nsfs file procfs cannot type (that takes ioctl NS_GET_NSTYPE): listed as a candidate,
      // flagged, so that setns(fd, CLONE_NEWNET) confirms it (EINVAL if it is not a netns).
      const b = getOrCreate(st.dev, st.ino);
      b.typeUnverified = true;
      addRef(b, { kind: "fd", pid, fd }, path, true);
      warnings.push(
        `pid ${pid} (${processes.get(pid)?.comm}) fd ${fd} holds nsfs inode ${st.ino} through ${target === "/" ? "a detached bind mount" : target}; its namespace type cannot be read from procfs: listed as a network namespace candidate (typeUnverified)`,
      );
    }
  }

  // The initial namespace. The kernel's fixed init inode is the surest sign (dynamic proc inums
  // start at 0xF0000000, so no other namespace can carry it); kernel threads live in init_net
  // but are visible only from the initial pid namespace; PID 1 is last, because inside a
  // container PID 1 sits in the container's namespace.
  let initialKey: string | undefined;
  let initialMethod: InitialMethod = "unknown";
  const fixed = [...byKey.entries()].find(([, b]) => b.inode === PROC_NET_INIT_INO);
  const kthreadd = processes.get(2);
  const kthreadKey =
    kthreadd && kthreadd.ppid === 0 && kthreadd.comm === "kthreadd"
      ? [2, ...pids.filter((pid) => processes.get(pid)?.ppid === 2)].map((pid) => procNsKey.get(pid)).find((k) => k !== undefined)
      : undefined;
  if (fixed) {
    initialKey = fixed[0];
    initialMethod = "fixed-inode";
  } else if (kthreadKey !== undefined) {
    initialKey = kthreadKey;
    initialMethod = "kthread";
  } else if (procNsKey.get(1) !== undefined) {
    initialKey = procNsKey.get(1);
    initialMethod = "pid1";
  }
  if (initialMethod === "unknown") {
    warnings.push(
      "initial network namespace not identified: PID 1's ns link unreadable, no netns with the fixed init inode, no kernel thread visible",
    );
  }

  const namespaces: NetnsCandidate[] = [];
  for (const [key, b] of byKey) {
    const entries = [...b.refs.values()].sort((x, y) => compareRefs(x.ref, y.ref));
    if (entries.length === 0) continue;
    const open = entries.find((e) => e.verified) ?? entries[0]!;
    if (!open.verified) {
      warnings.push(`net:[${b.inode}]: no path was verified to open it; ${open.path} is a guess`);
    }
    namespaces.push({
      dev: b.dev,
      inode: b.inode,
      openPath: open.path,
      references: entries.map((e) => e.ref),
      initial: key === initialKey,
      ...(b.typeUnverified ? { typeUnverified: true } : {}),
    });
  }
  namespaces.sort((a, b) => Number(b.initial) - Number(a.initial) || a.inode - b.inode || a.dev - b.dev);

  return {
    namespaces,
    initialMethod,
    warnings: [...failures.render("network namespaces only it holds may be missed"), ...warnings],
  };
}
