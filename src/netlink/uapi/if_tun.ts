// linux/if_tun.h: the device type carried by IFLA_TUN_TYPE.

export const IFF_TUN = 0x0001;
export const IFF_TAP = 0x0002;
