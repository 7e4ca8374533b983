// A small pcapng writer (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): the
// section header, interface descriptions, enhanced packet blocks and interface statistics —
// all wiresight's capture emits. Pure: bytes in, bytes out, no I/O. Blocks are written in
// little-endian order (the byte-order magic tells readers so).

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const ISB = 0x00000005;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const EPB_FLAGS = 2;
const ISB_STARTTIME = 2;
const ISB_ENDTIME = 3;
const ISB_IFRECV = 4;
const ISB_OSDROP = 7;
const ISB_USRDELIV = 8;

/** LINKTYPE_* values used for Linux interfaces. */
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;

/** epb_flags: direction in bits 0-1, reception type in bits 2-4. */
export const EPB_INBOUND = 0b01;
export const EPB_OUTBOUND = 0b10;
export const EPB_UNICAST = 1 << 2;
export const EPB_MULTICAST = 2 << 2;
export const EPB_BROADCAST = 3 << 2;
export const EPB_PROMISCUOUS = 4 << 2;

const encoder = new TextEncoder();

type Option = { code: number; value: Uint8Array };

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function text(code: number, s: string): Option {
  return { code, value: encoder.encode(s) };
}

function u64(code: number, v: bigint): Option {
  const value = new Uint8Array(8);
  new DataView(value.buffer).setBigUint64(0, v, true);
  return { code, value };
}

/** Timestamp option in if_tsresol=9 units: high 32 bits then low 32 bits. */
function timestamp(code: number, ns: bigint): Option {
  const value = new Uint8Array(8);
  const v = new DataView(value.buffer);
  v.setUint32(0, Number(ns >> 32n), true);
  v.setUint32(4, Number(ns & 0xffffffffn), true);
  return { code, value };
}

function optionsLength(options: Option[]): number {
  if (options.length === 0) return 0;
  return options.reduce((n, o) => n + 4 + pad4(o.value.byteLength), 0) + 4; // + opt_endofopt
}

/** A block: type, total length, body (already padded), options, total length again. */
function block(type: number, body: Uint8Array, options: Option[]): Uint8Array {
  const total = 12 + body.byteLength + optionsLength(options);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, total, true);
  out.set(body, 8);
  let off = 8 + body.byteLength;
  for (const o of options) {
    if (o.value.byteLength > 0xffff) throw new RangeError(`pcapng option ${o.code} is longer than 65535 bytes`);
    v.setUint16(off, o.code, true);
    v.setUint16(off + 2, o.value.byteLength, true);
    out.set(o.value, off + 4);
    off += 4 + pad4(o.value.byteLength);
  }
  if (options.length > 0) {
    v.setUint16(off, OPT_ENDOFOPT, true);
    off += 4;
  }
  v.setUint32(off, total, true);
  return out;
}

export interface SectionHeader {
  /** Free-text comments (wiresight puts the target and the host here). */
  comments?: string[];
  hardware?: string;
  os?: string;
  userAppl?: string;
}

/** Section Header Block, version 1.0, section length unknown (-1): the start of every stream. */
export function sectionHeaderBlock(h: SectionHeader): Uint8Array {
  const body = new Uint8Array(16);
  const v = new DataView(body.buffer);
  v.setUint32(0, BYTE_ORDER_MAGIC, true);
  v.setUint16(4, 1, true);
  v.setUint16(6, 0, true);
  v.setBigInt64(8, -1n, true);
  const options: Option[] = [];
  for (const c of h.comments ?? []) options.push(text(OPT_COMMENT, c));
  if (h.hardware) options.push(text(SHB_HARDWARE, h.hardware));
  if (h.os) options.push(text(SHB_OS, h.os));
  if (h.userAppl) options.push(text(SHB_USERAPPL, h.userAppl));
  return block(SHB, body, options);
}

export interface InterfaceDescription {
  name: string;
  linkType: number;
  snaplen: number;
  description?: string;
}

/** Interface Description Block with if_tsresol = 9 (nanoseconds). Interface ids count from 0 in write order. */
export function interfaceDescriptionBlock(d: InterfaceDescription): Uint8Array {
  const body = new Uint8Array(8);
  const v = new DataView(body.buffer);
  v.setUint16(0, d.linkType, true);
  v.setUint32(4, d.snaplen, true);
  const options: Option[] = [text(IF_NAME, d.name)];
  if (d.description) options.push(text(IF_DESCRIPTION, d.description));
  options.push({ code: IF_TSRESOL, value: Uint8Array.of(9) });
  return block(IDB, body, options);
}

