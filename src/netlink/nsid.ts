// RTM_GETNSID requests and RTM_NEWNSID / RTM_DELNSID decoding (struct rtgenmsg + NETNSA_*).
// An NSID is a number one namespace gives another; IFLA_LINK_NETNSID refers to namespaces by it.

import { AttributeSet } from "./attribute-set.ts";
import { encodeU32Attribute } from "./attributes.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { type NetlinkMessage, encodeMessage } from "./message.ts";
import { NETNSA_CURRENT_NSID, NETNSA_FD, NETNSA_NSID, NETNSA_TARGET_NSID } from "./uapi/net_namespace.ts";
import { NLMSG_HDRLEN, NLM_F_DUMP, NLM_F_REQUEST } from "./uapi/netlink.ts";
import { RTM_DELNSID, RTM_GETNSID, RTM_NEWNSID } from "./uapi/rtnetlink.ts";

export interface RtNsid {
  /** The NSID the asking namespace has for the other one; -1 (NETNSA_NSID_NOT_ASSIGNED) if none. */
  nsid: number;
  /** NETNSA_CURRENT_NSID, sent when the request named a target namespace. */
  currentNsid?: number;
  /** NETNSA_TARGET_NSID, if a kernel ever echoes it (current kernels do not). */
  peerNsid?: number;
}

// struct rtgenmsg is one byte, but attributes start at NLMSG_ALIGN(sizeof(struct rtgenmsg)).
const RTGENMSG_SPACE = 4;

/**
 * "Which NSID do you (the socket's namespace) have for the namespace of this fd?" The kernel
 * answers with one RTM_NEWNSID (no ack is needed, so none is requested), as `ip netns list` asks.
 */
export function buildGetNsidForFd(seq: number, fd: number): Uint8Array {
  const payload = new Uint8Array(RTGENMSG_SPACE + 8); // rtgen_family AF_UNSPEC, padding, NETNSA_FD
  payload.set(encodeU32Attribute(NETNSA_FD, fd), RTGENMSG_SPACE);
  return encodeMessage({ type: RTM_GETNSID, flags: NLM_F_REQUEST, seq }, payload);
}

/** Dump of every NSID the socket's namespace has assigned (`ip netns list-id`). */
export function buildNsidDump(seq: number): Uint8Array {
  return encodeMessage({ type: RTM_GETNSID, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, new Uint8Array(RTGENMSG_SPACE));
}

export function decodeNsid(msg: NetlinkMessage): RtNsid {
  if (msg.type !== RTM_NEWNSID && msg.type !== RTM_DELNSID) {
    throw new NetlinkDecodeError(`decodeNsid: message type ${msg.type} is not RTM_NEWNSID or RTM_DELNSID`);
  }
  const p = msg.payload;
  if (p.length < 1) throw new NetlinkDecodeError("struct rtgenmsg is missing", NLMSG_HDRLEN);
  const a = new AttributeSet(p.subarray(Math.min(RTGENMSG_SPACE, p.length)), NLMSG_HDRLEN + RTGENMSG_SPACE);
  const nsid = a.s32(NETNSA_NSID, "NETNSA_NSID");
  if (nsid === undefined) throw new NetlinkDecodeError("NETNSA_NSID is missing", NLMSG_HDRLEN);
  const out: RtNsid = { nsid };
  const current = a.s32(NETNSA_CURRENT_NSID, "NETNSA_CURRENT_NSID");
  const peer = a.s32(NETNSA_TARGET_NSID, "NETNSA_TARGET_NSID");
  if (current !== undefined) out.currentNsid = current;
  if (peer !== undefined) out.peerNsid = peer;
  return out;
}
