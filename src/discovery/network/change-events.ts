// The rtnetlink multicast groups whose messages mean "this namespace changed": a watcher's event
// socket joins them. Here, not in src/watch, because the socket is opened where the namespace is
// read (in the same switch as the reading sockets), whichever thread that is.

import type { NetlinkSocket } from "../../ffi/index.ts";
import {
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV6_IFADDR,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_LINK,
  RTNLGRP_NSID,
} from "../../netlink/index.ts";

/** The rtnetlink groups whose messages mean "re-read this namespace". */
export const CHANGE_GROUPS = [
  RTNLGRP_LINK,
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV6_IFADDR,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_NSID,
] as const;

/** Enough for bursts (a veth pair is a handful of messages); an overflow only forces a re-read. */
export const CHANGE_EVENTS_RCVBUF = 256 * 1024;

/** Makes a NETLINK_ROUTE socket an event socket: a small receive buffer, every change group joined. */
export function joinChangeGroups(sock: NetlinkSocket): void {
  sock.setReceiveBuffer(CHANGE_EVENTS_RCVBUF);
  for (const g of CHANGE_GROUPS) sock.addMembership(g);
}
