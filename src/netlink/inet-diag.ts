// NETLINK_SOCK_DIAG for IP sockets: the SOCK_DIAG_BY_FAMILY dump request (struct
// inet_diag_req_v2) and its answers (struct inet_diag_msg + INET_DIAG_* attributes).

import { AttributeSet } from "./attribute-set.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { ipAddress } from "./inet.ts";
import { type NetlinkMessage, encodeMessage } from "./message.ts";
import {
  INET_DIAG_CGROUP_ID,
  INET_DIAG_MARK,
  INET_DIAG_PROTOCOL,
  INET_DIAG_SHUTDOWN,
  INET_DIAG_SKV6ONLY,
  TCPDIAG_GETSOCK,
  TCP_CLOSE,
  TCP_LISTEN,
} from "./uapi/inet_diag.ts";
import { NLMSG_HDRLEN, NLM_F_DUMP, NLM_F_REQUEST } from "./uapi/netlink.ts";
import { SOCK_DIAG_BY_FAMILY } from "./uapi/sock_diag.ts";
import { AF_INET, AF_INET6 } from "./uapi/socket.ts";

/** sizeof(struct inet_diag_sockid): sport, dport, src[4], dst[4], if, cookie[2]. */
export const INET_DIAG_SOCKID_LEN = 48;
/** sizeof(struct inet_diag_req_v2): family, protocol, ext, pad, states, sockid. */
export const INET_DIAG_REQ_V2_LEN = 56;
/** sizeof(struct inet_diag_req), the compat request: family, src_len, dst_len, ext, sockid, states, dbs. */
export const INET_DIAG_REQ_LEN = 60;
/** sizeof(struct inet_diag_msg): family, state, timer, retrans, sockid, expires, rqueue, wqueue, uid, inode. */
export const INET_DIAG_MSG_LEN = 72;

/**
 * idiag_states for "every state": bits 0–11, exactly what `ss -a` sends. The kernel adds
 * TCP_NEW_SYN_RECV (request sockets, reported as SYN_RECV) whenever SYN_RECV is asked for.
 */
export const INET_DIAG_ALL_STATES = 0xfff;
/** TCP sockets in LISTEN only: the kernel then skips its walk of the host-wide established hash. */
export const INET_DIAG_TCP_LISTENING = 1 << TCP_LISTEN;
/** UDP sockets that are not connected (state CLOSE, "UNCONN" in ss): they receive from anyone. */
export const INET_DIAG_UDP_UNCONNECTED = 1 << TCP_CLOSE;

/**
 * A SOCK_DIAG_BY_FAMILY dump of one family (AF_INET / AF_INET6) and protocol (IPPROTO_TCP /
 * IPPROTO_UDP) in the given states (a bit mask of 1 << TCP_*), with no extensions and no filter,
 * as `ss` sends it (the sockid is all zeros: no address or port to match).
 */
