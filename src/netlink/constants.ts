// Every kernel number the codec knows, one module per kernel UAPI header under uapi/
// (grep the name in /usr/include/linux/<header>.h), plus the number → word helpers.

export * from "./uapi/netlink.ts";
export * from "./uapi/rtnetlink.ts";
export * from "./uapi/if_link.ts";
export * from "./uapi/if_tunnel.ts";
export * from "./uapi/if_bonding.ts";
export * from "./uapi/genetlink.ts";
export * from "./uapi/wireguard.ts";
export * from "./uapi/if_addr.ts";
export * from "./uapi/if.ts";
export * from "./uapi/if_arp.ts";
export * from "./uapi/if_ether.ts";
export * from "./uapi/if_tun.ts";
export * from "./uapi/if_vlan.ts";
export * from "./uapi/icmpv6.ts";
export * from "./uapi/net_namespace.ts";
export * from "./uapi/socket.ts";
export * from "./names.ts";
export * from "./uapi/nfnetlink.ts";
export * from "./uapi/netfilter.ts";
export * from "./uapi/nf_tables.ts";
export * from "./uapi/nf_nat.ts";
export * from "./uapi/x_tables.ts";
export * from "./uapi/sock_diag.ts";
export * from "./uapi/inet_diag.ts";
