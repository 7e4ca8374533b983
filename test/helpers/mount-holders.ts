// Who holds an fd open on a namespace's bind mount (a plain `umount` fails with EBUSY while anyone
// does) or on a namespace (which keeps it alive after `ip netns del`). On a shared machine another
// program (another watcher, an older wiresight) may hold one of a lab's namespaces; a test then
// tells that apart from holding it itself.

import { readdirSync, readlinkSync, statSync } from "node:fs";

/** PIDs of processes with an fd whose link reads `path`. */
export function holdersOf(path: string): number[] {
  return processesWithFd((_fd, link) => link === path);
}

/**
 * `umount path`, plainly. When it fails only because other programs hold the mount, says so
 * (returns false); when this process (or `ours`) holds it, or it fails otherwise, throws.
 */
export function plainUmount(path: string, ours: number[] = []): boolean {
  const r = Bun.spawnSync(["umount", path], { stderr: "pipe" });
  if (r.exitCode === 0) return true;
  const holders = holdersOf(path);
  const mine = holders.filter((pid) => pid === process.pid || ours.includes(pid));
  if (mine.length > 0 || holders.length === 0) throw new Error(`umount ${path} failed (${r.stderr.toString().trim()}); held by ${mine.length > 0 ? `us (pid ${mine.join(", ")})` : "nobody visible"}`);
  console.warn(`umount ${path}: held by other programs on this machine (pid ${holders.join(", ")}), not by us: the plain umount could not be checked here`);
  return false;
}

/**
 * PIDs of processes with an fd on the namespace with this nsfs inode (opened through a mount or a
 * /proc ns link, detached or not): what keeps a deleted namespace alive, besides its processes.
 */
export function namespaceHolders(inode: number): number[] {
  return processesWithFd((fd, link) => (link === `net:[${inode}]` || link.startsWith("/")) && statSync(fd).ino === inode);
}

/** PIDs of processes with an fd (its /proc path, what its link reads) that `matches`. */
function processesWithFd(matches: (fd: string, link: string) => boolean): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const path = `/proc/${name}/fd/${fd}`;
        if (matches(path, readlinkSync(path))) {
          pids.push(Number(name));
          break;
        }
      } catch {}
    }
  }
  return pids;
}
