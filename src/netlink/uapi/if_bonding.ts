// linux/if_bonding.h: bonding modes and member states (IFLA_BOND_MODE, IFLA_BOND_SLAVE_STATE).
// Numbers from the installed header, checked by test/netlink/uapi.test.ts.

export const BOND_MODE_ROUNDROBIN = 0;
export const BOND_MODE_ACTIVEBACKUP = 1;
export const BOND_MODE_XOR = 2;
export const BOND_MODE_BROADCAST = 3;
export const BOND_MODE_8023AD = 4;
export const BOND_MODE_TLB = 5;
export const BOND_MODE_ALB = 6;
export const BOND_STATE_ACTIVE = 0;
export const BOND_STATE_BACKUP = 1;
