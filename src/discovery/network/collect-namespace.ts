// Reads one network namespace over sockets opened inside it (openNamespaceSockets: the ffi layer
// enters the namespace once for all the socket() calls; each socket stays bound to it): links,
// addresses (one dump for the whole namespace, never one per link) and IPv4 + IPv6 routes over
// all tables on the NETLINK_ROUTE socket; then its TCP and UDP sockets of both families on the
// NETLINK_SOCK_DIAG one. The route socket's SO_NETNS_COOKIE gives the namespace its identity.
// Needs nothing but the namespace fd, so it can run anywhere (a worker thread too).

import { NetlinkSocket } from "../../ffi/index.ts";
import {
  AF_INET,
  AF_INET6,
  INET_DIAG_ALL_STATES,
  INET_DIAG_TCP_LISTENING,
  INET_DIAG_UDP_UNCONNECTED,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SOCK_DIAG_BY_FAMILY,
  TCPDIAG_GETSOCK,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  buildGetAddrDump,
  buildGetLinkDump,
  buildGetRouteDump,
  buildInetDiagDump,
  buildTcpDiagCompatDump,
  decodeAddress,
  decodeInetDiag,
  decodeLink,
  decodeRoute,
  type InetDiagSocket,
  type NetlinkMessage,
  type RtAddr,
  type RtLink,
  type RtRoute,
} from "../../netlink/index.ts";
import { NetlinkRequestError, dump, netlinkClock } from "../netlink-request.ts";

export interface RawNamespace {
  cookie: bigint;
  links: RtLink[];
  addresses: RtAddr[];
  routes: RtRoute[];
  /** TCP and UDP sockets, IPv4 and IPv6, as sock_diag reported them. */
  sockets: RawSocket[];
  /** Dumps repeated because of NLM_F_DUMP_INTR. */
  retries: number;
  /** Dumps that stayed interrupted after every retry (their content may be torn). */
  interrupted: string[];
  /**
   * Why sockets could not be read (no sock_diag in this kernel, the namespace vanished between
   * the two sockets…), or null. The rest of the namespace is still good, so this is not thrown.
   */
  socketsError: string | null;
}

/** A sock_diag answer with the protocol of the dump it came from (the message does not carry it). */
export type RawSocket = InetDiagSocket & { protocol: number };

export interface CollectOptions {
  /**
   * Ask only for listening TCP sockets and unconnected UDP sockets. Much cheaper: for a TCP dump
   * in every state the kernel walks its host-wide established hash once per namespace (its size
   * grows with RAM, not with the namespace's sockets); asked for LISTEN alone it skips that walk.
   */
  listeningOnly?: boolean;
  /** Read sockets at all (default true): a re-read after a link, address or route event need not. */
  sockets?: boolean;
}

/**
 * One netlink socket per protocol inside the namespace behind `nsFd`, in one switch, or in the
 * namespace this thread sits in when `nsFd` is undefined (setns needs CAP_SYS_ADMIN even to enter
 * the namespace one is already in, so an unprivileged run could not read even its own namespace
 * if we always switched). Sockets are created through socketsInNetns rather than withNetns(fd,
 * fn) because any JS that runs while switched may make the engine start a JIT or GC thread, which
 * would inherit the foreign namespace and stay there. Per protocol the socket or the error opening
 * it gave; throws only when the namespace cannot be entered. Opening counts as kernel time (setns
 * in and out, socket, bind, connect).
 */
export function openNamespaceSockets(nsFd: number | undefined, protocols: readonly number[]): (NetlinkSocket | Error)[] {
  const t0 = performance.now();
  try {
    if (nsFd !== undefined) return NetlinkSocket.openAllIn(nsFd, protocols);
    return protocols.map((protocol) => {
      try {
        return NetlinkSocket.open(protocol);
      } catch (err) {
        return err as Error;
      }
    });
  } finally {
    netlinkClock.ms += performance.now() - t0;
  }
}

/** The sockets one namespace is read through; `diag` is the error when it could not be opened. */
export interface NamespaceSockets {
  route: NetlinkSocket;
  diag: NetlinkSocket | Error;
}

