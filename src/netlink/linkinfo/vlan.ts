// IFLA_INFO_DATA of kind "vlan" (kernel: net/8021q/vlan_netlink.c vlan_fill_info).

import type { AttributeSet } from "../attribute-set.ts";
import { NetlinkDecodeError } from "../errors.ts";
import { vlanProtocolName } from "../names.ts";
import { ETH_P_8021Q } from "../uapi/if_ether.ts";
import { IFLA_VLAN_FLAGS, IFLA_VLAN_ID, IFLA_VLAN_PROTOCOL } from "../uapi/if_link.ts";

export interface VlanData {
  kind: "vlan";
  id: number;
  /** Host order (IFLA_VLAN_PROTOCOL is __be16): 0x8100 or 0x88a8. */
  protocol: number;
  protocolName: "802.1Q" | "802.1ad" | string;
  /** VLAN_FLAG_* from struct ifla_vlan_flags (only sent when some flag is set). */
  flags?: number;
}

/** undefined when IFLA_VLAN_ID is missing (the kernel always sends it). */
export function decodeVlan(a: AttributeSet): VlanData | undefined {
  const id = a.u16(IFLA_VLAN_ID, "IFLA_VLAN_ID");
  if (id === undefined) return undefined;
  // Kernels before 3.10 knew only 802.1Q and did not send IFLA_VLAN_PROTOCOL.
  const protocol = a.be16(IFLA_VLAN_PROTOCOL, "IFLA_VLAN_PROTOCOL") ?? ETH_P_8021Q;
  const data: VlanData = { kind: "vlan", id, protocol, protocolName: vlanProtocolName(protocol) };
  const flags = a.get(IFLA_VLAN_FLAGS);
  if (flags) {
    // struct ifla_vlan_flags { __u32 flags; __u32 mask; }
    if (flags.data.length < 8) {
      throw new NetlinkDecodeError(`IFLA_VLAN_FLAGS: struct ifla_vlan_flags needs 8 bytes, got ${flags.data.length}`, flags.offset);
    }
    data.flags = a.u32(IFLA_VLAN_FLAGS, "IFLA_VLAN_FLAGS");
  }
  return data;
}
