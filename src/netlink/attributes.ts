// Netlink attributes (struct nlattr / struct rtattr, the same layout): walking a TLV area,
// reading typed values with bounds checks, and building attributes for requests.

import { NetlinkDecodeError } from "./errors.ts";
import { NLA_F_NESTED, NLA_TYPE_MASK } from "./uapi/netlink.ts";

export { ipAddress, mac, parseIpAddress } from "./inet.ts";

export interface Attribute {
  /** nla_type with NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off. */
  type: number;
  /** NLA_F_NESTED was set. Old rtnetlink code nests without setting it, so decoders do not rely on it. */
  nested: boolean;
  /** The payload, without header or padding (a view into the input, not a copy). */
  data: Uint8Array;
  /** Where the attribute header starts: its index in the input plus the `base` given to parseAttributes. */
  offset: number;
}

/**
 * Splits a TLV area into attributes. `base` is added to every offset (attribute.offset and
 * error offsets), so a decoder that passes the area's position in the netlink message gets
 * offsets into the message. The last attribute may lack its padding (as RTA_OK allows); any
 * other shortfall, and an nla_len below the 4-byte header — which would never advance — throws.
 */
export function parseAttributes(bytes: Uint8Array, base = 0): Attribute[] {
  const out: Attribute[] = [];
  for (let off = 0, len = 0; off < bytes.length; off += (len + 3) & ~3) {
    len = checkedAttributeLength(bytes, off, base);
    const raw = rawAttributeType(bytes, off);
    out.push({
      type: raw & NLA_TYPE_MASK,
      nested: (raw & NLA_F_NESTED) !== 0,
      data: bytes.subarray(off + 4, off + len),
      offset: base + off,
    });
  }
  return out;
}

/**
 * nla_len of the attribute whose header starts at `off`, after the checks parseAttributes
 * documents (errors at `base + off`). The next attribute starts at off + ((len + 3) & ~3).
 * Shared by every walk of an attribute area, so all of them refuse the same bytes.
 */
export function checkedAttributeLength(bytes: Uint8Array, off: number, base: number): number {
  const end = bytes.length;
  if (end - off < 4) {
    throw new NetlinkDecodeError(`${end - off} trailing bytes are too short for an attribute header`, base + off);
  }
  const len = bytes[off]! | (bytes[off + 1]! << 8);
  if (len < 4) throw new NetlinkDecodeError(`attribute length ${len} is shorter than its 4-byte header`, base + off);
  if (len > end - off) {
    throw new NetlinkDecodeError(
      `attribute type ${rawAttributeType(bytes, off) & NLA_TYPE_MASK} claims ${len} bytes but only ${end - off} remain`,
      base + off,
    );
  }
  return len;
}

/** nla_type of the header at `off`, flags included (NLA_F_NESTED, NLA_F_NET_BYTEORDER). */
export function rawAttributeType(bytes: Uint8Array, off: number): number {
  return bytes[off + 2]! | (bytes[off + 3]! << 8);
}

/** type → payload; when a type repeats, the last one wins (as the kernel's nla_parse does). */
export function attributeMap(bytes: Uint8Array, base = 0): Map<number, Uint8Array> {
  const map = new Map<number, Uint8Array>();
  for (const a of parseAttributes(bytes, base)) map.set(a.type, a.data);
  return map;
}

// --- readers: each checks the length first, so a short attribute is a NetlinkDecodeError ---
// Longer payloads are accepted and read from the front, as the kernel's nla_get_*() do.

function need(data: Uint8Array, n: number, what: string | undefined, offset: number | undefined): DataView {
  if (data.length < n) {
    throw new NetlinkDecodeError(`${what ?? "attribute"}: expected at least ${n} bytes, got ${data.length}`, offset);
  }
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

export function u8(data: Uint8Array, what?: string, offset?: number): number {
  return need(data, 1, what, offset).getUint8(0);
}

/** Host (little-endian) u16. */
export function u16(data: Uint8Array, what?: string, offset?: number): number {
  return need(data, 2, what, offset).getUint16(0, true);
}

/** Host (little-endian) u32. */
export function u32(data: Uint8Array, what?: string, offset?: number): number {
  return need(data, 4, what, offset).getUint32(0, true);
}

/** Host (little-endian) s32. */
export function s32(data: Uint8Array, what?: string, offset?: number): number {
  return need(data, 4, what, offset).getInt32(0, true);
}

/** Host (little-endian) u64, as a bigint: counters and cookies exceed 2^53. */
export function u64(data: Uint8Array, what?: string, offset?: number): bigint {
  return need(data, 8, what, offset).getBigUint64(0, true);
}

/** Network-order (__be64) value, as a bigint (nf_tables handles and counters). */
export function be64(data: Uint8Array, what?: string, offset?: number): bigint {
  return need(data, 8, what, offset).getBigUint64(0, false);
}

/** Network-order (__be16) value → number, e.g. IFLA_VXLAN_PORT. */
export function be16(data: Uint8Array, what?: string, offset?: number): number {
  return need(data, 2, what, offset).getUint16(0, false);
}

/** Network-order (__be32) value → number. */
export function be32(data: Uint8Array, what?: string, offset?: number): number {
  return need(data, 4, what, offset).getUint32(0, false);
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

/**
 * NUL-terminated string → text up to the first NUL (or the whole payload if there is none).
 * Interface names are bytes to the kernel; invalid UTF-8 becomes U+FFFD rather than an error.
 */
export function str(data: Uint8Array): string {
  const nul = data.indexOf(0);
  return utf8.decode(nul === -1 ? data : data.subarray(0, nul));
}

// --- encoders, for requests ---

/** One attribute: 4-byte header, payload, zero padding to 4. */
export function encodeAttribute(type: number, data: Uint8Array): Uint8Array {
  const len = 4 + data.length;
  if (len > 0xffff) throw new RangeError(`attribute type ${type}: ${data.length} bytes do not fit nla_len`);
  const out = new Uint8Array((len + 3) & ~3);
  const view = new DataView(out.buffer);
  view.setUint16(0, len, true);
  view.setUint16(2, type, true);
  out.set(data, 4);
  return out;
}

export function encodeU32Attribute(type: number, value: number): Uint8Array {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, value >>> 0, true);
  return encodeAttribute(type, data);
}

/** A nested attribute; sets NLA_F_NESTED, which strict kernel validation wants and old code ignores. */
export function encodeNested(type: number, children: Uint8Array[]): Uint8Array {
  return encodeAttribute(type | NLA_F_NESTED, concat(...children));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