export function buildInetDiagDump(seq: number, family: number, protocol: number, states: number): Uint8Array {
  const req = new Uint8Array(INET_DIAG_REQ_V2_LEN);
  req[0] = family;
  req[1] = protocol;
  new DataView(req.buffer).setUint32(4, states >>> 0, true);
  return encodeMessage({ type: SOCK_DIAG_BY_FAMILY, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, req);
}

/**
 * A TCPDIAG_GETSOCK dump (struct inet_diag_req) of TCP sockets of BOTH families in the given
 * states. Why not two SOCK_DIAG_BY_FAMILY dumps: for every state but LISTEN the kernel walks its
 * whole established hash (sized by RAM, shared by all namespaces) once per request, and this
 * request is served with family AF_UNSPEC, so one walk instead of two — half the cost of the
 * most expensive part of a discovery. idiag_family is set to AF_INET because the kernel ignores it
 * here but older kernels checked it.
 */
export function buildTcpDiagCompatDump(seq: number, states: number): Uint8Array {
  const req = new Uint8Array(INET_DIAG_REQ_LEN);
  req[0] = AF_INET;
  new DataView(req.buffer).setUint32(4 + INET_DIAG_SOCKID_LEN, states >>> 0, true);
  return encodeMessage({ type: TCPDIAG_GETSOCK, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, req);
}

export interface InetDiagSocket {
  /** AF_INET or AF_INET6. */
  family: number;
  /** TCP_* state (include/net/tcp_states.h); UDP uses ESTABLISHED when connected and CLOSE when not. */
  state: number;
  timer: number;
  retrans: number;
  /** Host-order port numbers and address text (sockid holds them in network order). */
  localPort: number;
  remotePort: number;
  localAddress: string;
  remoteAddress: string;
  /** idiag_if: the interface the socket is bound to (SO_BINDTODEVICE), 0 for none. */
  boundInterface: number;
  /** The kernel's socket cookie: 64 bits, never reused within a boot — the socket's identity. */
  cookie: bigint;
  expires: number;
  rqueue: number;
  wqueue: number;
  uid: number;
  /** 0 for TIME_WAIT and request sockets, which have no inode. */
  inode: number;
  /** INET_DIAG_SHUTDOWN: sk_shutdown bits (absent for TIME_WAIT and request sockets). */
  shutdown?: number;
  /** INET_DIAG_SKV6ONLY: IPV6_V6ONLY, sent for AF_INET6 sockets in LISTEN or CLOSE state only. */
  v6only?: boolean;
  /** INET_DIAG_PROTOCOL: sk_protocol, when the kernel sends it. */
  protocol?: number;
  /** INET_DIAG_MARK: SO_MARK, sent only to a CAP_NET_ADMIN reader. */
  mark?: number;
  /** INET_DIAG_CGROUP_ID: the socket's cgroup v2 id. */
  cgroupId?: bigint;
}

/** One SOCK_DIAG_BY_FAMILY (or TCPDIAG_GETSOCK) answer → the socket it describes. */
export function decodeInetDiag(msg: NetlinkMessage): InetDiagSocket {
  if (msg.type !== SOCK_DIAG_BY_FAMILY && msg.type !== TCPDIAG_GETSOCK) {
    throw new NetlinkDecodeError(`decodeInetDiag: message type ${msg.type} is neither SOCK_DIAG_BY_FAMILY nor TCPDIAG_GETSOCK`);
  }
  const p = msg.payload;
  if (p.length < INET_DIAG_MSG_LEN) {
    throw new NetlinkDecodeError(`struct inet_diag_msg needs ${INET_DIAG_MSG_LEN} bytes, got ${p.length}`, NLMSG_HDRLEN);
  }
  const family = p[0]!;
  const addrLen = family === AF_INET ? 4 : family === AF_INET6 ? 16 : 0;
  if (addrLen === 0) throw new NetlinkDecodeError(`inet_diag_msg: idiag_family ${family} is neither AF_INET nor AF_INET6`, NLMSG_HDRLEN);
  const v = new DataView(p.buffer, p.byteOffset, INET_DIAG_MSG_LEN);
  const a = new AttributeSet(p.subarray(INET_DIAG_MSG_LEN), NLMSG_HDRLEN + INET_DIAG_MSG_LEN);
  const out: InetDiagSocket = {
    family,
    state: p[1]!,
    timer: p[2]!,
    retrans: p[3]!,
    localPort: v.getUint16(4, false),
    remotePort: v.getUint16(6, false),
    localAddress: ipAddress(p.subarray(8, 8 + addrLen)),
    remoteAddress: ipAddress(p.subarray(24, 24 + addrLen)),
    boundInterface: v.getUint32(40, true),
    // sock_diag_save_cookie: cookie[0] holds the low 32 bits, cookie[1] the high ones.
    cookie: (BigInt(v.getUint32(48, true)) << 32n) | BigInt(v.getUint32(44, true)),
    expires: v.getUint32(52, true),
    rqueue: v.getUint32(56, true),
    wqueue: v.getUint32(60, true),
    uid: v.getUint32(64, true),
    inode: v.getUint32(68, true),
  };
  const shutdown = a.u8(INET_DIAG_SHUTDOWN, "INET_DIAG_SHUTDOWN");
  if (shutdown !== undefined) out.shutdown = shutdown;
  const v6only = a.bool(INET_DIAG_SKV6ONLY, "INET_DIAG_SKV6ONLY");
  if (v6only !== undefined) out.v6only = v6only;
  const protocol = a.u8(INET_DIAG_PROTOCOL, "INET_DIAG_PROTOCOL");
  if (protocol !== undefined) out.protocol = protocol;
  const mark = a.u32(INET_DIAG_MARK, "INET_DIAG_MARK");
  if (mark !== undefined) out.mark = mark;
  const cgroupId = a.u64(INET_DIAG_CGROUP_ID, "INET_DIAG_CGROUP_ID");
  if (cgroupId !== undefined) out.cgroupId = cgroupId;
  return out;
}

// include/net/tcp_states.h order; the names are the kernel's (ss prints its own words for them).
const TCP_STATE_NAMES = [
  "UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
  "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE",
];

/** TCP_* → "ESTABLISHED", "LISTEN", "TIME_WAIT", …; unknown numbers as decimal text. */
export function tcpStateName(state: number): string {
  return TCP_STATE_NAMES[state] ?? String(state);
}
