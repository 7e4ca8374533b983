// linux/netfilter/nf_nat.h — flags of struct nf_nat_range(2) and nf_nat_ipv4_range, used both by
// the nft `nat` expression (NFTA_NAT_FLAGS) and by the xt DNAT/SNAT targets iptables-nft writes.

export const NF_NAT_RANGE_MAP_IPS = 1 << 0;
export const NF_NAT_RANGE_PROTO_SPECIFIED = 1 << 1;
export const NF_NAT_RANGE_PROTO_RANDOM = 1 << 2;
export const NF_NAT_RANGE_PERSISTENT = 1 << 3;
export const NF_NAT_RANGE_PROTO_RANDOM_FULLY = 1 << 4;
export const NF_NAT_RANGE_PROTO_OFFSET = 1 << 5;
export const NF_NAT_RANGE_NETMAP = 1 << 6;
