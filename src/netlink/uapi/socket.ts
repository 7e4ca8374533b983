// Address families and SOL_NETLINK from <sys/socket.h> (bits/socket.h), as used in
// rtnetlink family fields (ifi_family, ifa_family, rtm_family, rtgen_family).

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_BRIDGE = 7;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const AF_PACKET = 17;
export const AF_MPLS = 28;

export const SOL_NETLINK = 270;
