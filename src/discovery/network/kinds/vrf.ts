// A VRF: an L3 domain whose members (IFLA_MASTER) route through its table.

import { type KindModule, noDetails } from "./kind-module.ts";

export const vrf: KindModule = {
  driverKinds: ["vrf"],
  details: ({ data: d }) => (d?.kind === "vrf" ? { kind: "vrf", table: d.table } : noDetails()),
};
