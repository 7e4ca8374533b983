// linux/if_ether.h: the VLAN ethertypes carried by IFLA_VLAN_PROTOCOL / IFLA_BR_VLAN_PROTOCOL.

export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;
