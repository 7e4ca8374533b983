// RTM_GETLINK dump request and RTM_NEWLINK / RTM_DELLINK decoding (struct ifinfomsg + IFLA_*).

import { AttributeSet, compact } from "./attribute-set.ts";
import { encodeU32Attribute } from "./attributes.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { type LinkKindData, type LinkPortData, decodeLinkInfo } from "./linkinfo/index.ts";
import { type NetlinkMessage, encodeMessage } from "./message.ts";
import { type VfInfo, decodeVfInfoList } from "./vf-info.ts";
import {
  IFLA_ADDRESS,
  IFLA_BROADCAST,
  IFLA_CARRIER,
  IFLA_EXT_MASK,
  IFLA_GROUP,
  IFLA_IFALIAS,
  IFLA_IFNAME,
  IFLA_LINK,
  IFLA_LINKINFO,
  IFLA_LINKMODE,
  IFLA_LINK_NETNSID,
  IFLA_MASTER,
  IFLA_MTU,
  IFLA_NUM_VF,
  IFLA_TARGET_NETNSID,
  IFLA_NUM_RX_QUEUES,
  IFLA_NUM_TX_QUEUES,
  IFLA_OPERSTATE,
  IFLA_PARENT_DEV_BUS_NAME,
  IFLA_PARENT_DEV_NAME,
  IFLA_PERM_ADDRESS,
  IFLA_PROMISCUITY,
  IFLA_TXQLEN,
  IFLA_VFINFO_LIST,
} from "./uapi/if_link.ts";
import { NLMSG_HDRLEN, NLM_F_DUMP, NLM_F_REQUEST } from "./uapi/netlink.ts";
import { RTEXT_FILTER_SKIP_STATS, RTEXT_FILTER_VF, RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK } from "./uapi/rtnetlink.ts";

export type * from "./linkinfo/index.ts";
export type { VfInfo } from "./vf-info.ts";

export interface RtLink {
  family: number;
  /** ARPHRD_* */
  type: number;
  index: number;
  /** IFF_* */
  flags: number;
  change: number;
  ifname?: string;
  address?: string;
  broadcast?: string;
  permAddress?: string;
  mtu?: number;
  /** IF_OPER_* (operstateName() gives the word) */
  operstate?: number;
  linkmode?: number;
  txqlen?: number;
  group?: number;
  ifalias?: string;
  master?: number;
  /** The ifindex this link is tied to (veth peer, macvlan/vlan lower device), in linkNetnsid's namespace if set. */
  link?: number;
  /** The namespace of `link`, as an NSID of the namespace this message came from. */
  linkNetnsid?: number;
  carrier?: number;
  promiscuity?: number;
  numTxQueues?: number;
  numRxQueues?: number;
  parentDevName?: string;
  parentDevBusName?: string;
  kind?: string;
  slaveKind?: string;
  data?: LinkKindData;
  /** The master's per-port data (bond, vrf members). */
  slaveData?: LinkPortData;
  /** SR-IOV physical function: how many VFs are enabled (IFLA_NUM_VF) and what its driver says of each. */
  numVf?: number;
  vfs?: VfInfo[];
}

const IFINFOMSG_LEN = 16;

/**
 * Dump of every link (what `ip link show` sends, as family AF_UNSPEC). IFLA_EXT_MASK asks for
 * VF info but no statistics: stats are most of a link message and wiresight does not use them.
 */
