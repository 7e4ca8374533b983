// The netkit section of linux/if_link.h (Linux ≥ 6.7). Not re-exported by constants.ts: the
// headers installed here (linux-libc-dev 6.1) predate netkit, so test/netlink/uapi.test.ts cannot
// compile these names; the numbers follow the kernel's include/uapi/linux/if_link.h.

// IFLA_INFO_DATA of kind "netkit"
export const IFLA_NETKIT_UNSPEC = 0;
export const IFLA_NETKIT_PEER_INFO = 1;
export const IFLA_NETKIT_PRIMARY = 2;
export const IFLA_NETKIT_POLICY = 3;
export const IFLA_NETKIT_PEER_POLICY = 4;
export const IFLA_NETKIT_MODE = 5;
export const IFLA_NETKIT_SCRUB = 6;
export const IFLA_NETKIT_PEER_SCRUB = 7;
export const IFLA_NETKIT_HEADROOM = 8;
export const IFLA_NETKIT_TAILROOM = 9;
// enum netkit_action (IFLA_NETKIT_POLICY, IFLA_NETKIT_PEER_POLICY)
export const NETKIT_NEXT = -1;
export const NETKIT_PASS = 0;
export const NETKIT_DROP = 2;
export const NETKIT_REDIRECT = 7;
// enum netkit_mode
export const NETKIT_L2 = 0;
export const NETKIT_L3 = 1;
// enum netkit_scrub
export const NETKIT_SCRUB_NONE = 0;
export const NETKIT_SCRUB_DEFAULT = 1;
