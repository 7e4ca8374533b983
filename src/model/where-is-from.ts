// Turns what a user gives as the starting point of a whereIs path into a namespace (and maybe an
// interface): "initial", a namespace key, name or inode, an interface key, or an address held by
// exactly one namespace. Anything else, or anything ambiguous, is an error that says what was
// accepted, so a typo never silently starts somewhere else. An interface or address only picks
// the namespace: the route lookup does not pin the output interface or use the address as the
// source (what `ip route get ... oif X from A` would), so source-specific routes stay unmatched.

import type { AddressOwners } from "./address-owners.ts";
import type { TopologyIndex } from "./index-topology.ts";
import { formatIp, tryParseIp, unmapV4 } from "./ip.ts";
import type { NetworkInterface, NetworkNamespace } from "./topology.ts";
import type { InterfaceRef, StartPoint } from "./where-is-types.ts";

export class WhereIsError extends Error {
  override name = "WhereIsError";
}

export function interfaceRef(idx: TopologyIndex, iface: NetworkInterface): InterfaceRef {
  return { key: iface.key, name: iface.name, kind: iface.kind, netns: iface.netns, netnsName: idx.namespaces.get(iface.netns)?.displayName ?? iface.netns };
}

export function resolveStart(idx: TopologyIndex, owners: AddressOwners, given: string): StartPoint {
  const at = (as: StartPoint["as"], ns: NetworkNamespace, iface: NetworkInterface | null = null): StartPoint => ({
    given,
    as,
    netns: ns.key,
    netnsName: ns.displayName,
    interface: iface ? interfaceRef(idx, iface) : null,
  });

  if (given === "initial") {
    const ns = idx.topology.namespaces.find((n) => n.initial);
    if (!ns) throw new WhereIsError("this topology has no initial namespace (was discovery run without privileges?)");
    return at("initial", ns);
  }
  const ns = idx.namespaces.get(given);
  if (ns) return at("netns", ns);
  const iface = idx.interfaces.get(given);
  if (iface) return at("interface", idx.namespaces.get(iface.netns)!, iface);

  const ip = tryParseIp(given);
  if (ip) {
    const holders = owners.holders(unmapV4(ip));
    const namespaces = [...new Set(holders.map((h) => h.netns))];
    if (namespaces.length === 0) throw new WhereIsError(`no interface in any namespace holds ${formatIp(ip)}, so it cannot be a starting point`);
    if (namespaces.length > 1)
      throw new WhereIsError(`${formatIp(ip)} is held in ${namespaces.length} namespaces (${namespaces.map((n) => n.displayName).join(", ")}); give one of them as the starting point`);
    return at("address", namespaces[0]!, holders[0]!.iface);
  }

  const byName = idx.topology.namespaces.filter((n) => n.displayName === given);
  if (byName.length === 1) return at("netns", byName[0]!);
  if (byName.length > 1) throw new WhereIsError(`${byName.length} namespaces are named ${JSON.stringify(given)}; give a namespace key instead (${byName.map((n) => n.key).join(", ")})`);

  const inode = /^(?:net:\[([0-9]+)\]|([0-9]+))$/.exec(given);
  if (inode) {
    const found = idx.topology.namespaces.find((n) => n.inode === Number(inode[1] ?? inode[2]));
    if (found) return at("netns", found);
  }
  throw new WhereIsError(
    `unknown starting point ${JSON.stringify(given)}: give "initial", a namespace key, name or inode (net:[N]), an interface key, or an address that one namespace holds`,
  );
}
