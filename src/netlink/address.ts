// RTM_GETADDR dump request and RTM_NEWADDR / RTM_DELADDR decoding (struct ifaddrmsg + IFA_*).

import { AttributeSet, compact } from "./attribute-set.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { type NetlinkMessage, encodeMessage } from "./message.ts";
import {
  IFA_ADDRESS,
  IFA_ANYCAST,
  IFA_BROADCAST,
  IFA_CACHEINFO,
  IFA_FLAGS,
  IFA_LABEL,
  IFA_LOCAL,
  IFA_PROTO,
} from "./uapi/if_addr.ts";
import { NLMSG_HDRLEN, NLM_F_DUMP, NLM_F_REQUEST } from "./uapi/netlink.ts";
import { RTM_DELADDR, RTM_GETADDR, RTM_NEWADDR } from "./uapi/rtnetlink.ts";
import { AF_UNSPEC } from "./uapi/socket.ts";

export { addressFlagNames } from "./names.ts";

export interface RtAddr {
  family: number;
  prefixlen: number;
  /** IFA_F_*: the u32 IFA_FLAGS when sent, else the u8 ifa_flags (which cannot hold bits above 0x80). */
  flags: number;
  /** RT_SCOPE_* */
  scope: number;
  index: number;
  /**
   * IFA_ADDRESS: the prefix address, which is the peer on point-to-point links and equal to
   * `local` elsewhere. IPv6 sends only this one. Addresses are text for AF_INET/AF_INET6 and
   * left out for other families (MCTP, …).
   */
  address?: string;
  /** IFA_LOCAL: the interface's own address (IPv4). */
  local?: string;
  broadcast?: string;
  anycast?: string;
  label?: string;
  /** struct ifa_cacheinfo: lifetimes in seconds, 0xffffffff = forever; stamps in hundredths of a second since boot. */
  cacheinfo?: { preferred: number; valid: number; cstamp: number; tstamp: number };
  /** IFA_PROTO (IFAPROT_*): who added the address. */
  protocol?: number;
}

const IFADDRMSG_LEN = 8;

/** One dump of every address of every link in the namespace (never ask per link: it is O(links²)). */
export function buildGetAddrDump(seq: number, family: number = AF_UNSPEC): Uint8Array {
  const ifaddrmsg = new Uint8Array(IFADDRMSG_LEN);
  ifaddrmsg[0] = family;
  return encodeMessage({ type: RTM_GETADDR, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, ifaddrmsg);
}

export function decodeAddress(msg: NetlinkMessage): RtAddr {
  if (msg.type !== RTM_NEWADDR && msg.type !== RTM_DELADDR) {
    throw new NetlinkDecodeError(`decodeAddress: message type ${msg.type} is not RTM_NEWADDR or RTM_DELADDR`);
  }
  const p = msg.payload;
  if (p.length < IFADDRMSG_LEN) {
    throw new NetlinkDecodeError(`struct ifaddrmsg needs ${IFADDRMSG_LEN} bytes, got ${p.length}`, NLMSG_HDRLEN);
  }
  // struct ifaddrmsg { u8 ifa_family; u8 ifa_prefixlen; u8 ifa_flags; u8 ifa_scope; u32 ifa_index; }
  const v = new DataView(p.buffer, p.byteOffset, IFADDRMSG_LEN);
  const family = v.getUint8(0);
  const a = new AttributeSet(p.subarray(IFADDRMSG_LEN), NLMSG_HDRLEN + IFADDRMSG_LEN);
  return compact<RtAddr>({
    family,
    prefixlen: v.getUint8(1),
    flags: a.u32(IFA_FLAGS, "IFA_FLAGS") ?? v.getUint8(2),
    scope: v.getUint8(3),
    index: v.getUint32(4, true),
    address: a.inet(IFA_ADDRESS, "IFA_ADDRESS", family),
    local: a.inet(IFA_LOCAL, "IFA_LOCAL", family),
    broadcast: a.inet(IFA_BROADCAST, "IFA_BROADCAST", family),
    anycast: a.inet(IFA_ANYCAST, "IFA_ANYCAST", family),
    label: a.str(IFA_LABEL),
    cacheinfo: cacheinfo(a),
    protocol: a.u8(IFA_PROTO, "IFA_PROTO"),
  });
}

// struct ifa_cacheinfo { u32 ifa_prefered; u32 ifa_valid; u32 cstamp; u32 tstamp; }
function cacheinfo(a: AttributeSet): RtAddr["cacheinfo"] {
  const attr = a.get(IFA_CACHEINFO);
  if (!attr) return undefined;
  const d = attr.data;
  if (d.length < 16) {
    throw new NetlinkDecodeError(`IFA_CACHEINFO: struct ifa_cacheinfo needs 16 bytes, got ${d.length}`, attr.offset);
  }
  const v = new DataView(d.buffer, d.byteOffset, 16);
  return {
    preferred: v.getUint32(0, true),
    valid: v.getUint32(4, true),
    cstamp: v.getUint32(8, true),
    tstamp: v.getUint32(12, true),
  };
}
