// struct nlmsghdr framing: splitting a received datagram into messages, building requests,
// and reading the kernel's answers that carry no object (NLMSG_ERROR acks, NLMSG_DONE).

import { AttributeSet } from "./attribute-set.ts";
import { NetlinkDecodeError } from "./errors.ts";
import {
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
} from "./uapi/netlink.ts";

export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** The bytes after the 16-byte header, up to nlmsg_len: a view into the received buffer. */
  payload: Uint8Array;
}

/** A request: header + payload, nlmsg_len = 16 + payload length, zero-padded to 4 bytes. */
export function encodeMessage(h: { type: number; flags: number; seq: number; pid?: number }, payload: Uint8Array): Uint8Array {
  const len = NLMSG_HDRLEN + payload.length;
  const out = new Uint8Array((len + 3) & ~3);
  const view = new DataView(out.buffer);
  view.setUint32(0, len, true);
  view.setUint16(4, h.type, true);
  view.setUint16(6, h.flags, true);
  view.setUint32(8, h.seq >>> 0, true);
  view.setUint32(12, (h.pid ?? 0) >>> 0, true);
  out.set(payload, NLMSG_HDRLEN);
  return out;
}

/**
 * Splits one received datagram into its messages (NLMSG_NEXT). Payloads are views, not copies:
 * decode them before the receive buffer is reused. Error offsets are offsets into `buf`.
 */
export function parseMessages(buf: Uint8Array): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  while (off < buf.length) {
    const left = buf.length - off;
    if (left < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError(`${left} trailing bytes are too short for a netlink message header`, off);
    }
    const len = view.getUint32(off, true);
    // A length below the header would never advance: the classic netlink parsing hang.
    if (len < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError(`nlmsg_len ${len} is shorter than the 16-byte header`, off);
    }
    if (len > left) throw new NetlinkDecodeError(`nlmsg_len ${len} exceeds the ${left} bytes left`, off);
    out.push({
      type: view.getUint16(off + 4, true),
      flags: view.getUint16(off + 6, true),
      seq: view.getUint32(off + 8, true),
      pid: view.getUint32(off + 12, true),
      payload: buf.subarray(off + NLMSG_HDRLEN, off + len),
    });
    // Messages start at NLMSG_ALIGN boundaries; the last one may end without its padding.
    off += (len + 3) & ~3;
  }
  return out;
}

export interface NetlinkAck {
  /** 0 for an ack, else a negative errno, exactly as the kernel sends it. */
  error: number;
  /** NLMSGERR_ATTR_MSG: the kernel's extended-ack text (needs NETLINK_EXT_ACK on the socket). */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: offset of the offending attribute in the original request. */
  offset?: number;
}

/**
 * NLMSG_ERROR → the ack or error it carries. struct nlmsgerr is the errno and the header of the
 * request; unless NLM_F_CAPPED, the whole request follows; with NLM_F_ACK_TLVS, extack TLVs
 * follow that (at NLMSG_ALIGN of what precedes them, as the kernel's nlmsg_put reserves).
 */
export function decodeError(msg: NetlinkMessage): NetlinkAck {
  if (msg.type !== NLMSG_ERROR) {
    throw new NetlinkDecodeError(`decodeError: message type ${msg.type} is not NLMSG_ERROR`);
  }
  const p = msg.payload;
  // int error + struct nlmsghdr
  if (p.length < 20) throw new NetlinkDecodeError(`struct nlmsgerr needs 20 bytes, got ${p.length}`, NLMSG_HDRLEN);
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const ack: NetlinkAck = { error: view.getInt32(0, true) };
  if (!(msg.flags & NLM_F_ACK_TLVS)) return ack;

  let tlvs = 20;
  if (!(msg.flags & NLM_F_CAPPED)) {
    const origLen = view.getUint32(4, true);
    if (origLen < NLMSG_HDRLEN || 4 + origLen > p.length) {
      throw new NetlinkDecodeError(
        `the echoed request claims nlmsg_len ${origLen}, but the error message holds ${p.length - 4} bytes of it`,
        NLMSG_HDRLEN + 4,
      );
    }
    tlvs = (4 + origLen + 3) & ~3;
  }
  readExtack(ack, p, tlvs);
  return ack;
}

/**
 * NLMSG_DONE → how the dump ended: the kernel puts an int there (0, or a negative errno when the
 * dump failed part-way, e.g. -EMSGSIZE), followed by extack TLVs when NLM_F_ACK_TLVS is set.
 */
export function decodeDone(msg: NetlinkMessage): NetlinkAck {
  if (msg.type !== NLMSG_DONE) throw new NetlinkDecodeError(`decodeDone: message type ${msg.type} is not NLMSG_DONE`);
  const p = msg.payload;
  // Very old kernels sent DONE without the int: treat that as success.
  if (p.length < 4) return { error: 0 };
  const ack: NetlinkAck = { error: new DataView(p.buffer, p.byteOffset, 4).getInt32(0, true) };
  if (msg.flags & NLM_F_ACK_TLVS) readExtack(ack, p, 4);
  return ack;
}

function readExtack(ack: NetlinkAck, payload: Uint8Array, at: number): void {
  if (at >= payload.length) return;
  const attrs = new AttributeSet(payload.subarray(at), NLMSG_HDRLEN + at);
  const message = attrs.str(NLMSGERR_ATTR_MSG);
  const offset = attrs.u32(NLMSGERR_ATTR_OFFS, "NLMSGERR_ATTR_OFFS");
  if (message !== undefined) ack.message = message;
  if (offset !== undefined) ack.offset = offset;
}