/** Bytes of an Enhanced Packet Block's fixed part before the packet data. */
export const EPB_HEADER_BYTES = 28;
/** Bytes after the (padded) packet data: epb_flags, opt_endofopt, the trailing block length. */
const EPB_TRAILER_BYTES = 16;

/** Bytes an Enhanced Packet Block with `capturedLength` bytes of data takes (with its epb_flags option). */
export function enhancedPacketSize(capturedLength: number): number {
  return EPB_HEADER_BYTES + pad4(capturedLength) + EPB_TRAILER_BYTES;
}

/**
 * The fixed part of an Enhanced Packet Block at `offset`, for `capturedLength` bytes of data
 * that the caller puts at offset + EPB_HEADER_BYTES. The timestamp is in if_tsresol=9 units
 * (nanoseconds), given as its high and low 32 bits so that no BigInt is made per packet.
 */
export function writeEnhancedPacketHeader(
  view: DataView,
  offset: number,
  interfaceId: number,
  tsHigh: number,
  tsLow: number,
  capturedLength: number,
  originalLength: number,
): void {
  view.setUint32(offset, EPB, true);
  view.setUint32(offset + 4, enhancedPacketSize(capturedLength), true);
  view.setUint32(offset + 8, interfaceId, true);
  view.setUint32(offset + 12, tsHigh, true);
  view.setUint32(offset + 16, tsLow, true);
  view.setUint32(offset + 20, capturedLength, true);
  view.setUint32(offset + 24, originalLength, true);
}

/**
 * Zero the data's padding, then write the epb_flags option and the trailing length; returns the
 * offset after the block. `offset` is where the block starts (its header already written).
 */
export function writeEnhancedPacketTrailer(out: Uint8Array, view: DataView, offset: number, capturedLength: number, flags: number): number {
  let off = offset + EPB_HEADER_BYTES + capturedLength;
  const padded = offset + EPB_HEADER_BYTES + pad4(capturedLength);
  while (off < padded) out[off++] = 0;
  view.setUint16(off, EPB_FLAGS, true);
  view.setUint16(off + 2, 4, true);
  view.setUint32(off + 4, flags, true);
  view.setUint32(off + 8, 0, true); // opt_endofopt
  view.setUint32(off + 12, enhancedPacketSize(capturedLength), true);
  return off + 16;
}

/** An Enhanced Packet Block as its own array (the engine writes blocks in place, see ring-block.ts). */
export function enhancedPacketBlock(interfaceId: number, timestampNs: bigint, data: Uint8Array, originalLength: number, flags: number): Uint8Array {
  const out = new Uint8Array(enhancedPacketSize(data.byteLength));
  const view = new DataView(out.buffer);
  writeEnhancedPacketHeader(view, 0, interfaceId, Number(timestampNs >> 32n), Number(timestampNs & 0xffffffffn), data.byteLength, originalLength);
  out.set(data, EPB_HEADER_BYTES);
  writeEnhancedPacketTrailer(out, view, 0, data.byteLength, flags);
  return out;
}

export interface InterfaceStatistics {
  interfaceId: number;
  timestampNs: bigint;
  startNs: bigint;
  endNs: bigint;
  /** Packets the kernel handed to the socket (PACKET_STATISTICS tp_packets). */
  received: bigint;
  /** Packets lost because the socket's kernel queue was full (tp_drops). */
  osDropped: bigint;
  /** Packets wiresight dropped because the reader did not keep up. */
  dropped: bigint;
  /** Packets written to this stream. */
  delivered: bigint;
}

/** Interface Statistics Block: what was received, dropped (by the kernel, by us) and delivered. */
export function interfaceStatisticsBlock(s: InterfaceStatistics): Uint8Array {
  const body = new Uint8Array(12);
  const v = new DataView(body.buffer);
  v.setUint32(0, s.interfaceId, true);
  v.setUint32(4, Number(s.timestampNs >> 32n), true);
  v.setUint32(8, Number(s.timestampNs & 0xffffffffn), true);
  // isb_ifdrop means drops by the interface itself, which we cannot see; our own drops have no
  // field of their own, so they go in a comment (and are received - osdrop - usrdeliv).
  const options = [
    timestamp(ISB_STARTTIME, s.startNs),
    timestamp(ISB_ENDTIME, s.endNs),
    u64(ISB_IFRECV, s.received),
    u64(ISB_OSDROP, s.osDropped),
    u64(ISB_USRDELIV, s.delivered),
  ];
  if (s.dropped > 0n) options.push(text(OPT_COMMENT, `wiresight dropped ${s.dropped} packets: the reader did not keep up`));
  return block(ISB, body, options);
}
