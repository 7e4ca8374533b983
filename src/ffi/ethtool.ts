// ETHTOOL_GDRVINFO through the legacy SIOCETHTOOL ioctl: the driver behind an interface ("veth",
// "bridge", "virtio_net", ...), which netlink's RTM_GETLINK does not report.
//
// struct ifreq (<net/if.h>, 40 bytes on 64-bit): char ifr_name[16]; union { ...; void *ifr_data; } at 16.
// struct ethtool_drvinfo (<linux/ethtool.h>, 196 bytes): u32 cmd @0; char driver[32] @4;
// version[32] @36; fw_version[32] @68; bus_info[32] @100; erom_version[32] @132; then counters.

import { ptr } from "bun:ffi";
import { ETHTOOL_GDRVINFO, IFNAMSIZ, SIOCETHTOOL } from "./constants.ts";
import { isSyscallError } from "./errno.ts";
import { lastError, libc } from "./libc.ts";

const IFREQ_SIZE = 40;
const IFR_DATA_OFFSET = 16;
const DRVINFO_SIZE = 196;

export interface EthtoolDriverInfo {
  driver: string;
  version: string;
  fwVersion: string;
  busInfo: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function cField(buf: Uint8Array, offset: number, length: number): string {
  const field = buf.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

/**
 * Driver info of interface `ifname`, asked through `sockFd` (any socket; the name is resolved in
 * the network namespace that socket was created in — use openDatagramSocket inside withNetns).
 * null when the interface has no driver info (EOPNOTSUPP, e.g. loopback; the kernel-internal
 * ENOTSUPP some drivers leak) or does not exist (ENODEV). Other errors throw SyscallError.
 */
export function ethtoolDriverInfo(sockFd: number, ifname: string): EthtoolDriverInfo | null {
  const ifreq = new Uint8Array(IFREQ_SIZE);
  const { written, read } = encoder.encodeInto(ifname, ifreq.subarray(0, IFNAMSIZ - 1));
  if (read !== ifname.length || written === 0 || ifname.includes("\0")) {
    throw new RangeError(`invalid interface name ${JSON.stringify(ifname)} (1..${IFNAMSIZ - 1} bytes, no NUL)`);
  }
  // Backed by an explicit ArrayBuffer: its memory never moves, whereas the storage of a small
  // typed array made from a length may be moved by the GC between ptr() and the ioctl (seen with
  // uname() in uts.ts), which would leave ifr_data pointing at stale memory.
  const info = new Uint8Array(new ArrayBuffer(DRVINFO_SIZE));
  new DataView(info.buffer).setUint32(0, ETHTOOL_GDRVINFO, true);
  // ifr_data = &info. `info` stays referenced until after the ioctl, so its memory cannot go away.
  new DataView(ifreq.buffer).setBigUint64(IFR_DATA_OFFSET, BigInt(ptr(info)), true);

  if (libc.ioctl(sockFd, SIOCETHTOOL, ifreq) !== 0) {
    const err = lastError("ioctl", `SIOCETHTOOL ETHTOOL_GDRVINFO ${ifname}`);
    if (isSyscallError(err, "EOPNOTSUPP", "ENOTSUPP", "ENODEV")) return null;
    throw err;
  }
  return {
    driver: cField(info, 4, 32),
    version: cField(info, 36, 32),
    fwVersion: cField(info, 68, 32),
    busInfo: cField(info, 100, 32),
  };
}
