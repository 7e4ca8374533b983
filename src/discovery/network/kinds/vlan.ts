// An 802.1Q/802.1ad VLAN device, stacked on the lower device IFLA_LINK names.

import { type KindModule, noDetails } from "./kind-module.ts";

export const vlan: KindModule = {
  driverKinds: ["vlan"],
  linkIs: "lower",
  details: ({ data: d }) => (d?.kind === "vlan" ? { kind: "vlan", id: d.id, protocol: d.protocolName } : noDetails()),
};
