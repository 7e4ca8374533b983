// Which tun/tap device another process's /dev/net/tun fd is attached to, and in which network
// namespace that device lives.
//
// Why not simpler sources: /proc/PID/fdinfo/FD of a tun file shows only "iff:\tNAME", and a name
// is unique only within one namespace. The holder's own netns is no answer either: the device
// lives in the namespace where TUNSETIFF created it (the namespace of the /dev/net/tun opener),
// and `ip link set tap0 netns X` can move it afterwards while the fd stays open. The kernel
// answers the question itself with TUNGETDEVNETNS (Linux 5.2): an fd of dev_net(tun->dev),
// i.e. the device's CURRENT namespace. The ioctl must be made on the tun file itself; opening
// /proc/PID/fd/N would open /dev/net/tun afresh (a new, unattached tun file), so the holder's
// file is duplicated into this process with pidfd_getfd (Linux 5.6, needs ptrace access to the
// holder — root has it). Closing our duplicate only drops a reference: the holder's queue stays.

import { readlinkSync } from "node:fs";
import { IFNAMSIZ, SYS_pidfd_getfd, SYS_pidfd_open, TUNGETDEVNETNS, TUNGETIFF } from "./constants.ts";
import { SyscallError } from "./errno.ts";
import { closeQuietly } from "./fd.ts";
import { errno, libc } from "./libc.ts";

const IFREQ_SIZE = 40; // struct ifreq: char ifr_name[16]; union { short ifr_flags; ... } at 16
const ifreq = new Uint8Array(IFREQ_SIZE);
const decoder = new TextDecoder();

export interface TunAttachment {
  /** The device name (TUNGETIFF), as it is called in its own namespace. */
  name: string;
  /** IFF_TUN (0x1) / IFF_TAP (0x2) / IFF_NO_PI / IFF_MULTI_QUEUE … as TUNGETIFF reports them. */
  flags: number;
  /**
   * Inode of the network namespace the device lives in (TUNGETDEVNETNS), or null with the reason
   * when the kernel would not say (older than 5.2: ENOTTY/EINVAL; EPERM without CAP_NET_ADMIN over it).
   */
  netnsInode: number | null;
  netnsError: SyscallError | null;
}

function check(ret: number | bigint, syscall: string, detail: string): number {
  const n = Number(ret);
  if (n < 0) throw new SyscallError(syscall, errno(), detail);
  return n;
}

/**
 * The device behind fd `fd` of process `pid`, which must be a /dev/net/tun file. null when the
 * file is not attached to a device (no TUNSETIFF yet, or a detached multi-queue queue: EBADFD).
 * Throws SyscallError: pidfd_open ESRCH (process gone), pidfd_getfd EBADF (fd closed meanwhile)
 * or EPERM (no ptrace access).
 */
export function tunAttachment(pid: number, fd: number): TunAttachment | null {
  const pidfd = check(libc.syscall(SYS_pidfd_open, pid, 0, 0, 0), "pidfd_open", `pid ${pid}`);
  let local = -1;
  try {
    local = check(libc.syscall(SYS_pidfd_getfd, pidfd, fd, 0, 0), "pidfd_getfd", `pid ${pid} fd ${fd}`);
    ifreq.fill(0);
    if (libc.ioctl(local, TUNGETIFF, ifreq) !== 0) {
      const err = new SyscallError("ioctl", errno(), `TUNGETIFF on pid ${pid} fd ${fd}`);
      if (err.code === "EBADFD") return null;
      throw err;
    }
    const nul = ifreq.indexOf(0);
    const name = decoder.decode(ifreq.subarray(0, nul < 0 || nul > IFNAMSIZ ? IFNAMSIZ : nul));
    const flags = new DataView(ifreq.buffer).getUint16(16, true);
    let netnsInode: number | null = null;
    let netnsError: SyscallError | null = null;
    const nsFd = libc.ioctl(local, TUNGETDEVNETNS, null);
    if (nsFd < 0) {
      netnsError = new SyscallError("ioctl", errno(), `TUNGETDEVNETNS on pid ${pid} fd ${fd}`);
    } else {
      try {
        const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${nsFd}`));
        netnsInode = m ? Number(m[1]) : null;
      } finally {
        closeQuietly(nsFd);
      }
    }
    return { name, flags, netnsInode, netnsError };
  } finally {
    closeQuietly(local);
    closeQuietly(pidfd);
  }
}
