// IFLA_INFO_DATA of kind "bond" and IFLA_INFO_SLAVE_DATA of its members
// (kernel: drivers/net/bonding/bond_netlink.c bond_fill_info, bond_fill_slave_info).
// The members themselves are the links whose IFLA_MASTER is the bond.

import type { AttributeSet } from "../attribute-set.ts";
import { compact } from "../attribute-set.ts";
import {
  BOND_LINK_BACK,
  BOND_LINK_DOWN,
  BOND_LINK_FAIL,
  BOND_LINK_UP,
  BOND_MODE_8023AD,
  BOND_MODE_ACTIVEBACKUP,
  BOND_MODE_ALB,
  BOND_MODE_BROADCAST,
  BOND_MODE_ROUNDROBIN,
  BOND_MODE_TLB,
  BOND_MODE_XOR,
  BOND_STATE_ACTIVE,
  BOND_STATE_BACKUP,
  BOND_XMIT_POLICY_ENCAP23,
  BOND_XMIT_POLICY_ENCAP34,
  BOND_XMIT_POLICY_LAYER2,
  BOND_XMIT_POLICY_LAYER23,
  BOND_XMIT_POLICY_LAYER34,
  BOND_XMIT_POLICY_VLAN_SRCMAC,
} from "../uapi/if_bonding.ts";
import {
  IFLA_BOND_ACTIVE_SLAVE,
  IFLA_BOND_AD_INFO,
  IFLA_BOND_AD_INFO_AGGREGATOR,
  IFLA_BOND_AD_INFO_NUM_PORTS,
  IFLA_BOND_DOWNDELAY,
  IFLA_BOND_MIIMON,
  IFLA_BOND_MIN_LINKS,
  IFLA_BOND_MODE,
  IFLA_BOND_PRIMARY,
  IFLA_BOND_SLAVE_AD_AGGREGATOR_ID,
  IFLA_BOND_SLAVE_LINK_FAILURE_COUNT,
  IFLA_BOND_SLAVE_MII_STATUS,
  IFLA_BOND_SLAVE_PERM_HWADDR,
  IFLA_BOND_SLAVE_QUEUE_ID,
  IFLA_BOND_SLAVE_STATE,
  IFLA_BOND_UPDELAY,
  IFLA_BOND_XMIT_HASH_POLICY,
} from "../uapi/if_link.ts";

export interface BondData {
  kind: "bond";
  /** BOND_MODE_* */
  mode: number;
  /** iproute2's words: balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb. */
  modeName: string;
  /** ifindex of the member that carries traffic (active-backup, tlb, alb); only sent when there is one. */
  activeSlave?: number;
  /** ifindex of the preferred member; only sent when set. */
  primary?: number;
  /** MII link monitoring interval, updelay and downdelay, in milliseconds. */
  miimon?: number;
  updelay?: number;
  downdelay?: number;
  minLinks?: number;
  /** BOND_XMIT_POLICY_* as iproute2 words: layer2, layer3+4, layer2+3, encap2+3, encap3+4, vlan+srcmac. */
  xmitHashPolicy?: string;
  /** 802.3ad: the active aggregator's id and how many ports it has. */
  adAggregator?: number;
  adNumPorts?: number;
}

export interface BondPortData {
  slaveKind: "bond";
  /** BOND_STATE_* as iproute2 words: ACTIVE, BACKUP. */
  state: string;
  /** BOND_LINK_* as iproute2 words: UP, GOING_DOWN, DOWN, GOING_BACK. */
  miiStatus?: string;
  linkFailureCount?: number;
  /** The member's own MAC (bonds rewrite members' addresses). */
  permHwaddr?: string;
  queueId?: number;
  adAggregatorId?: number;
}

