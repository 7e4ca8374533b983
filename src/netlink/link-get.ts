// RTM_GETLINK for a single interface, optionally in a peer namespace named by NSID
// (IFLA_TARGET_NETNSID, Linux ≥ 4.20). The latter lets a namespace show us the far end of one of
// its links — the one fact that tells apart namespaces whose ifindexes collide.

import { encodeU32Attribute } from "./attributes.ts";
import { encodeMessage } from "./message.ts";
import { IFLA_EXT_MASK, IFLA_TARGET_NETNSID } from "./uapi/if_link.ts";
import { NLM_F_REQUEST } from "./uapi/netlink.ts";
import { RTEXT_FILTER_SKIP_STATS, RTEXT_FILTER_VF, RTM_GETLINK } from "./uapi/rtnetlink.ts";

/** sizeof(struct ifinfomsg) */
const IFINFOMSG_LEN = 16;

/**
 * A request for the link with `index`; with `targetNsid`, in the namespace the sender's
 * namespace knows by that NSID. The kernel answers with one RTM_NEWLINK (or NLMSG_ERROR), so
 * no NLM_F_ACK: an extra ack would linger on the socket.
 */
export function buildGetLink(seq: number, index: number, targetNsid?: number): Uint8Array {
  const ifinfomsg = new Uint8Array(IFINFOMSG_LEN); // AF_UNSPEC
  new DataView(ifinfomsg.buffer).setInt32(4, index, true); // ifi_index
  const attrs = [encodeU32Attribute(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS)];
  // IFLA_TARGET_NETNSID is an s32; the two's complement bit pattern is the same as u32.
  if (targetNsid !== undefined) attrs.push(encodeU32Attribute(IFLA_TARGET_NETNSID, targetNsid >>> 0));
  const len = attrs.reduce((n, a) => n + a.length, IFINFOMSG_LEN);
  const payload = new Uint8Array(len);
  payload.set(ifinfomsg);
  let at = IFINFOMSG_LEN;
  for (const a of attrs) {
    payload.set(a, at);
    at += a.length;
  }
  return encodeMessage({ type: RTM_GETLINK, flags: NLM_F_REQUEST, seq }, payload);
}
