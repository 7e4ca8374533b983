// macvlan and macvtap: stacked on the lower device IFLA_LINK names.

import { type KindModule, noDetails } from "./kind-module.ts";

export const macvlan: KindModule = {
  driverKinds: ["macvlan", "macvtap"],
  linkIs: "lower",
  details: ({ data: d }) => (d?.kind === "macvlan" || d?.kind === "macvtap" ? { kind: "macvlan", mode: d.modeName, macvtap: d.kind === "macvtap" } : noDetails()),
};
