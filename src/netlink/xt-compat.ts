// The x_tables blobs inside nft `match` and `target` expressions. iptables-nft translates what it
// can into native expressions and hands the rest to the kernel as the old xt extension: a name,
// a revision and the extension's C struct as raw bytes (NFTA_MATCH_INFO / NFTA_TARGET_INFO).
// Those structs are in host byte order except where the kernel says __be (addresses, NAT ports).
// Extensions we do not know are kept as hex so nothing is silently dropped.

import { NetlinkDecodeError } from "./errors.ts";
import { ipAddress } from "./inet.ts";
import {
  NF_NAT_RANGE_MAP_IPS,
  NF_NAT_RANGE_PROTO_SPECIFIED,
} from "./uapi/nf_nat.ts";
import { NFPROTO_IPV6 } from "./uapi/netfilter.ts";
import {
  XT_ADDRTYPE_INVERT_DEST,
  XT_ADDRTYPE_INVERT_SOURCE,
  XT_ADDRTYPE_LIMIT_IFACE_IN,
  XT_ADDRTYPE_LIMIT_IFACE_OUT,
  XT_TCP_INV_DSTPT,
  XT_TCP_INV_SRCPT,
  XT_UDP_INV_DSTPT,
  XT_UDP_INV_SRCPT,
} from "./uapi/x_tables.ts";

export interface PortRange {
  first: number;
  last: number;
}

export type XtMatch =
  /** struct xt_tcp / struct xt_udp: port ranges; the default 0-65535 means "any". */
  | {
      name: "tcp" | "udp";
      revision: number;
      sourcePorts: PortRange;
      destinationPorts: PortRange;
      invertSourcePorts: boolean;
      invertDestinationPorts: boolean;
    }
  /** struct xt_addrtype_info (rev 0) / xt_addrtype_info_v1 (rev 1): RTN_* type names. */
  | {
      name: "addrtype";
      revision: number;
      sourceTypes: string[];
      destinationTypes: string[];
      invertSource: boolean;
      invertDestination: boolean;
      limitIfaceIn: boolean;
      limitIfaceOut: boolean;
    }
  /** struct xt_comment_info */
  | { name: "comment"; revision: number; comment: string }
  | { name: string; revision: number; infoHex: string };

/** One struct nf_nat_range2 / nf_nat_ipv4_range, with the flags already applied. */
export interface NatRange {
  flags: number;
  /** Present when NF_NAT_RANGE_MAP_IPS is set. */
  addressMin?: string;
  addressMax?: string;
  /** Present when NF_NAT_RANGE_PROTO_SPECIFIED is set (ports, host order after decoding). */
  portMin?: number;
  portMax?: number;
}

export type XtTarget =
  | { name: "DNAT" | "SNAT"; revision: number; ranges: NatRange[] }
  | { name: string; revision: number; infoHex: string };

// Names of the RTN_* address types by bit number (bit n is 1 << RTN_n), as iptables prints them.
const ADDRTYPE_NAMES = [
  "UNSPEC",
  "UNICAST",
  "LOCAL",
  "BROADCAST",
  "ANYCAST",
  "MULTICAST",
  "BLACKHOLE",
  "UNREACHABLE",
  "PROHIBIT",
  "THROW",
  "NAT",
  "XRESOLVE",
];

function view(info: Uint8Array, size: number, what: string, offset: number): DataView {
  if (info.length < size) throw new NetlinkDecodeError(`${what}: expected at least ${size} bytes, got ${info.length}`, offset);
  return new DataView(info.buffer, info.byteOffset, info.byteLength);
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function typeNames(mask: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 16; bit++) if (mask & (1 << bit)) out.push(ADDRTYPE_NAMES[bit] ?? `type${bit}`);
  return out;
}

