// Turns decoded RTM_NEWADDR / RTM_NEWROUTE messages into model addresses and routes. Interface
// references become keys here; an index that names no link we saw stays null rather than
// pointing at a guess.

import {
  AF_INET6,
  RT_TABLE_UNSPEC,
  addressFlagNames,
  routeProtocolName,
  routeTableName,
  routeTypeName,
  scopeName,
  type RtAddr,
  type RtRoute,
} from "../../netlink/index.ts";
import { addressKey, interfaceKey, routeKey, type NetnsKey } from "../../model/keys.ts";
import type { Address, Route } from "../../model/topology.ts";

/** Lifetimes of 0xffffffff mean "forever". */
const INFINITY_LIFE_TIME = 0xffffffff;

export function toAddress(netns: NetnsKey, a: RtAddr): Address | null {
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links
  // and equal to IFA_LOCAL elsewhere. IPv6 sends only IFA_ADDRESS.
  const own = a.local ?? a.address;
  if (!own) return null;
  const iface = interfaceKey(netns, a.index);
  const life = (v: number | undefined) => (v === undefined || v === INFINITY_LIFE_TIME ? null : v);
  return {
    key: addressKey(iface, own, a.prefixlen),
    interface: iface,
    family: a.family === AF_INET6 ? "ipv6" : "ipv4",
    address: own,
    prefixLength: a.prefixlen,
    peer: a.local && a.address && a.address !== a.local ? a.address : null,
    broadcast: a.broadcast ?? null,
    scope: scopeName(a.scope),
    flags: addressFlagNames(a.flags, a.family),
    label: a.label ?? null,
    preferredLifetime: life(a.cacheinfo?.preferred),
    validLifetime: life(a.cacheinfo?.valid),
  };
}

const PREFERENCE: Record<number, string> = { 0: "medium", 1: "high", 3: "low" };

export function toRoute(netns: NetnsKey, r: RtRoute, knownIndexes: Set<number>): Route {
  const family = r.family === AF_INET6 ? "ipv6" : "ipv4";
  const ifKey = (index: number | undefined) =>
    index !== undefined && knownIndexes.has(index) ? interfaceKey(netns, index) : null;
  const destination = r.dst ?? "default";
  const table = r.table === RT_TABLE_UNSPEC ? 0 : r.table;
  const type = routeTypeName(r.type);
  const priority = r.priority ?? 0;
  return {
    key: routeKey(netns, { family, table, destination, prefixLength: r.dstLen, source: r.src ?? null, sourcePrefixLength: r.srcLen, tos: r.tos, priority, type, oif: r.oif ?? null }),
    netns,
    family,
    type,
    destination,
    prefixLength: r.dstLen,
    source: r.src ?? null,
    sourcePrefixLength: r.srcLen,
    preferredSource: r.prefsrc ?? null,
    gateway: r.gateway ?? r.via?.address ?? null,
    outputInterface: ifKey(r.oif),
    nexthops: (r.multipath ?? []).map((h) => ({ gateway: h.gateway ?? h.via?.address ?? null, outputInterface: ifKey(h.oif), weight: h.weight })),
    table,
    tableName: routeTableName(table),
    priority,
    preference: r.pref === undefined ? null : (PREFERENCE[r.pref] ?? String(r.pref)),
    protocol: routeProtocolName(r.protocol),
    scope: scopeName(r.scope),
    tos: r.tos,
  };
}
