// IFLA_INFO_DATA of kind "vrf" and IFLA_INFO_SLAVE_DATA of its members
// (kernel: drivers/net/vrf.c vrf_fillinfo, vrf_fill_slave_info).

import type { AttributeSet } from "../attribute-set.ts";
import { IFLA_VRF_PORT_TABLE, IFLA_VRF_TABLE } from "../uapi/if_link.ts";

export interface VrfData {
  kind: "vrf";
  /** The routing table its members' routes go to. */
  table: number;
}

export interface VrfPortData {
  slaveKind: "vrf";
  table: number;
}

/** undefined when IFLA_VRF_TABLE is missing (the kernel always sends it). */
export function decodeVrf(a: AttributeSet): VrfData | undefined {
  const table = a.u32(IFLA_VRF_TABLE, "IFLA_VRF_TABLE");
  return table === undefined ? undefined : { kind: "vrf", table };
}

export function decodeVrfPort(a: AttributeSet): VrfPortData | undefined {
  const table = a.u32(IFLA_VRF_PORT_TABLE, "IFLA_VRF_PORT_TABLE");
  return table === undefined ? undefined : { slaveKind: "vrf", table };
}
