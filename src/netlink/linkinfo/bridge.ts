// IFLA_INFO_DATA of kind "bridge" (kernel: net/bridge/br_netlink.c br_fill_info).

import type { AttributeSet } from "../attribute-set.ts";
import { compact } from "../attribute-set.ts";
import { mac } from "../inet.ts";
import { NetlinkDecodeError } from "../errors.ts";
import {
  IFLA_BR_AGEING_TIME,
  IFLA_BR_BRIDGE_ID,
  IFLA_BR_FORWARD_DELAY,
  IFLA_BR_GROUP_ADDR,
  IFLA_BR_HELLO_TIME,
  IFLA_BR_MAX_AGE,
  IFLA_BR_PRIORITY,
  IFLA_BR_STP_STATE,
  IFLA_BR_VLAN_FILTERING,
  IFLA_BR_VLAN_PROTOCOL,
} from "../uapi/if_link.ts";

export interface BridgeData {
  kind: "bridge";
  /** Timers in clock_t hundredths of a second, as the kernel sends them (iproute2 prints them raw too). */
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
  ageingTime?: number;
  /** 0 = no STP, 1 = kernel STP, 2 = user-space STP. */
  stpState?: number;
  priority?: number;
  vlanFiltering?: boolean;
  /** ETH_P_8021Q or ETH_P_8021AD, host order (sent as __be16). */
  vlanProtocol?: number;
  groupAddr?: string;
  /**
   * struct ifla_bridge_id as "8000.02:ec:0e:fa:09:39": priority in hex, a dot, the MAC. iproute2
   * prints the MAC with ether_ntoa ("2:ec:e:fa:9:39"); here it is zero-padded like every other MAC.
   */
  bridgeId?: string;
}

export function decodeBridge(a: AttributeSet): BridgeData {
  return compact<BridgeData>({
    kind: "bridge",
    forwardDelay: a.u32(IFLA_BR_FORWARD_DELAY, "IFLA_BR_FORWARD_DELAY"),
    helloTime: a.u32(IFLA_BR_HELLO_TIME, "IFLA_BR_HELLO_TIME"),
    maxAge: a.u32(IFLA_BR_MAX_AGE, "IFLA_BR_MAX_AGE"),
    ageingTime: a.u32(IFLA_BR_AGEING_TIME, "IFLA_BR_AGEING_TIME"),
    stpState: a.u32(IFLA_BR_STP_STATE, "IFLA_BR_STP_STATE"),
    priority: a.u16(IFLA_BR_PRIORITY, "IFLA_BR_PRIORITY"),
    vlanFiltering: a.bool(IFLA_BR_VLAN_FILTERING, "IFLA_BR_VLAN_FILTERING"),
    vlanProtocol: a.be16(IFLA_BR_VLAN_PROTOCOL, "IFLA_BR_VLAN_PROTOCOL"),
    groupAddr: a.mac(IFLA_BR_GROUP_ADDR),
    bridgeId: bridgeId(a),
  });
}

// struct ifla_bridge_id { __u8 prio[2]; __u8 addr[6]; }
function bridgeId(a: AttributeSet): string | undefined {
  const attr = a.get(IFLA_BR_BRIDGE_ID);
  if (!attr) return undefined;
  const d = attr.data;
  if (d.length < 8) {
    throw new NetlinkDecodeError(`IFLA_BR_BRIDGE_ID: struct ifla_bridge_id needs 8 bytes, got ${d.length}`, attr.offset);
  }
  const prio = mac(d.subarray(0, 2)).replace(":", "");
  return `${prio}.${mac(d.subarray(2, 8))}`;
}
