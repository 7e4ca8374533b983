// linux/icmpv6.h: IPv6 router preference, the value of RTA_PREF (RFC 4191).

export const ICMPV6_ROUTER_PREF_LOW = 0x3;
export const ICMPV6_ROUTER_PREF_MEDIUM = 0x0;
export const ICMPV6_ROUTER_PREF_HIGH = 0x1;
export const ICMPV6_ROUTER_PREF_INVALID = 0x2;