export function buildGetLinkDump(seq: number): Uint8Array {
  const ext = encodeU32Attribute(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
  const payload = new Uint8Array(IFINFOMSG_LEN + ext.length); // struct ifinfomsg all zero: AF_UNSPEC
  payload.set(ext, IFINFOMSG_LEN);
  return encodeMessage({ type: RTM_GETLINK, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, payload);
}

/**
 * The link with `index`; with `targetNsid`, in the namespace the sender's namespace knows by
 * that NSID (IFLA_TARGET_NETNSID, Linux ≥ 4.20). The latter lets a namespace show us the far
 * end of one of its links — what tells apart namespaces whose ifindexes collide. The kernel
 * answers with one RTM_NEWLINK or an NLMSG_ERROR, so no NLM_F_ACK (an extra ack would linger).
 */
export function buildGetLink(seq: number, index: number, targetNsid?: number): Uint8Array {
  const ext = encodeU32Attribute(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
  // IFLA_TARGET_NETNSID is an s32; its two's complement bits are what a u32 encoding writes.
  const target = targetNsid === undefined ? new Uint8Array(0) : encodeU32Attribute(IFLA_TARGET_NETNSID, targetNsid >>> 0);
  const payload = new Uint8Array(IFINFOMSG_LEN + ext.length + target.length);
  new DataView(payload.buffer).setInt32(4, index, true); // ifinfomsg.ifi_index
  payload.set(ext, IFINFOMSG_LEN);
  payload.set(target, IFINFOMSG_LEN + ext.length);
  return encodeMessage({ type: RTM_GETLINK, flags: NLM_F_REQUEST, seq }, payload);
}

export function decodeLink(msg: NetlinkMessage): RtLink {
  if (msg.type !== RTM_NEWLINK && msg.type !== RTM_DELLINK) {
    throw new NetlinkDecodeError(`decodeLink: message type ${msg.type} is not RTM_NEWLINK or RTM_DELLINK`);
  }
  const p = msg.payload;
  if (p.length < IFINFOMSG_LEN) {
    throw new NetlinkDecodeError(`struct ifinfomsg needs ${IFINFOMSG_LEN} bytes, got ${p.length}`, NLMSG_HDRLEN);
  }
  // struct ifinfomsg { u8 ifi_family; u8 pad; u16 ifi_type; int ifi_index; u32 ifi_flags; u32 ifi_change; }
  const v = new DataView(p.buffer, p.byteOffset, IFINFOMSG_LEN);
  const a = new AttributeSet(p.subarray(IFINFOMSG_LEN), NLMSG_HDRLEN + IFINFOMSG_LEN);
  const info = a.nested(IFLA_LINKINFO);
  const vfs = a.get(IFLA_VFINFO_LIST);
  return compact<RtLink>({
    family: v.getUint8(0),
    type: v.getUint16(2, true),
    index: v.getInt32(4, true),
    flags: v.getUint32(8, true),
    change: v.getUint32(12, true),
    ifname: a.str(IFLA_IFNAME),
    address: a.mac(IFLA_ADDRESS),
    broadcast: a.mac(IFLA_BROADCAST),
    permAddress: a.mac(IFLA_PERM_ADDRESS),
    mtu: a.u32(IFLA_MTU, "IFLA_MTU"),
    operstate: a.u8(IFLA_OPERSTATE, "IFLA_OPERSTATE"),
    linkmode: a.u8(IFLA_LINKMODE, "IFLA_LINKMODE"),
    txqlen: a.u32(IFLA_TXQLEN, "IFLA_TXQLEN"),
    group: a.u32(IFLA_GROUP, "IFLA_GROUP"),
    ifalias: a.str(IFLA_IFALIAS),
    master: a.u32(IFLA_MASTER, "IFLA_MASTER"),
    link: a.u32(IFLA_LINK, "IFLA_LINK"),
    linkNetnsid: a.s32(IFLA_LINK_NETNSID, "IFLA_LINK_NETNSID"),
    carrier: a.u8(IFLA_CARRIER, "IFLA_CARRIER"),
    promiscuity: a.u32(IFLA_PROMISCUITY, "IFLA_PROMISCUITY"),
    numTxQueues: a.u32(IFLA_NUM_TX_QUEUES, "IFLA_NUM_TX_QUEUES"),
    numRxQueues: a.u32(IFLA_NUM_RX_QUEUES, "IFLA_NUM_RX_QUEUES"),
    parentDevName: a.str(IFLA_PARENT_DEV_NAME),
    parentDevBusName: a.str(IFLA_PARENT_DEV_BUS_NAME),
    numVf: a.u32(IFLA_NUM_VF, "IFLA_NUM_VF"),
    vfs: vfs ? decodeVfInfoList(vfs) : undefined,
    ...(info ? decodeLinkInfo(info) : {}),
  });
}
