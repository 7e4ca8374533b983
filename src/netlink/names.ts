// Numbers → the words iproute2 prints for them, so that wiresight's output reads like
// `ip` output that operators already know. Unknown numbers come back as decimal text
// (as iproute2 does), never as undefined, so a new kernel value is still shown.

import { IFA_F_DADFAILED, IFA_F_DEPRECATED, IFA_F_HOMEADDRESS, IFA_F_MANAGETEMPADDR, IFA_F_MCAUTOJOIN,
  IFA_F_NODAD, IFA_F_NOPREFIXROUTE, IFA_F_OPTIMISTIC, IFA_F_PERMANENT, IFA_F_SECONDARY, IFA_F_STABLE_PRIVACY,
  IFA_F_TENTATIVE } from "./uapi/if_addr.ts";
import { IFF_ALLMULTI, IFF_AUTOMEDIA, IFF_BROADCAST, IFF_DEBUG, IFF_DORMANT, IFF_DYNAMIC, IFF_ECHO, IFF_LOOPBACK,
  IFF_LOWER_UP, IFF_MASTER, IFF_MULTICAST, IFF_NOARP, IFF_NOTRAILERS, IFF_POINTOPOINT, IFF_PORTSEL, IFF_PROMISC,
  IFF_RUNNING, IFF_SLAVE, IFF_UP } from "./uapi/if.ts";
import { ETH_P_8021AD, ETH_P_8021Q } from "./uapi/if_ether.ts";
import { ICMPV6_ROUTER_PREF_HIGH, ICMPV6_ROUTER_PREF_LOW, ICMPV6_ROUTER_PREF_MEDIUM } from "./uapi/icmpv6.ts";
import { MACVLAN_MODE_BRIDGE, MACVLAN_MODE_PASSTHRU, MACVLAN_MODE_PRIVATE, MACVLAN_MODE_SOURCE,
  MACVLAN_MODE_VEPA } from "./uapi/if_link.ts";
import { AF_INET6 } from "./uapi/socket.ts";

function lookup(table: Record<number, string>, n: number): string {
  return table[n] ?? String(n);
}

// Indexed by IF_OPER_* (linux/if.h); the same words as iproute2's oper_states[].
const OPER_STATES = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"];

/** IFLA_OPERSTATE (IF_OPER_*) → "UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", "DORMANT", "NOTPRESENT", "TESTING". */
export function operstateName(n: number): string {
  return OPER_STATES[n] ?? String(n);
}

// iproute2 lib/rt_names.c rtnl_rtntype_n2a: RTN_UNSPEC prints as "none".
const ROUTE_TYPES: Record<number, string> = {
  0: "none", 1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast", 6: "blackhole",
  7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat", 11: "xresolve",
};

/** rtm_type (RTN_*) → iproute2's word ("unicast", "local", "blackhole", …). */
export function routeTypeName(n: number): string {
  return lookup(ROUTE_TYPES, n);
}

// iproute2's built-in rtnl_rtprot_tab (same as /etc/iproute2/rt_protos); RTPROT_MROUTED has no word there.
const ROUTE_PROTOCOLS: Record<number, string> = {
  0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt", 11: "zebra",
  12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived", 42: "babel", 99: "openr",
  186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp",
};

/** rtm_protocol (RTPROT_*) → iproute2's word ("kernel", "boot", "static", "dhcp", "ra", …), else the number. */
export function routeProtocolName(n: number): string {
  return lookup(ROUTE_PROTOCOLS, n);
}

