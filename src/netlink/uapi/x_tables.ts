// linux/netfilter/xt_tcpudp.h, xt_addrtype.h, xt_comment.h — the xt extensions whose info blobs
// iptables-nft puts into nft `match` expressions and that the codec decodes.

export const XT_TCP_INV_SRCPT = 0x01;
export const XT_TCP_INV_DSTPT = 0x02;
export const XT_TCP_INV_FLAGS = 0x04;
export const XT_TCP_INV_OPTION = 0x08;
export const XT_UDP_INV_SRCPT = 0x01;
export const XT_UDP_INV_DSTPT = 0x02;

// struct xt_addrtype_info_v1.flags
export const XT_ADDRTYPE_INVERT_SOURCE = 0x0001;
export const XT_ADDRTYPE_INVERT_DEST = 0x0002;
export const XT_ADDRTYPE_LIMIT_IFACE_IN = 0x0004;
export const XT_ADDRTYPE_LIMIT_IFACE_OUT = 0x0008;
// address type bits: 1 << RTN_* (source/dest masks)
export const XT_ADDRTYPE_UNSPEC = 1 << 0;
export const XT_ADDRTYPE_UNICAST = 1 << 1;
export const XT_ADDRTYPE_LOCAL = 1 << 2;
export const XT_ADDRTYPE_BROADCAST = 1 << 3;
export const XT_ADDRTYPE_ANYCAST = 1 << 4;
export const XT_ADDRTYPE_MULTICAST = 1 << 5;
export const XT_ADDRTYPE_BLACKHOLE = 1 << 6;
export const XT_ADDRTYPE_UNREACHABLE = 1 << 7;
export const XT_ADDRTYPE_PROHIBIT = 1 << 8;
export const XT_ADDRTYPE_THROW = 1 << 9;
export const XT_ADDRTYPE_NAT = 1 << 10;
export const XT_ADDRTYPE_XRESOLVE = 1 << 11;

export const XT_MAX_COMMENT_LEN = 256;
