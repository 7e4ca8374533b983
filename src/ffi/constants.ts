// Kernel/libc constants under their C names. Values are the generic Linux ones used by x86_64 and
// arm64 (libc.ts refuses other architectures: mips/sparc/alpha/parisc number SOCK_* and O_* differently).

// <bits/socket.h>, <linux/socket.h>
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0x800;
export const SOCK_CLOEXEC = 0x80000;
export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_RCVBUFFORCE = 33; // needs CAP_NET_ADMIN; lets rcvbuf exceed net.core.rmem_max
export const SO_NETNS_COOKIE = 71; // since Linux 5.14: u64 id of the socket's netns, never reused within a boot
export const MSG_PEEK = 0x2;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;

// <linux/netlink.h>
export const SOL_NETLINK = 270;
export const NETLINK_ROUTE = 0;
export const NETLINK_SOCK_DIAG = 4;
export const NETLINK_NETFILTER = 12;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_DROP_MEMBERSHIP = 2;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;
export const SOCKADDR_NL_SIZE = 12; // struct sockaddr_nl { u16 family; u16 pad; u32 pid; u32 groups; }

// <sys/epoll.h>, <linux/eventpoll.h>
export const EPOLL_CLOEXEC = 0x80000;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLLIN = 0x001;
export const EPOLLPRI = 0x002;
export const EPOLLERR = 0x008;
export const EPOLLHUP = 0x010;

// <fcntl.h>
export const O_RDONLY = 0;
export const O_CLOEXEC = 0x80000;
export const O_NOCTTY = 0x100;
export const O_NONBLOCK = 0x800;
export const O_PATH = 0x200000;

// <linux/openat2.h>: struct open_how { u64 flags; u64 mode; u64 resolve; }
export const OPEN_HOW_SIZE = 24;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_IN_ROOT = 0x10;

// System call numbers. 424 and up were allocated once for every architecture (the unified
// table since Linux 5.1), so these hold for x86_64 and arm64 alike.
export const SYS_pidfd_open = 434;
export const SYS_openat2 = 437;
export const SYS_pidfd_getfd = 438;

// <sched.h>
export const CLONE_NEWNET = 0x40000000;
export const CLONE_NEWUTS = 0x04000000;

// <linux/if_tun.h>: _IOR('T', 210, unsigned int) and _IO('T', 227) with the generic ioctl encoding
// (x86_64 and arm64 share it).
export const TUNGETIFF = 0x800454d2;
export const TUNGETDEVNETNS = 0x54e3;

// <linux/nsfs.h>: NS_GET_PARENT = _IO(0xb7, 0x2), an fd of the parent PID/user namespace.
export const NS_GET_PARENT = 0xb702;

// <linux/sockios.h>, <linux/ethtool.h>, <net/if.h>
export const SIOCETHTOOL = 0x8946;
/** Since Linux 4.9: a new nsfs fd of the network namespace a socket lives in (CAP_NET_ADMIN there). */
export const SIOCGSKNS = 0x894c;
export const ETHTOOL_GDRVINFO = 0x3;
export const IFNAMSIZ = 16;

// <linux/if_packet.h>, <linux/if_ether.h>: packet capture
export const AF_PACKET = 17;
export const ETH_P_ALL = 0x0003; // every protocol; passed in network byte order (htons)
export const SOL_PACKET = 263;
export const PACKET_ADD_MEMBERSHIP = 1;
export const PACKET_RX_RING = 5; // struct tpacket_req3: the receive ring shared with the kernel
export const PACKET_STATISTICS = 6; // struct tpacket_stats_v3 { u32 tp_packets, tp_drops, tp_freeze_q_cnt; }, reset on read
export const PACKET_VERSION = 10;
export const TPACKET_V3 = 2; // enum tpacket_versions: V1 = 0, V2 = 1, V3 = 2
export const TPACKET_STATS_V3_SIZE = 12;
export const PACKET_MR_PROMISC = 1;
// tpacket_hdr_v1.block_status and tpacket3_hdr.tp_status
export const TP_STATUS_KERNEL = 0;
export const TP_STATUS_USER = 1 << 0;
export const TP_STATUS_VLAN_VALID = 1 << 4;
export const TP_STATUS_VLAN_TPID_VALID = 1 << 6;
/** struct tpacket_req3 { u32 tp_block_size, tp_block_nr, tp_frame_size, tp_frame_nr, tp_retire_blk_tov, tp_sizeof_priv, tp_feature_req_word; } */
export const TPACKET_REQ3_SIZE = 28;
/**
 * struct tpacket_block_desc { u32 version; u32 offset_to_priv; struct tpacket_hdr_v1 hdr.bh1; }:
 * byte offsets of the fields of a ring block's header (tpacket_hdr_v1 starts at 8).
 */
export const tpacket_block_desc = {
  version: 0,
  offset_to_priv: 4,
  block_status: 8,
  num_pkts: 12,
  offset_to_first_pkt: 16,
  blk_len: 20,
  seq_num: 24,
  sizeof: 48,
} as const;
/**
 * struct tpacket3_hdr: byte offsets of the header before each packet in a block. hv1 is struct
 * tpacket_hdr_variant1 { u32 tp_rxhash; u32 tp_vlan_tci; u16 tp_vlan_tpid; u16 tp_padding; }. A
 * struct sockaddr_ll follows at TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) = 48; the frame at tp_mac.
 */
export const tpacket3_hdr = {
  tp_next_offset: 0,
  tp_sec: 4,
  tp_nsec: 8,
  tp_snaplen: 12,
  tp_len: 16,
  tp_status: 20,
  tp_mac: 24,
  tp_net: 26,
  hv1_tp_rxhash: 28,
  hv1_tp_vlan_tci: 32,
  hv1_tp_vlan_tpid: 36,
  sizeof: 48,
} as const;
/** struct sockaddr_ll { u16 sll_family; u16 sll_protocol; i32 sll_ifindex; u16 sll_hatype; u8 sll_pkttype; u8 sll_halen; u8 sll_addr[8]; } */
export const sockaddr_ll = { sll_family: 0, sll_protocol: 2, sll_ifindex: 4, sll_hatype: 8, sll_pkttype: 10, sll_halen: 11 } as const;
// <sys/mman.h>
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const MAP_SHARED = 0x01;
export const SOCKADDR_LL_SIZE = 20; // struct sockaddr_ll
export const PACKET_MREQ_SIZE = 16; // struct packet_mreq
// sockaddr_ll.sll_pkttype
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;
// <asm-generic/socket.h> (x86_64 and arm64 share it): classic BPF
export const SO_ATTACH_FILTER = 26;
