// Reads one network namespace: open a NETLINK_ROUTE socket inside it (the ffi layer enters the
// namespace for the socket() call alone; the socket stays bound to it), then dump links,
// addresses (one dump for the whole namespace, never one per link) and IPv4 + IPv6 routes over
// all tables; then, over a NETLINK_SOCK_DIAG socket opened inside it the same way, its TCP and
// UDP sockets of both families. The route socket's SO_NETNS_COOKIE gives the namespace its
// identity. Needs nothing but the namespace fd, so it can run anywhere (a worker thread too).

import { NetlinkSocket } from "../../ffi/index.ts";
import {
  AF_INET,
  AF_INET6,
  INET_DIAG_ALL_STATES,
  INET_DIAG_TCP_LISTENING,
  INET_DIAG_UDP_UNCONNECTED,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NETLINK_ROUTE,
  NETLINK_SOCK_DIAG,
  SOCK_DIAG_BY_FAMILY,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  buildGetAddrDump,
  buildGetLinkDump,
  buildGetRouteDump,
  buildInetDiagDump,
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
import { dump, netlinkClock } from "../netlink-request.ts";

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
}

/** An open namespace fd, and whether it is the namespace this thread already sits in. */
export interface NamespaceHandle {
  fd: number;
  /**
   * setns needs CAP_SYS_ADMIN even to enter the namespace one is already in, so an unprivileged
   * run could not read even its own namespace if we always switched.
   */
  current: boolean;
}

/**
 * The fd to hand to the ffi layer's socket-in-namespace calls: none when we already sit in it.
 * (Sockets are created through socketInNetns rather than withNetns(fd, fn) because any JS that
 * runs while switched may make the engine start a JIT or GC thread, which would inherit the
 * foreign namespace and stay there.)
 */
export function switchFd(ns: NamespaceHandle): number | undefined {
  return ns.current ? undefined : ns.fd;
}

/** Opens a NETLINK_ROUTE socket inside the namespace. */
export function openRouteSocketIn(ns: NamespaceHandle): NetlinkSocket {
  return openTimed(NETLINK_ROUTE, ns);
}

/** Opening counts as kernel time (setns in and out, socket, bind, connect). */
function openTimed(protocol: number, ns: NamespaceHandle): NetlinkSocket {
  const t0 = performance.now();
  try {
    return NetlinkSocket.open(protocol, { netnsFd: switchFd(ns) });
  } finally {
    netlinkClock.ms += performance.now() - t0;
  }
}

export function collectNamespace(ns: NamespaceHandle, options: CollectOptions = {}): RawNamespace {
  const sock = openRouteSocketIn(ns);
  let raw: RawNamespace;
  try {
    const cookie = sock.netnsCookie();
    raw = { cookie, links: [], addresses: [], routes: [], sockets: [], retries: 0, interrupted: [], socketsError: null };
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
  } finally {
    sock.close();
  }
  try {
    collectSockets(ns, raw, options);
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

const SOCKET_DUMPS = [
  { name: "TCP", protocol: IPPROTO_TCP, all: INET_DIAG_ALL_STATES, listening: INET_DIAG_TCP_LISTENING },
  { name: "UDP", protocol: IPPROTO_UDP, all: INET_DIAG_ALL_STATES, listening: INET_DIAG_UDP_UNCONNECTED },
];

/** The four sock_diag dumps (TCP, UDP × IPv4, IPv6) over one socket opened inside the namespace. */
function collectSockets(ns: NamespaceHandle, raw: RawNamespace, options: CollectOptions): void {
  const take = takeInto(raw);
  const diag = openTimed(NETLINK_SOCK_DIAG, ns);
  try {
    for (const d of SOCKET_DUMPS) {
      const states = options.listeningOnly ? d.listening : d.all;
      for (const family of [AF_INET, AF_INET6]) {
        const decode = (m: NetlinkMessage) => {
          if (m.type !== SOCK_DIAG_BY_FAMILY) return undefined;
          const s = decodeInetDiag(m) as RawSocket;
          s.protocol = d.protocol;
          return s;
        };
        const what = `${d.name}${family === AF_INET ? "v4" : "v6"} sockets`;
        for (const s of take(what, dump(diag, what, (seq) => buildInetDiagDump(seq, family, d.protocol, states), decode))) raw.sockets.push(s);
      }
    }
  } finally {
    diag.close();
  }
}
