// Resolve a path as another process sees it: under /proc/PID/root, with symlinks followed inside
// that root. The kernel resolves an absolute symlink met under /proc/PID/root against OUR root,
// so `/proc/PID/root/var/run/docker.sock` with /var/run -> /run would leave the container; here
// each component is looked at and absolute targets restart at the container's root.

import { lstatSync, readlinkSync } from "node:fs";

const MAX_SYMLINKS = 40; // the kernel's MAXSYMLINKS

/**
 * `root` + `path` with every symlink resolved inside `root`. Missing components are kept as they
 * are (the caller's open/connect reports the error). Throws on a symlink loop.
 */
export function resolveInRoot(root: string, path: string): string {
  const pending = path.split("/").filter((c) => c !== "" && c !== ".");
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "..") {
      done.pop(); // never above the root
      continue;
    }
    const candidate = `${root}/${[...done, part].join("/")}`;
    let target: string | null = null;
    try {
      if (lstatSync(candidate).isSymbolicLink()) target = readlinkSync(candidate);
    } catch {
      target = null;
    }
    if (target === null) {
      done.push(part);
      continue;
    }
    if (++hops > MAX_SYMLINKS) throw new Error(`too many symbolic links resolving ${path} in ${root}`);
    const parts = target.split("/").filter((c) => c !== "" && c !== ".");
    if (target.startsWith("/")) done.length = 0;
    pending.unshift(...parts);
  }
  return `${root}/${done.join("/")}`;
}
