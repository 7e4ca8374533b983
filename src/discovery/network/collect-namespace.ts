// Reads one network namespace: open a NETLINK_ROUTE socket inside it (the ffi layer enters the
// namespace for the socket() call alone; the socket stays bound to it), then dump links,
// addresses (one dump for the whole namespace, never one per link) and IPv4 + IPv6 routes over
// all tables. The socket's SO_NETNS_COOKIE gives the namespace its identity.

import { NetlinkSocket } from "../../ffi/index.ts";
import {
  AF_INET,
  AF_INET6,
  NETLINK_ROUTE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  buildGetAddrDump,
  buildGetLinkDump,
  buildGetRouteDump,
  decodeAddress,
  decodeLink,
  decodeRoute,
  type RtAddr,
  type RtLink,
  type RtRoute,
} from "../../netlink/index.ts";
import { dump } from "../netlink-request.ts";

export interface RawNamespace {
  cookie: bigint;
  links: RtLink[];
  addresses: RtAddr[];
  routes: RtRoute[];
  /** Dumps repeated because of NLM_F_DUMP_INTR. */
  retries: number;
  /** Dumps that stayed interrupted after every retry (their content may be torn). */
  interrupted: string[];
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
  return NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: switchFd(ns) });
}

export function collectNamespace(ns: NamespaceHandle): RawNamespace {
  const sock = openRouteSocketIn(ns);
  try {
    const cookie = sock.netnsCookie();
    const raw: RawNamespace = { cookie, links: [], addresses: [], routes: [], retries: 0, interrupted: [] };
    const take = <T>(what: string, r: { items: T[]; retries: number; interrupted: boolean }): T[] => {
      raw.retries += r.retries;
      if (r.interrupted) raw.interrupted.push(what);
      return r.items;
    };
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
    return raw;
  } finally {
    sock.close();
  }
}
