// Test-only byte builders. Deliberately independent of src/netlink: fixtures built here check
// the codec against a second, naive implementation of the wire format, with kernel numbers
// written as literals (named in comments) rather than imported from the code under test.

/** Hex text → bytes. Whitespace and `//` comments (to end of line) are ignored. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\/\/[^\n]*/g, "").replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex fixture: ${clean}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export type Bytes = number[];
/** Either form: number arrays from the helpers below, or Uint8Array from hex(). */
export type Chunk = Bytes | Uint8Array;

const flat = (chunks: Chunk[]): Bytes => chunks.flatMap((c) => Array.from(c));

export const u8 = (n: number): Bytes => [n & 0xff];
export const le16 = (n: number): Bytes => [n & 0xff, (n >>> 8) & 0xff];
export const le32 = (n: number): Bytes => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
export const be16 = (n: number): Bytes => [(n >>> 8) & 0xff, n & 0xff];
export const be32 = (n: number): Bytes => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
export const cstr = (s: string): Bytes => [...new TextEncoder().encode(s), 0];
export const ip4 = (s: string): Bytes => s.split(".").map(Number);
/** 32 hex digits, optionally separated by ':' every 4, no '::' shortcut. */
export const ip6 = (s: string): Bytes => Array.from(hex(s.replace(/:/g, "")));
export const macb = (s: string): Bytes => s.split(":").map((x) => parseInt(x, 16));

function pad(b: Bytes): Bytes {
  const out = [...b];
  while (out.length % 4) out.push(0);
  return out;
}

/** struct nlattr + payload + padding. `type` may include 0x8000 (NLA_F_NESTED). */
export function attr(type: number, ...data: Chunk[]): Bytes {
  const body = flat(data);
  return pad([...le16(4 + body.length), ...le16(type), ...body]);
}

/** A nested attribute with NLA_F_NESTED set, as current kernels send IFLA_LINKINFO etc. */
export function nest(type: number, ...children: Chunk[]): Bytes {
  return attr(type | 0x8000, ...children);
}

/** struct nlmsghdr + body, nlmsg_len = 16 + body, padded to 4. */
export function msg(h: { type: number; flags?: number; seq?: number; pid?: number }, ...body: Chunk[]): Uint8Array {
  const b = flat(body);
  return Uint8Array.from(
    pad([...le32(16 + b.length), ...le16(h.type), ...le16(h.flags ?? 0), ...le32(h.seq ?? 0), ...le32(h.pid ?? 0), ...b]),
  );
}

/** struct ifinfomsg */
export const ifinfomsg = (o: { family?: number; type: number; index: number; flags: number; change?: number }): Bytes => [
  o.family ?? 0, 0, ...le16(o.type), ...le32(o.index), ...le32(o.flags), ...le32(o.change ?? 0),
];

/** struct ifaddrmsg */
export const ifaddrmsg = (o: { family: number; prefixlen: number; flags: number; scope: number; index: number }): Bytes => [
  o.family, o.prefixlen, o.flags, o.scope, ...le32(o.index),
];

/** struct rtmsg */
export const rtmsg = (o: {
  family: number; dstLen: number; srcLen?: number; tos?: number; table: number; protocol: number; scope: number;
  type: number; flags?: number;
}): Bytes => [
  o.family, o.dstLen, o.srcLen ?? 0, o.tos ?? 0, o.table, o.protocol, o.scope, o.type, ...le32(o.flags ?? 0),
];

/** Deterministic PRNG (mulberry32), so fuzz failures reproduce from the printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first message of a buffer, parsed naively (for feeding decoders fixtures built here). */
export function single(buf: Uint8Array): { type: number; flags: number; seq: number; pid: number; payload: Uint8Array } {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const len = v.getUint32(0, true);
  return { type: v.getUint16(4, true), flags: v.getUint16(6, true), seq: v.getUint32(8, true), pid: v.getUint32(12, true), payload: buf.subarray(16, len) };
}
