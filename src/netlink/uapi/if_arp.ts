// linux/if_arp.h: a few ifi_type (ARPHRD_*) values that wiresight looks at.

export const ARPHRD_ETHER = 1;
export const ARPHRD_LOOPBACK = 772;
export const ARPHRD_NONE = 0xfffe;
export const ARPHRD_VOID = 0xffff;
