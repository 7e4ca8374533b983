// A Linux bridge. Its ports are the links whose IFLA_MASTER is the bridge (relations.ts).

import { type KindModule, noDetails } from "./kind-module.ts";

export const bridge: KindModule = {
  driverKinds: ["bridge"],
  details: ({ data: d }) =>
    d?.kind === "bridge"
      ? {
          kind: "bridge",
          stpState: d.stpState ?? null,
          vlanFiltering: d.vlanFiltering ?? null,
          forwardDelay: d.forwardDelay ?? null,
          ageingTime: d.ageingTime ?? null,
          priority: d.priority ?? null,
          bridgeId: d.bridgeId ?? null,
        }
      : noDetails(),
};
