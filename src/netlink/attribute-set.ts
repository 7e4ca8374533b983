// The decoders' view of one attribute area: typed getters by attribute type that return
// undefined when the attribute is absent and name the attribute and its offset when it is
// malformed. Internal to src/netlink; the public readers are in attributes.ts.

import { type Attribute, be64, checkedAttributeLength, rawAttributeType, str, u64 } from "./attributes.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { ipAddress, mac } from "./inet.ts";
import { AF_INET, AF_INET6 } from "./uapi/socket.ts";
import { RTNL_FAMILY_IP6MR, RTNL_FAMILY_IPMR } from "./uapi/rtnetlink.ts";
import { NLA_F_NESTED, NLA_TYPE_MASK } from "./uapi/netlink.ts";

// Why offsets rather than Attribute objects: a link message carries ~40 attributes of which a
// decoder reads a dozen, and a discovery decodes ~15 000 messages. Walking the area once (with
// every bounds check parseAttributes makes) but keeping only where each type starts, and making
// the view and DataView-free reads on demand, halves decoding time. Types up to SMALL_TYPES are
// kept in a plain array, the rest (nf_tables, generic netlink) in a Map.
const SMALL_TYPES = 256;

export class AttributeSet {
  private readonly bytes: Uint8Array;
  private readonly base: number;
  /** type → index of its header in `bytes` (last one wins, like nla_parse); small types only. */
  private readonly at: number[] = [];
  private big: Map<number, number> | undefined;

  /** `base`: where `bytes` starts in the netlink message, so that errors carry message offsets. */
  constructor(bytes: Uint8Array, base: number) {
    this.bytes = bytes;
    this.base = base;
    for (let off = 0, len = 0; off < bytes.length; off += (len + 3) & ~3) {
      len = checkedAttributeLength(bytes, off, base);
      const type = rawAttributeType(bytes, off) & NLA_TYPE_MASK;
      if (type < SMALL_TYPES) this.at[type] = off;
      else (this.big ??= new Map()).set(type, off);
    }
  }

  /** Header index of `type` in `bytes`, or -1 when absent. */
  private find(type: number): number {
    const o = type < SMALL_TYPES ? this.at[type] : this.big?.get(type);
    return o === undefined ? -1 : o;
  }

  /** Payload length of the attribute whose header is at `o`. */
  private payloadLength(o: number): number {
    return (this.bytes[o]! | (this.bytes[o + 1]! << 8)) - 4;
  }

  /** Index of the payload of `type` after checking it holds `n` bytes; -1 when absent. */
  private fixed(type: number, n: number, name: string): number {
    const o = this.find(type);
    if (o < 0) return -1;
    const len = this.payloadLength(o);
    if (len < n) throw new NetlinkDecodeError(`${name}: expected at least ${n} bytes, got ${len}`, this.base + o);
    return o + 4;
  }

  get(type: number): Attribute | undefined {
    const o = this.find(type);
    if (o < 0) return undefined;
    const b = this.bytes;
    return {
      type,
      nested: (rawAttributeType(b, o) & NLA_F_NESTED) !== 0,
      data: b.subarray(o + 4, o + 4 + this.payloadLength(o)),
      offset: this.base + o,
    };
  }

  u8(type: number, name: string): number | undefined {
    const d = this.fixed(type, 1, name);
    return d < 0 ? undefined : this.bytes[d]!;
  }

  u16(type: number, name: string): number | undefined {
    const d = this.fixed(type, 2, name);
    const b = this.bytes;
    return d < 0 ? undefined : b[d]! | (b[d + 1]! << 8);
  }

  u32(type: number, name: string): number | undefined {
    const d = this.fixed(type, 4, name);
    const b = this.bytes;
    return d < 0 ? undefined : (b[d]! | (b[d + 1]! << 8) | (b[d + 2]! << 16) | (b[d + 3]! << 24)) >>> 0;
  }

  s32(type: number, name: string): number | undefined {
    const d = this.fixed(type, 4, name);
    const b = this.bytes;
    return d < 0 ? undefined : b[d]! | (b[d + 1]! << 8) | (b[d + 2]! << 16) | (b[d + 3]! << 24);
  }

  u64(type: number, name: string): bigint | undefined {
    const a = this.get(type);
    return a && u64(a.data, name, a.offset);
  }

  be16(type: number, name: string): number | undefined {
    const d = this.fixed(type, 2, name);
    const b = this.bytes;
    return d < 0 ? undefined : (b[d]! << 8) | b[d + 1]!;
  }

  be32(type: number, name: string): number | undefined {
    const d = this.fixed(type, 4, name);
    const b = this.bytes;
    return d < 0 ? undefined : ((b[d]! << 24) | (b[d + 1]! << 16) | (b[d + 2]! << 8) | b[d + 3]!) >>> 0;
  }

  be64(type: number, name: string): bigint | undefined {
    const a = this.get(type);
    return a && be64(a.data, name, a.offset);
  }

  /** A u8 attribute used as a boolean (the kernel sends 0 or 1). */
  bool(type: number, name: string): boolean | undefined {
    const v = this.u8(type, name);
    return v === undefined ? undefined : v !== 0;
  }

  str(type: number): string | undefined {
    const a = this.get(type);
    return a && str(a.data);
  }

  mac(type: number): string | undefined {
    const a = this.get(type);
    return a && mac(a.data);
  }

  /** An address whose length must be 4 or 16 (e.g. IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6). */
  ip(type: number, name: string): string | undefined {
    const a = this.get(type);
    return a && ipAddress(a.data, name, a.offset);
  }

  /** An address of the message's family; undefined for families that are not IP (see inetAddress). */
  inet(type: number, name: string, family: number): string | undefined {
    const a = this.get(type);
    return a && inetAddress(family, a.data, name, a.offset);
  }

  nested(type: number): AttributeSet | undefined {
    const o = this.find(type);
    return o < 0 ? undefined : new AttributeSet(this.bytes.subarray(o + 4, o + 4 + this.payloadLength(o)), this.base + o + 4);
  }
}

/** Address length of an rtnetlink family, or 0 when the family does not carry IP addresses. */
export function inetLength(family: number): number {
  if (family === AF_INET || family === RTNL_FAMILY_IPMR) return 4;
  if (family === AF_INET6 || family === RTNL_FAMILY_IP6MR) return 16;
  return 0;
}

/**
 * Bytes of an address in `family` → text. Families that are not IP (MPLS labels, MCTP, …)
 * give undefined rather than an error, so one odd message does not sink an AF_UNSPEC dump;
 * an IP address of the wrong length is an error.
 */
export function inetAddress(family: number, data: Uint8Array, what: string, offset?: number): string | undefined {
  const len = inetLength(family);
  if (len === 0) return undefined;
  if (data.length !== len) {
    throw new NetlinkDecodeError(`${what}: family ${family} address must be ${len} bytes, got ${data.length}`, offset);
  }
  return ipAddress(data, what, offset);
}

/** A copy of `o` without the keys whose value is undefined, so decoded objects hold only what was sent. */
export function compact<T extends object>(o: T): T {
  const out = {} as T;
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