const MODES: Record<number, string> = {
  [BOND_MODE_ROUNDROBIN]: "balance-rr",
  [BOND_MODE_ACTIVEBACKUP]: "active-backup",
  [BOND_MODE_XOR]: "balance-xor",
  [BOND_MODE_BROADCAST]: "broadcast",
  [BOND_MODE_8023AD]: "802.3ad",
  [BOND_MODE_TLB]: "balance-tlb",
  [BOND_MODE_ALB]: "balance-alb",
};
const XMIT_POLICIES: Record<number, string> = {
  [BOND_XMIT_POLICY_LAYER2]: "layer2",
  [BOND_XMIT_POLICY_LAYER34]: "layer3+4",
  [BOND_XMIT_POLICY_LAYER23]: "layer2+3",
  [BOND_XMIT_POLICY_ENCAP23]: "encap2+3",
  [BOND_XMIT_POLICY_ENCAP34]: "encap3+4",
  [BOND_XMIT_POLICY_VLAN_SRCMAC]: "vlan+srcmac",
};
const STATES: Record<number, string> = { [BOND_STATE_ACTIVE]: "ACTIVE", [BOND_STATE_BACKUP]: "BACKUP" };
const MII_STATUS: Record<number, string> = { [BOND_LINK_UP]: "UP", [BOND_LINK_FAIL]: "GOING_DOWN", [BOND_LINK_DOWN]: "DOWN", [BOND_LINK_BACK]: "GOING_BACK" };

const word = (table: Record<number, string>, n: number | undefined) => (n === undefined ? undefined : (table[n] ?? String(n)));

/** undefined when IFLA_BOND_MODE is missing (the kernel always sends it). */
export function decodeBond(a: AttributeSet): BondData | undefined {
  const mode = a.u8(IFLA_BOND_MODE, "IFLA_BOND_MODE");
  if (mode === undefined) return undefined;
  const ad = a.nested(IFLA_BOND_AD_INFO);
  return compact<BondData>({
    kind: "bond",
    mode,
    modeName: word(MODES, mode)!,
    activeSlave: a.u32(IFLA_BOND_ACTIVE_SLAVE, "IFLA_BOND_ACTIVE_SLAVE"),
    primary: a.u32(IFLA_BOND_PRIMARY, "IFLA_BOND_PRIMARY"),
    miimon: a.u32(IFLA_BOND_MIIMON, "IFLA_BOND_MIIMON"),
    updelay: a.u32(IFLA_BOND_UPDELAY, "IFLA_BOND_UPDELAY"),
    downdelay: a.u32(IFLA_BOND_DOWNDELAY, "IFLA_BOND_DOWNDELAY"),
    minLinks: a.u32(IFLA_BOND_MIN_LINKS, "IFLA_BOND_MIN_LINKS"),
    xmitHashPolicy: word(XMIT_POLICIES, a.u8(IFLA_BOND_XMIT_HASH_POLICY, "IFLA_BOND_XMIT_HASH_POLICY")),
    adAggregator: ad?.u16(IFLA_BOND_AD_INFO_AGGREGATOR, "IFLA_BOND_AD_INFO_AGGREGATOR"),
    adNumPorts: ad?.u16(IFLA_BOND_AD_INFO_NUM_PORTS, "IFLA_BOND_AD_INFO_NUM_PORTS"),
  });
}

/** undefined when IFLA_BOND_SLAVE_STATE is missing (the kernel always sends it). */
export function decodeBondPort(a: AttributeSet): BondPortData | undefined {
  const state = a.u8(IFLA_BOND_SLAVE_STATE, "IFLA_BOND_SLAVE_STATE");
  if (state === undefined) return undefined;
  return compact<BondPortData>({
    slaveKind: "bond",
    state: word(STATES, state)!,
    miiStatus: word(MII_STATUS, a.u8(IFLA_BOND_SLAVE_MII_STATUS, "IFLA_BOND_SLAVE_MII_STATUS")),
    linkFailureCount: a.u32(IFLA_BOND_SLAVE_LINK_FAILURE_COUNT, "IFLA_BOND_SLAVE_LINK_FAILURE_COUNT"),
    permHwaddr: a.mac(IFLA_BOND_SLAVE_PERM_HWADDR),
    queueId: a.u16(IFLA_BOND_SLAVE_QUEUE_ID, "IFLA_BOND_SLAVE_QUEUE_ID"),
    adAggregatorId: a.u16(IFLA_BOND_SLAVE_AD_AGGREGATOR_ID, "IFLA_BOND_SLAVE_AD_AGGREGATOR_ID"),
  });
}
