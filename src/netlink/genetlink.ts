// Generic netlink: struct genlmsghdr and nlctrl, the family that turns a family's name
// ("wireguard") into the message type its requests use. Family ids are assigned at run time, so a
// client asks CTRL_CMD_GETFAMILY once per socket before it can speak to a family.

import { AttributeSet } from "./attribute-set.ts";
import { encodeAttribute } from "./attributes.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { type NetlinkMessage, encodeMessage } from "./message.ts";
import { CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_VERSION, CTRL_CMD_GETFAMILY, CTRL_CMD_NEWFAMILY, GENL_HDRLEN, GENL_ID_CTRL } from "./uapi/genetlink.ts";
import { NLMSG_HDRLEN, NLM_F_REQUEST } from "./uapi/netlink.ts";

export interface GenlFamily {
  id: number;
  name: string;
  version?: number;
}

/** A generic netlink message: the header's command and version, and the attributes after it. */
export interface GenlMessage {
  cmd: number;
  version: number;
  attrs: AttributeSet;
}

/** struct genlmsghdr { __u8 cmd; __u8 version; __u16 reserved; } followed by `attrs`. */
export function encodeGenl(h: { type: number; flags: number; seq: number; cmd: number; version: number }, ...attrs: Uint8Array[]): Uint8Array {
  const len = attrs.reduce((n, a) => n + a.length, GENL_HDRLEN);
  const payload = new Uint8Array(len);
  payload[0] = h.cmd;
  payload[1] = h.version;
  let at = GENL_HDRLEN;
  for (const a of attrs) {
    payload.set(a, at);
    at += a.length;
  }
  return encodeMessage({ type: h.type, flags: h.flags, seq: h.seq }, payload);
}

export function decodeGenl(msg: NetlinkMessage): GenlMessage {
  const p = msg.payload;
  if (p.length < GENL_HDRLEN) throw new NetlinkDecodeError(`struct genlmsghdr needs ${GENL_HDRLEN} bytes, got ${p.length}`, NLMSG_HDRLEN);
  return { cmd: p[0]!, version: p[1]!, attrs: new AttributeSet(p.subarray(GENL_HDRLEN), NLMSG_HDRLEN + GENL_HDRLEN) };
}

/** "Which id has family `name`?" nlctrl answers with one CTRL_CMD_NEWFAMILY, or ENOENT when the module is not loaded. */
export function buildGetFamily(seq: number, name: string): Uint8Array {
  const text = new TextEncoder().encode(`${name}\0`);
  return encodeGenl({ type: GENL_ID_CTRL, flags: NLM_F_REQUEST, seq, cmd: CTRL_CMD_GETFAMILY, version: 1 }, encodeAttribute(CTRL_ATTR_FAMILY_NAME, text));
}

export function decodeFamily(msg: NetlinkMessage): GenlFamily {
  if (msg.type !== GENL_ID_CTRL) throw new NetlinkDecodeError(`decodeFamily: message type ${msg.type} is not nlctrl (${GENL_ID_CTRL})`);
  const g = decodeGenl(msg);
  if (g.cmd !== CTRL_CMD_NEWFAMILY) throw new NetlinkDecodeError(`decodeFamily: command ${g.cmd} is not CTRL_CMD_NEWFAMILY`);
  const id = g.attrs.u16(CTRL_ATTR_FAMILY_ID, "CTRL_ATTR_FAMILY_ID");
  const name = g.attrs.str(CTRL_ATTR_FAMILY_NAME);
  if (id === undefined || name === undefined) throw new NetlinkDecodeError("CTRL_CMD_NEWFAMILY without CTRL_ATTR_FAMILY_ID or CTRL_ATTR_FAMILY_NAME");
  const version = g.attrs.u32(CTRL_ATTR_VERSION, "CTRL_ATTR_VERSION");
  return version === undefined ? { id, name } : { id, name, version };
}