/** NFTA_MATCH_INFO → the match. `offset` is where `info` starts in the message, for errors. */
export function decodeXtMatch(name: string, revision: number, info: Uint8Array, offset: number): XtMatch {
  switch (name) {
    case "tcp":
    case "udp": {
      // xt_tcp: spts[2], dpts[2], option, flg_mask, flg_cmp, invflags; xt_udp: spts[2], dpts[2], invflags
      const v = view(info, name === "tcp" ? 12 : 9, `xt ${name}`, offset);
      const inv = v.getUint8(name === "tcp" ? 11 : 8);
      const invSrc = name === "tcp" ? XT_TCP_INV_SRCPT : XT_UDP_INV_SRCPT;
      const invDst = name === "tcp" ? XT_TCP_INV_DSTPT : XT_UDP_INV_DSTPT;
      return {
        name,
        revision,
        sourcePorts: { first: v.getUint16(0, true), last: v.getUint16(2, true) },
        destinationPorts: { first: v.getUint16(4, true), last: v.getUint16(6, true) },
        invertSourcePorts: (inv & invSrc) !== 0,
        invertDestinationPorts: (inv & invDst) !== 0,
      };
    }
    case "addrtype": {
      if (revision === 0) {
        const v = view(info, 12, "xt addrtype rev 0", offset);
        return {
          name,
          revision,
          sourceTypes: typeNames(v.getUint16(0, true)),
          destinationTypes: typeNames(v.getUint16(2, true)),
          invertSource: v.getUint32(4, true) !== 0,
          invertDestination: v.getUint32(8, true) !== 0,
          limitIfaceIn: false,
          limitIfaceOut: false,
        };
      }
      const v = view(info, 8, `xt addrtype rev ${revision}`, offset);
      const flags = v.getUint32(4, true);
      return {
        name,
        revision,
        sourceTypes: typeNames(v.getUint16(0, true)),
        destinationTypes: typeNames(v.getUint16(2, true)),
        invertSource: (flags & XT_ADDRTYPE_INVERT_SOURCE) !== 0,
        invertDestination: (flags & XT_ADDRTYPE_INVERT_DEST) !== 0,
        limitIfaceIn: (flags & XT_ADDRTYPE_LIMIT_IFACE_IN) !== 0,
        limitIfaceOut: (flags & XT_ADDRTYPE_LIMIT_IFACE_OUT) !== 0,
      };
    }
    case "comment": {
      const nul = info.indexOf(0);
      return { name, revision, comment: new TextDecoder().decode(nul === -1 ? info : info.subarray(0, nul)) };
    }
    default:
      return { name, revision, infoHex: hex(info) };
  }
}

/**
 * NFTA_TARGET_INFO → the target. DNAT/SNAT revision 0 is struct nf_nat_ipv4_multi_range_compat
 * (IPv4 only, a count and that many ranges); revision 1 is struct nf_nat_range and revision 2
 * struct nf_nat_range2 (both start alike: flags, two union nf_inet_addr, two ports). `family`
 * is the rule's nfgen_family, which says how to read an nf_inet_addr.
 */
export function decodeXtTarget(name: string, revision: number, info: Uint8Array, family: number, offset: number): XtTarget {
  if (name !== "DNAT" && name !== "SNAT") return { name, revision, infoHex: hex(info) };
  if (revision === 0) {
    const v = view(info, 4, `xt ${name} rev 0`, offset);
    const count = v.getUint32(0, true);
    // struct nf_nat_ipv4_range: flags u32, min_ip, max_ip (__be32), min, max (__be16 each): 16 bytes
    if (count > 16 || info.length < 4 + count * 16) {
      throw new NetlinkDecodeError(`xt ${name} rev 0: ${count} ranges do not fit ${info.length} bytes`, offset);
    }
    const ranges: NatRange[] = [];
    for (let i = 0; i < count; i++) {
      const at = 4 + i * 16;
      ranges.push(
        natRange(
          v.getUint32(at, true),
          info.subarray(at + 4, at + 8),
          info.subarray(at + 8, at + 12),
          v.getUint16(at + 12, false),
          v.getUint16(at + 14, false),
          offset + at,
        ),
      );
    }
    return { name, revision, ranges };
  }
  // struct nf_nat_range(2): flags u32, min_addr[16], max_addr[16], min_proto __be16, max_proto __be16 (, base_proto)
  const v = view(info, 40, `xt ${name} rev ${revision}`, offset);
  const len = family === NFPROTO_IPV6 ? 16 : 4;
  return {
    name,
    revision,
    ranges: [natRange(v.getUint32(0, true), info.subarray(4, 4 + len), info.subarray(20, 20 + len), v.getUint16(36, false), v.getUint16(38, false), offset)],
  };
}

function natRange(flags: number, min: Uint8Array, max: Uint8Array, portMin: number, portMax: number, offset: number): NatRange {
  const r: NatRange = { flags };
  if (flags & NF_NAT_RANGE_MAP_IPS) {
    r.addressMin = ipAddress(min, "NAT range address", offset);
    r.addressMax = ipAddress(max, "NAT range address", offset);
  }
  if (flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
    r.portMin = portMin;
    r.portMax = portMax;
  }
  return r;
}