/** Reads the namespace through its sockets; closes none of them (they are the caller's). */
export function collectNamespace(sockets: NamespaceSockets, options: CollectOptions = {}): RawNamespace {
  const sock = sockets.route;
  const cookie = sock.netnsCookie();
  const raw: RawNamespace = { cookie, links: [], addresses: [], routes: [], sockets: [], retries: 0, interrupted: [], socketsError: null };
  const take = takeInto(raw);
  raw.links = take("links", dump(sock, "RTM_GETLINK", buildGetLinkDump, (m) => (m.type === RTM_NEWLINK ? decodeLink(m) : undefined)));
  raw.addresses = take(
    "addresses",
    dump(sock, "RTM_GETADDR", (seq) => buildGetAddrDump(seq), (m) => (m.type === RTM_NEWADDR ? decodeAddress(m) : undefined)),
  );
  for (const family of [AF_INET, AF_INET6]) {
    const routes = take(
      `routes (family ${family})`,
      dump(sock, "RTM_GETROUTE", (seq) => buildGetRouteDump(seq, family), (m) => (m.type === RTM_NEWROUTE ? decodeRoute(m) : undefined)),
    );
    for (const r of routes) raw.routes.push(r);
  }
  if (options.sockets === false) return raw;
  try {
    if (sockets.diag instanceof Error) throw sockets.diag;
    collectSockets(sockets.diag, raw, options);
  } catch (err) {
    raw.sockets = [];
    raw.socketsError = (err as Error).message;
  }
  return raw;
}

function takeInto(raw: RawNamespace) {
  return <T>(what: string, r: { items: T[]; retries: number; interrupted: boolean }): T[] => {
    raw.retries += r.retries;
    if (r.interrupted) raw.interrupted.push(what);
    return r.items;
  };
}

const UDP_FAMILIES = [AF_INET, AF_INET6];

/** Dumps that give an error instead of answering, and mean "this kernel has no such request". */
const UNSUPPORTED = new Set(["EINVAL", "ENOENT", "EOPNOTSUPP", "EPROTONOSUPPORT", "EAFNOSUPPORT"]);

/**
 * The sock_diag dumps over one socket opened inside the namespace: TCP of both families in ONE
 * dump (TCPDIAG_GETSOCK: one walk of the kernel's host-wide TCP hash instead of one per family,
 * which halves the dominant cost of a discovery), falling back to one SOCK_DIAG_BY_FAMILY dump per
 * family where a kernel refuses that request; then UDP per family.
 */
function collectSockets(diag: NetlinkSocket, raw: RawNamespace, options: CollectOptions): void {
  const take = takeInto(raw);
  const decodeAs = (protocol: number) => (m: NetlinkMessage) => {
    if (m.type !== SOCK_DIAG_BY_FAMILY && m.type !== TCPDIAG_GETSOCK) return undefined;
    const s = decodeInetDiag(m) as RawSocket;
    s.protocol = protocol;
    return s;
  };
  const push = (sockets: RawSocket[]) => {
    for (const s of sockets) raw.sockets.push(s);
  };
  const tcpStates = options.listeningOnly ? INET_DIAG_TCP_LISTENING : INET_DIAG_ALL_STATES;
  let tcp: RawSocket[] | null = null;
  try {
    tcp = take("TCP sockets", dump(diag, "TCP sockets", (seq) => buildTcpDiagCompatDump(seq, tcpStates), decodeAs(IPPROTO_TCP)));
  } catch (err) {
    if (!(err instanceof NetlinkRequestError && UNSUPPORTED.has(err.code))) throw err;
  }
  if (tcp) push(tcp);
  else
    for (const family of UDP_FAMILIES) {
      const what = `TCP${family === AF_INET ? "v4" : "v6"} sockets`;
      push(take(what, dump(diag, what, (seq) => buildInetDiagDump(seq, family, IPPROTO_TCP, tcpStates), decodeAs(IPPROTO_TCP))));
    }
  const udpStates = options.listeningOnly ? INET_DIAG_UDP_UNCONNECTED : INET_DIAG_ALL_STATES;
  for (const family of UDP_FAMILIES) {
    const what = `UDP${family === AF_INET ? "v4" : "v6"} sockets`;
    push(take(what, dump(diag, what, (seq) => buildInetDiagDump(seq, family, IPPROTO_UDP, udpStates), decodeAs(IPPROTO_UDP))));
  }
}
