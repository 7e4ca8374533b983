// PID namespaces of the discovered processes: which one each process lives in (its inode, from
// /proc/PID/ns/pid, read with the process), how deep it nests (NSpid), its init (the process that
// is PID 1 inside it) and its parent (the kernel's NS_GET_PARENT, one ioctl per namespace).

import { namespaceParentInode } from "../../ffi/index.ts";
import { pidnsKey, processKey, type PidnsKey } from "../../model/keys.ts";
import type { PidNamespace } from "../../model/topology.ts";
import { isVanished } from "./errors.ts";
import type { ProcessInfo } from "./processes.ts";

export interface PidNamespaces {
  list: PidNamespace[];
  /** PID → the key of its PID namespace (processes whose namespace is unknown are absent). */
  keyOfPid: Map<number, PidnsKey>;
}

/**
 * `parentOf(path)` answers NS_GET_PARENT for an nsfs path (injected so tests can fabricate a
 * hierarchy); a namespace whose parent cannot be asked (all its processes exited) gets a warning
 * and no parent.
 */
export function collectPidNamespaces(
  processes: Map<number, ProcessInfo>,
  bootId: string,
  procRoot: string,
  warn: (message: string) => void,
  parentOf: (path: string) => number | null = namespaceParentInode,
): PidNamespaces {
  const byInode = new Map<number, { level: number; members: ProcessInfo[]; init: ProcessInfo | null }>();
  for (const p of processes.values()) {
    if (p.pidns === null) continue;
    let ns = byInode.get(p.pidns.inode);
    if (!ns) byInode.set(p.pidns.inode, (ns = { level: p.pidns.level, members: [], init: null }));
    ns.members.push(p);
    if (p.pidns.pidInside === 1) ns.init = p;
  }
  const keyOfInode = new Map<number, PidnsKey>();
  for (const [inode, ns] of byInode) keyOfInode.set(inode, pidnsKey(bootId, inode, ns.init?.startTime ?? null));

  const list: PidNamespace[] = [];
  for (const [inode, ns] of byInode) {
    let parent: PidnsKey | null = null;
    if (ns.level > 0) {
      const parentInode = askParent(ns.members, procRoot, parentOf, warn, inode);
      // A parent none of whose processes was seen (every process of it has a child namespace of
      // its own, or it is held only by an fd) is not listed: keep its inode out of the keys.
      parent = parentInode === null ? null : (keyOfInode.get(parentInode) ?? null);
    }
    list.push({
      key: keyOfInode.get(inode)!,
      inode,
      level: ns.level,
      parent,
      init: ns.init ? processKey(bootId, ns.init.pid, ns.init.startTime) : null,
    });
  }
  list.sort((a, b) => a.level - b.level || a.inode - b.inode);
  const keyOfPid = new Map<number, PidnsKey>();
  for (const p of processes.values()) if (p.pidns !== null) keyOfPid.set(p.pid, keyOfInode.get(p.pidns.inode)!);
  return { list, keyOfPid };
}

/** NS_GET_PARENT through the first member that is still there. */
function askParent(
  members: ProcessInfo[],
  procRoot: string,
  parentOf: (path: string) => number | null,
  warn: (message: string) => void,
  inode: number,
): number | null {
  let last: unknown;
  for (const p of members) {
    try {
      return parentOf(`${procRoot}/${p.pid}/ns/pid`);
    } catch (err) {
      last = err;
      if (isVanished(err)) continue;
      break;
    }
  }
  warn(`pid:[${inode}]: its parent PID namespace is unknown (${(last as Error)?.message ?? "no process left"})`);
  return null;
}
