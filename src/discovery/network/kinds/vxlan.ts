// A VXLAN tunnel endpoint. Its underlay is the device IFLA_VXLAN_LINK names (in IFLA_LINK_NETNSID's
// namespace when the device was moved).

import { type KindModule, noDetails } from "./kind-module.ts";
import { isMulticast } from "./addresses.ts";

export const vxlan: KindModule = {
  driverKinds: ["vxlan"],
  underlay: (l) => (l.data?.kind === "vxlan" && l.data.link ? l.data.link : undefined),
  details({ data: d }) {
    if (d?.kind !== "vxlan") return noDetails();
    // IFLA_VXLAN_GROUP holds either a multicast group or a unicast remote; iproute2 tells
    // them apart by the address, and so do we.
    const peer = d.group ?? d.group6 ?? null;
    const multicast = isMulticast(peer ?? undefined);
    return {
      kind: "vxlan",
      vni: d.vni ?? null,
      group: multicast ? peer : null,
      remote: multicast ? null : peer,
      local: d.local ?? d.local6 ?? null,
      port: d.port ?? null,
      sourcePortRange: d.portRange ?? null,
      ttl: d.ttl ?? null,
      tos: d.tos ?? null,
      learning: d.learning ?? null,
      proxy: d.proxy ?? null,
    };
  },
};
