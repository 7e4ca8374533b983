// linux/if_vlan.h: bits of struct ifla_vlan_flags.flags (IFLA_VLAN_FLAGS).

export const VLAN_FLAG_REORDER_HDR = 0x1;
export const VLAN_FLAG_GVRP = 0x2;
export const VLAN_FLAG_LOOSE_BINDING = 0x4;
export const VLAN_FLAG_MVRP = 0x8;
export const VLAN_FLAG_BRIDGE_BINDING = 0x10;
