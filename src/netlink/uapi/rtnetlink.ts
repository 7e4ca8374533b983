// linux/rtnetlink.h: message types, struct rtmsg values, route attributes, groups.

// Message types (nlmsg_type)
export const RTM_BASE = 16;
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;
export const RTM_GETNEIGH = 30;
export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;
export const RTM_GETRULE = 34;
export const RTM_NEWNSID = 88;
export const RTM_DELNSID = 89;
export const RTM_GETNSID = 90;

// rtm_type
export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_ANYCAST = 4;
export const RTN_MULTICAST = 5;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;
export const RTN_THROW = 9;
export const RTN_NAT = 10;
export const RTN_XRESOLVE = 11;

// rtm_protocol
export const RTPROT_UNSPEC = 0;
export const RTPROT_REDIRECT = 1;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;
export const RTPROT_GATED = 8;
export const RTPROT_RA = 9;
export const RTPROT_MRT = 10;
export const RTPROT_ZEBRA = 11;
export const RTPROT_BIRD = 12;
export const RTPROT_DNROUTED = 13;
export const RTPROT_XORP = 14;
export const RTPROT_NTK = 15;
export const RTPROT_DHCP = 16;
export const RTPROT_MROUTED = 17;
export const RTPROT_KEEPALIVED = 18;
export const RTPROT_BABEL = 42;
export const RTPROT_OPENR = 99;
export const RTPROT_BGP = 186;
export const RTPROT_ISIS = 187;
export const RTPROT_OSPF = 188;
export const RTPROT_RIP = 189;
export const RTPROT_EIGRP = 192;

// rtm_scope (also ifa_scope)
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

// rtm_flags
export const RTM_F_NOTIFY = 0x100;
export const RTM_F_CLONED = 0x200;
export const RTM_F_EQUALIZE = 0x400;
export const RTM_F_PREFIX = 0x800;
export const RTM_F_LOOKUP_TABLE = 0x1000;
export const RTM_F_FIB_MATCH = 0x2000;
export const RTM_F_OFFLOAD = 0x4000;
export const RTM_F_TRAP = 0x8000;
export const RTM_F_OFFLOAD_FAILED = 0x20000000;

// Reserved table ids. rtm_table is a u8: tables above 255 only appear in RTA_TABLE.
export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_COMPAT = 252;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;
export const RT_TABLE_MAX = 0xffffffff;

// enum rtattr_type_t
export const RTA_UNSPEC = 0;
export const RTA_DST = 1;
export const RTA_SRC = 2;
export const RTA_IIF = 3;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_PREFSRC = 7;
export const RTA_METRICS = 8;
export const RTA_MULTIPATH = 9;
export const RTA_PROTOINFO = 10;
export const RTA_FLOW = 11;
export const RTA_CACHEINFO = 12;
export const RTA_SESSION = 13;
export const RTA_MP_ALGO = 14;
export const RTA_TABLE = 15;
export const RTA_MARK = 16;
export const RTA_MFC_STATS = 17;
export const RTA_VIA = 18;
export const RTA_NEWDST = 19;
export const RTA_PREF = 20;
export const RTA_ENCAP_TYPE = 21;
export const RTA_ENCAP = 22;
export const RTA_EXPIRES = 23;
export const RTA_PAD = 24;
export const RTA_UID = 25;
export const RTA_TTL_PROPAGATE = 26;
export const RTA_IP_PROTO = 27;
export const RTA_SPORT = 28;
export const RTA_DPORT = 29;
export const RTA_NH_ID = 30;

// struct rtnexthop.rtnh_flags
export const RTNH_F_DEAD = 1;
export const RTNH_F_PERVASIVE = 2;
export const RTNH_F_ONLINK = 4;
export const RTNH_F_OFFLOAD = 8;
export const RTNH_F_LINKDOWN = 16;
export const RTNH_F_UNRESOLVED = 32;
export const RTNH_F_TRAP = 64;

// RTA_METRICS children
export const RTAX_UNSPEC = 0;
export const RTAX_LOCK = 1;
export const RTAX_MTU = 2;
export const RTAX_WINDOW = 3;
export const RTAX_RTT = 4;
export const RTAX_RTTVAR = 5;
export const RTAX_SSTHRESH = 6;
export const RTAX_CWND = 7;
export const RTAX_ADVMSS = 8;
export const RTAX_REORDERING = 9;
export const RTAX_HOPLIMIT = 10;
export const RTAX_INITCWND = 11;
export const RTAX_FEATURES = 12;
export const RTAX_RTO_MIN = 13;
export const RTAX_INITRWND = 14;
export const RTAX_QUICKACK = 15;
export const RTAX_CC_ALGO = 16;
export const RTAX_FASTOPEN_NO_COOKIE = 17;

// Legacy multicast group bitmask for sockaddr_nl.nl_groups (groups 1..32 only)
export const RTMGRP_LINK = 1;
export const RTMGRP_NOTIFY = 2;
export const RTMGRP_NEIGH = 4;
export const RTMGRP_TC = 8;
export const RTMGRP_IPV4_IFADDR = 0x10;
export const RTMGRP_IPV4_MROUTE = 0x20;
export const RTMGRP_IPV4_ROUTE = 0x40;
export const RTMGRP_IPV4_RULE = 0x80;
export const RTMGRP_IPV6_IFADDR = 0x100;
export const RTMGRP_IPV6_MROUTE = 0x200;
export const RTMGRP_IPV6_ROUTE = 0x400;
export const RTMGRP_IPV6_IFINFO = 0x800;
export const RTMGRP_IPV6_PREFIX = 0x20000;

// enum rtnetlink_groups, for NETLINK_ADD_MEMBERSHIP (there is no RTMGRP_NSID)
export const RTNLGRP_NONE = 0;
export const RTNLGRP_LINK = 1;
export const RTNLGRP_NOTIFY = 2;
export const RTNLGRP_NEIGH = 3;
export const RTNLGRP_TC = 4;
export const RTNLGRP_IPV4_IFADDR = 5;
export const RTNLGRP_IPV4_MROUTE = 6;
export const RTNLGRP_IPV4_ROUTE = 7;
export const RTNLGRP_IPV4_RULE = 8;
export const RTNLGRP_IPV6_IFADDR = 9;
export const RTNLGRP_IPV6_MROUTE = 10;
export const RTNLGRP_IPV6_ROUTE = 11;
export const RTNLGRP_IPV6_IFINFO = 12;
export const RTNLGRP_IPV6_PREFIX = 18;
export const RTNLGRP_IPV6_RULE = 19;
export const RTNLGRP_NSID = 28;

// IFLA_EXT_MASK bits
export const RTEXT_FILTER_VF = 1 << 0;
export const RTEXT_FILTER_BRVLAN = 1 << 1;
export const RTEXT_FILTER_BRVLAN_COMPRESSED = 1 << 2;
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;
export const RTEXT_FILTER_MRP = 1 << 4;
export const RTEXT_FILTER_CFM_CONFIG = 1 << 5;
export const RTEXT_FILTER_CFM_STATUS = 1 << 6;
export const RTEXT_FILTER_MST = 1 << 7;

// rtnetlink families above the real address families (multicast routing tables)
export const RTNL_FAMILY_IPMR = 128;
export const RTNL_FAMILY_IP6MR = 129;
