// ipvlan and ipvtap: stacked on the lower device IFLA_LINK names, like macvlan, but sharing its MAC.

import { type KindModule, noDetails } from "./kind-module.ts";

export const ipvlan: KindModule = {
  driverKinds: ["ipvlan", "ipvtap"],
  linkIs: "lower",
  details: ({ data: d }) => (d?.kind === "ipvlan" || d?.kind === "ipvtap" ? { kind: "ipvlan", mode: d.modeName, flags: d.flagsName, ipvtap: d.kind === "ipvtap" } : noDetails()),
};
