// RTM_GETROUTE dump request and RTM_NEWROUTE / RTM_DELROUTE decoding (struct rtmsg + RTA_*).

import { AttributeSet, compact, inetAddress } from "./attribute-set.ts";
import { parseAttributes, u32 } from "./attributes.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { mac } from "./inet.ts";
import { type NetlinkMessage, encodeMessage } from "./message.ts";
import { NLMSG_HDRLEN, NLM_F_DUMP, NLM_F_REQUEST } from "./uapi/netlink.ts";
import {
  RTAX_CC_ALGO,
  RTA_DST,
  RTA_GATEWAY,
  RTA_IIF,
  RTA_METRICS,
  RTA_MULTIPATH,
  RTA_OIF,
  RTA_PREF,
  RTA_PREFSRC,
  RTA_PRIORITY,
  RTA_SRC,
  RTA_TABLE,
  RTA_VIA,
  RTM_DELROUTE,
  RTM_GETROUTE,
  RTM_NEWROUTE,
  RT_TABLE_UNSPEC,
} from "./uapi/rtnetlink.ts";

export interface RtVia {
  /** AF_* of the gateway, which may differ from the route's (IPv4 routes via IPv6 gateways). */
  family: number;
  /** IP text for AF_INET/AF_INET6, else the bytes as colon-separated hex. */
  address: string;
}

export interface RtNexthop {
  gateway?: string;
  via?: RtVia;
  oif: number;
  /** rtnh_hops + 1, as `ip route` shows it. */
  weight: number;
  /** RTNH_F_* */
  flags: number;
}

export interface RtRoute {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  /** RTA_TABLE when sent (tables above 255 exist only there), else rtm_table. */
  table: number;
  /** RTPROT_* */
  protocol: number;
  /** RT_SCOPE_* */
  scope: number;
  /** RTN_* */
  type: number;
  /** RTM_F_* */
  flags: number;
  /** Absent for a default route (dstLen 0). */
  dst?: string;
  src?: string;
  gateway?: string;
  prefsrc?: string;
  oif?: number;
  iif?: number;
  /** The metric `ip route` shows. */
  priority?: number;
  /** RTA_PREF: IPv6 router preference (ICMPV6_ROUTER_PREF_*). */
  pref?: number;
  /** RTA_METRICS by iproute2's names: "mtu", "advmss", "hoplimit", … (congctl, a string, is left out). */
  metrics?: Record<string, number>;
  multipath?: RtNexthop[];
  via?: RtVia;
}

const RTMSG_LEN = 12;

/**
 * Dump of every route of one family (AF_INET or AF_INET6) in every table (rtm_table =
 * RT_TABLE_UNSPEC), like `ip route show table all`. Typed `number` so that a loop over
 * [AF_INET, AF_INET6] type-checks; AF_UNSPEC would dump all families, MPLS included.
 */
