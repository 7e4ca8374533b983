// linux/netfilter/nfnetlink.h — the netfilter netlink family (NETLINK_NETFILTER): every message
// starts with struct nfgenmsg (nfgen_family u8, version u8, res_id __be16) and its nlmsg_type
// is (subsystem << 8) | message.

export const NFNETLINK_V0 = 0;
export const NFNL_SUBSYS_NFTABLES = 10;
export const NFNL_MSG_BATCH_BEGIN = 0x10;
export const NFNL_MSG_BATCH_END = 0x11;
