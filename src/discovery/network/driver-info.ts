// Driver names for physical interfaces (ethtool GDRVINFO), and the SR-IOV function of their PCI
// device (sysfs). The ioctl works on an ordinary socket of the interface's namespace, so we open
// one there only when that namespace has a physical interface at all (most container namespaces
// have none).

import { closeQuietly, ethtoolDriverInfo, openDatagramSocket } from "../../ffi/index.ts";
import { AF_INET, type RtLink } from "../../netlink/index.ts";
import type { DriverInfo } from "./interfaces.ts";
import { sriovFunction } from "./sriov.ts";

/** `nsFd`: the namespace to ask in (undefined: the one this thread sits in). */
export function readDriverInfo(nsFd: number | undefined, links: RtLink[]): Map<number, DriverInfo | null> {
  const result = new Map<number, DriverInfo | null>();
  if (links.length === 0) return result;
  const sock = openDatagramSocket(AF_INET, nsFd);
  try {
    for (const l of links) {
      if (!l.ifname) continue;
      const info = ethtoolDriverInfo(sock, l.ifname);
      result.set(l.index, info && { ...info, sriov: info.busInfo ? sriovFunction(info.busInfo) : null });
    }
  } finally {
    closeQuietly(sock);
  }
  return result;
}
