// The route a namespace would pick for a destination, from the routes a Topology holds: the
// kernel's FIB lookup, redone over plain objects so that it also works on a past topology.
//
// What it does: the default policy rules every namespace starts with (`ip rule`: 0 → table
// local, 32766 → main, 32767 → default), longest-prefix match within a table, the lowest metric
// among equal prefixes, route types (a `throw` route ends the lookup in its table and goes on
// with the next one; unicast, local, blackhole, unreachable, prohibit … are returned as found).
//
// What it ignores, honestly: custom policy rules (`ip rule add`: fwmark, iif/oif, uidrange,
// sport/dport, ipproto, suppress_prefixlength, and VRF l3mdev rules) — the Topology does not
// hold rules yet, so a namespace with its own rules may pick another table. Routes that match
// only a non-zero TOS or a given source prefix (IPv6 `from`) are skipped, since the packet's TOS
// and source are unknown here (a TOS-0 packet with no source constraint matches neither). Among
// routes tying on prefix and metric (IPv6 `fe80::/64` on every interface) the first in the
// topology's stable order wins, where the kernel would need the output interface to decide; the
// caller is told how many tied. Neighbour state, `linkdown` next hops and route caches are not in
// the Topology either.

import { inPrefix, type Ip } from "./ip.ts";
import type { NetworkNamespace, Route } from "./topology.ts";

export const RT_TABLE_LOCAL = 255;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_DEFAULT = 253;

/** The tables the default policy rules consult, in rule order. */
export const DEFAULT_RULE_TABLES = [RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_DEFAULT] as const;

export interface RouteMatch {
  route: Route;
  /** Other routes with the same prefix length and metric in the same table (not chosen). */
  ties: Route[];
}

/** Parses route destinations; returns null for text that is not an address (never in a real dump). */
export type ParseAddress = (text: string) => Ip | null;

export function lookupRoute(ns: { readonly routes: readonly Route[] }, target: Ip, parse: ParseAddress): RouteMatch | null {
  for (const table of DEFAULT_RULE_TABLES) {
    let best: Route[] = [];
    for (const r of ns.routes) {
      if (r.table !== table || r.family !== target.family) continue;
      if (r.tos !== 0 || r.sourcePrefixLength > 0) continue;
      if (!routeCovers(r, target, parse)) continue;
      const b = best[0];
      if (!b || r.prefixLength > b.prefixLength || (r.prefixLength === b.prefixLength && r.priority < b.priority)) best = [r];
      else if (r.prefixLength === b.prefixLength && r.priority === b.priority) best.push(r);
    }
    const [route, ...ties] = best;
    if (!route) continue;
    // `throw`: "the lookup in this table fails and goes on with the next rule" (ip-route(8)).
    if (route.type === "throw") continue;
    return { route, ties };
  }
  return null;
}

function routeCovers(r: Route, target: Ip, parse: ParseAddress): boolean {
  if (r.destination === "default" || r.prefixLength === 0) return true;
  const network = parse(r.destination);
  return network !== null && inPrefix(target, network, r.prefixLength);
}

/** Whether this namespace's local table has routes of a family (a real dump always does, lo is there). */
export function hasLocalTable(ns: NetworkNamespace, family: Ip["family"]): boolean {
  return ns.routes.some((r) => r.table === RT_TABLE_LOCAL && r.family === family);
}