// iproute2 rtnl_rtscope_tab: RT_SCOPE_UNIVERSE is printed "global".
const SCOPES: Record<number, string> = { 0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere" };

/** rtm_scope / ifa_scope (RT_SCOPE_*) → "global", "site", "link", "host", "nowhere", else the number. */
export function scopeName(n: number): string {
  return lookup(SCOPES, n);
}

const TABLES: Record<number, string> = { 253: "default", 254: "main", 255: "local" };

/** Routing table id → "main", "local", "default", else the number (e.g. "100"). */
export function routeTableName(n: number): string {
  return lookup(TABLES, n);
}

// The order iproute2's print_link_flags() prints them in (ip/ipaddress.c).
const LINK_FLAGS: [number, string][] = [
  [IFF_LOOPBACK, "LOOPBACK"], [IFF_BROADCAST, "BROADCAST"], [IFF_POINTOPOINT, "POINTOPOINT"],
  [IFF_MULTICAST, "MULTICAST"], [IFF_NOARP, "NOARP"], [IFF_ALLMULTI, "ALLMULTI"], [IFF_PROMISC, "PROMISC"],
  [IFF_MASTER, "MASTER"], [IFF_SLAVE, "SLAVE"], [IFF_DEBUG, "DEBUG"], [IFF_DYNAMIC, "DYNAMIC"],
  [IFF_AUTOMEDIA, "AUTOMEDIA"], [IFF_PORTSEL, "PORTSEL"], [IFF_NOTRAILERS, "NOTRAILERS"], [IFF_UP, "UP"],
  [IFF_LOWER_UP, "LOWER_UP"], [IFF_DORMANT, "DORMANT"], [IFF_ECHO, "ECHO"],
];

/**
 * ifi_flags → names as `ip link` prints them, in iproute2's order. Like iproute2, RUNNING is not
 * named but "NO-CARRIER" leads when UP without RUNNING, and unknown bits follow as hex.
 * ("M-DOWN" needs the flags of the IFLA_LINK device, so it is the caller's to add.)
 */
export function ifFlagNames(flags: number): string[] {
  const names: string[] = [];
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) names.push("NO-CARRIER");
  let rest = (flags & ~IFF_RUNNING) >>> 0;
  for (const [bit, name] of LINK_FLAGS) {
    if (rest & bit) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) names.push(rest.toString(16));
  return names;
}

// iproute2 ip/ipaddress.c ifa_flag_data[], in its order and with its words.
const ADDRESS_FLAGS: [number, string][] = [
  [IFA_F_SECONDARY, "secondary"], [IFA_F_NODAD, "nodad"], [IFA_F_OPTIMISTIC, "optimistic"],
  [IFA_F_DADFAILED, "dadfailed"], [IFA_F_HOMEADDRESS, "home"], [IFA_F_DEPRECATED, "deprecated"],
  [IFA_F_TENTATIVE, "tentative"], [IFA_F_PERMANENT, "permanent"], [IFA_F_MANAGETEMPADDR, "mngtmpaddr"],
  [IFA_F_NOPREFIXROUTE, "noprefixroute"], [IFA_F_MCAUTOJOIN, "autojoin"], [IFA_F_STABLE_PRIVACY, "stable-privacy"],
];

/**
 * IFA_F_* → iproute2's words for the bits that are set. IFA_F_SECONDARY and IFA_F_TEMPORARY are
 * the same bit: pass `family` AF_INET6 to get "temporary" as iproute2 prints for IPv6. Unlike
 * `ip addr`, "permanent" is named when set instead of "dynamic" when clear. Unknown bits follow as hex.
 */
export function addressFlagNames(flags: number, family?: number): string[] {
  const names: string[] = [];
  let rest = flags >>> 0;
  for (const [bit, name] of ADDRESS_FLAGS) {
    if (rest & bit) {
      names.push(bit === IFA_F_SECONDARY && family === AF_INET6 ? "temporary" : name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) names.push(rest.toString(16));
  return names;
}

const MACVLAN_MODES: Record<number, string> = {
  [MACVLAN_MODE_PRIVATE]: "private", [MACVLAN_MODE_VEPA]: "vepa", [MACVLAN_MODE_BRIDGE]: "bridge",
  [MACVLAN_MODE_PASSTHRU]: "passthru", [MACVLAN_MODE_SOURCE]: "source",
};

/** IFLA_MACVLAN_MODE (MACVLAN_MODE_*) → "private", "vepa", "bridge", "passthru", "source", else the number. */
export function macvlanModeName(n: number): string {
  return lookup(MACVLAN_MODES, n);
}

/** An 802.1Q ethertype (host order) → "802.1Q", "802.1ad", else "0x" and 4 hex digits. */
export function vlanProtocolName(n: number): string {
  if (n === ETH_P_8021Q) return "802.1Q";
  if (n === ETH_P_8021AD) return "802.1ad";
  return `0x${n.toString(16).padStart(4, "0")}`;
}

const ROUTER_PREFS: Record<number, string> = {
  [ICMPV6_ROUTER_PREF_LOW]: "low", [ICMPV6_ROUTER_PREF_MEDIUM]: "medium", [ICMPV6_ROUTER_PREF_HIGH]: "high",
};

/** RTA_PREF (ICMPV6_ROUTER_PREF_*) → "low", "medium", "high", else the number. */
export function routePrefName(n: number): string {
  return lookup(ROUTER_PREFS, n);
}
