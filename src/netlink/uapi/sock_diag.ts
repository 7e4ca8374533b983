// linux/sock_diag.h: the message types of NETLINK_SOCK_DIAG.

export const SOCK_DIAG_BY_FAMILY = 20;
export const SOCK_DESTROY = 21;
