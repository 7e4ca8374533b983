// Which interfaces hold an address, across every namespace of a Topology. The same private
// address is often configured in many namespaces (every container's 172.17.0.2, every lab's
// 10.0.0.1), so a lookup returns all holders; callers decide which one a packet would reach.

import { tryParseIp, type Ip } from "./ip.ts";
import type { Address, NetworkInterface, NetworkNamespace, Topology } from "./topology.ts";

export interface Holder {
  netns: NetworkNamespace;
  iface: NetworkInterface;
  address: Address;
}

/**
 * Addresses the kernel does not (yet) answer for: an IPv6 address still in duplicate address
 * detection, or one that failed it. They are configured, so they are listed as owners, but no
 * packet is delivered to them.
 */
const NOT_ANSWERING = new Set(["tentative", "dadfailed"]);

export class AddressOwners {
  private readonly byIp = new Map<string, Holder[]>();
  private readonly parsed = new Map<string, Ip | null>();

  constructor(topology: Topology) {
    for (const netns of topology.namespaces)
      for (const iface of netns.interfaces)
        for (const address of iface.addresses) {
          const ip = this.parse(address.address);
          if (!ip) continue;
          const k = ipKey(ip);
          const list = this.byIp.get(k);
          if (list) list.push({ netns, iface, address });
          else this.byIp.set(k, [{ netns, iface, address }]);
        }
  }

  /** Every interface that has this address configured, in topology order. */
  holders(ip: Ip): Holder[] {
    return this.byIp.get(ipKey(ip)) ?? [];
  }

  /** Holders that would answer for the address (not tentative, not failed DAD). */
  answering(ip: Ip): Holder[] {
    return this.holders(ip).filter((h) => !h.address.flags.some((f) => NOT_ANSWERING.has(f)));
  }

  /** Address text from the topology → Ip, cached (a topology repeats the same text a lot). */
  readonly parse = (text: string): Ip | null => {
    let ip = this.parsed.get(text);
    if (ip === undefined) {
      ip = tryParseIp(text);
      this.parsed.set(text, ip);
    }
    return ip;
  };
}

// A Topology is not changed once discovered, so its address index is built once and reused by
// every whereIs over it (a GraphQL query may ask many); a WeakMap lets it go with the topology.
const cache = new WeakMap<Topology, AddressOwners>();

export function addressOwners(topology: Topology): AddressOwners {
  let owners = cache.get(topology);
  if (!owners) {
    owners = new AddressOwners(topology);
    cache.set(topology, owners);
  }
  return owners;
}

function ipKey(ip: Ip): string {
  return `${ip.family}:${ip.value.toString(16)}`;
}
