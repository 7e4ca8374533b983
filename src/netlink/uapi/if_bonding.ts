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
// IFLA_BOND_SLAVE_MII_STATUS
export const BOND_LINK_UP = 0;
export const BOND_LINK_FAIL = 1;
export const BOND_LINK_DOWN = 2;
export const BOND_LINK_BACK = 3;
// IFLA_BOND_XMIT_HASH_POLICY
export const BOND_XMIT_POLICY_LAYER2 = 0;
export const BOND_XMIT_POLICY_LAYER34 = 1;
export const BOND_XMIT_POLICY_LAYER23 = 2;
export const BOND_XMIT_POLICY_ENCAP23 = 3;
export const BOND_XMIT_POLICY_ENCAP34 = 4;
export const BOND_XMIT_POLICY_VLAN_SRCMAC = 5;