export function buildGetRouteDump(seq: number, family: number): Uint8Array {
  const rtmsg = new Uint8Array(RTMSG_LEN);
  rtmsg[0] = family;
  rtmsg[4] = RT_TABLE_UNSPEC;
  return encodeMessage({ type: RTM_GETROUTE, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, rtmsg);
}

export function decodeRoute(msg: NetlinkMessage): RtRoute {
  if (msg.type !== RTM_NEWROUTE && msg.type !== RTM_DELROUTE) {
    throw new NetlinkDecodeError(`decodeRoute: message type ${msg.type} is not RTM_NEWROUTE or RTM_DELROUTE`);
  }
  const p = msg.payload;
  if (p.length < RTMSG_LEN) {
    throw new NetlinkDecodeError(`struct rtmsg needs ${RTMSG_LEN} bytes, got ${p.length}`, NLMSG_HDRLEN);
  }
  // struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 rtm_flags; }
  const family = p[0]!;
  const a = new AttributeSet(p.subarray(RTMSG_LEN), NLMSG_HDRLEN + RTMSG_LEN);
  return compact<RtRoute>({
    family,
    dstLen: p[1]!,
    srcLen: p[2]!,
    tos: p[3]!,
    table: a.u32(RTA_TABLE, "RTA_TABLE") ?? p[4]!,
    protocol: p[5]!,
    scope: p[6]!,
    type: p[7]!,
    flags: new DataView(p.buffer, p.byteOffset + 8, 4).getUint32(0, true),
    dst: a.inet(RTA_DST, "RTA_DST", family),
    src: a.inet(RTA_SRC, "RTA_SRC", family),
    gateway: a.inet(RTA_GATEWAY, "RTA_GATEWAY", family),
    prefsrc: a.inet(RTA_PREFSRC, "RTA_PREFSRC", family),
    oif: a.u32(RTA_OIF, "RTA_OIF"),
    iif: a.u32(RTA_IIF, "RTA_IIF"),
    priority: a.u32(RTA_PRIORITY, "RTA_PRIORITY"),
    pref: a.u8(RTA_PREF, "RTA_PREF"),
    metrics: metrics(a),
    multipath: multipath(a, family),
    via: via(a),
  });
}

// iproute2's mx_names[] (ip/iproute.c), indexed by RTAX_*.
const METRIC_NAMES = [
  "unspec", "lock", "mtu", "window", "rtt", "rttvar", "ssthresh", "cwnd", "advmss", "reordering", "hoplimit",
  "initcwnd", "features", "rto_min", "initrwnd", "quickack", "congctl", "fastopen_no_cookie",
];

function metrics(a: AttributeSet): Record<string, number> | undefined {
  const attr = a.get(RTA_METRICS);
  if (!attr) return undefined;
  const out: Record<string, number> = {};
  for (const m of parseAttributes(attr.data, attr.offset + 4)) {
    if (m.type === RTAX_CC_ALGO) continue; // a congestion-control name, not a number
    const name = METRIC_NAMES[m.type] ?? String(m.type);
    out[name] = u32(m.data, `RTA_METRICS ${name}`, m.offset);
  }
  return out;
}

// RTA_VIA: struct rtvia { __kernel_sa_family_t rtvia_family; __u8 rtvia_addr[]; }
function via(a: AttributeSet): RtVia | undefined {
  const attr = a.get(RTA_VIA);
  return attr && decodeVia(attr.data, attr.offset);
}

function decodeVia(d: Uint8Array, offset: number): RtVia {
  if (d.length < 2) throw new NetlinkDecodeError(`RTA_VIA: struct rtvia needs 2 bytes, got ${d.length}`, offset);
  const family = d[0]! | (d[1]! << 8);
  const bytes = d.subarray(2);
  return { family, address: inetAddress(family, bytes, "RTA_VIA", offset) ?? mac(bytes) };
}

// RTA_MULTIPATH: struct rtnexthop { u16 rtnh_len; u8 rtnh_flags; u8 rtnh_hops; int rtnh_ifindex; }
// each followed by its own attributes (RTA_GATEWAY, RTA_VIA, …) up to rtnh_len, RTNH_ALIGNed.
function multipath(a: AttributeSet, family: number): RtNexthop[] | undefined {
  const attr = a.get(RTA_MULTIPATH);
  if (!attr) return undefined;
  const d = attr.data;
  const base = attr.offset + 4;
  const hops: RtNexthop[] = [];
  let off = 0;
  while (off < d.length) {
    if (d.length - off < 8) {
      throw new NetlinkDecodeError(`RTA_MULTIPATH: ${d.length - off} bytes are too short for struct rtnexthop`, base + off);
    }
    const v = new DataView(d.buffer, d.byteOffset + off, 8);
    const len = v.getUint16(0, true);
    // rtnh_len below the struct would never advance
    if (len < 8) throw new NetlinkDecodeError(`RTA_MULTIPATH: rtnh_len ${len} is shorter than struct rtnexthop`, base + off);
    if (len > d.length - off) {
      throw new NetlinkDecodeError(`RTA_MULTIPATH: rtnh_len ${len} exceeds the ${d.length - off} bytes left`, base + off);
    }
    const nh = new AttributeSet(d.subarray(off + 8, off + len), base + off + 8);
    const viaAttr = nh.get(RTA_VIA);
    hops.push(
      compact<RtNexthop>({
        gateway: nh.inet(RTA_GATEWAY, "RTA_MULTIPATH RTA_GATEWAY", family),
        via: viaAttr && decodeVia(viaAttr.data, viaAttr.offset),
        oif: v.getInt32(4, true),
        weight: v.getUint8(3) + 1,
        flags: v.getUint8(2),
      }),
    );
    off += (len + 3) & ~3;
  }
  return hops;
}
