// The namespace hierarchy as the kernel keeps it: NS_GET_PARENT (Linux 4.9) on an nsfs file of a
// PID (or user) namespace gives an fd of its parent. Nothing is entered: the ioctl only asks.

import { readlinkSync } from "node:fs";
import { NS_GET_PARENT } from "./constants.ts";
import { SyscallError } from "./errno.ts";
import { closeQuietly, openFile } from "./fd.ts";
import { errno, libc } from "./libc.ts";

/**
 * The inode of the parent of the namespace at `path` (/proc/PID/ns/pid), or null when it has
 * none we may see: the kernel answers EPERM for the outermost namespace visible from ours.
 * Throws SyscallError when the file cannot be opened (the process is gone: ENOENT/ESRCH).
 */
export function namespaceParentInode(path: string): number | null {
  const fd = openFile(path);
  try {
    const parent = libc.ioctl(fd, NS_GET_PARENT, null);
    if (parent < 0) {
      const err = new SyscallError("ioctl", errno(), `NS_GET_PARENT on ${path}`);
      if (err.code === "EPERM") return null;
      throw err;
    }
    try {
      const m = /^[a-z_]+:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${parent}`));
      return m ? Number(m[1]) : null;
    } finally {
      closeQuietly(parent);
    }
  } finally {
    closeQuietly(fd);
  }
}
