// A bond. Its members are the links whose IFLA_MASTER is the bond (relations.ts: controller /
// members); the active and the primary member are ifindexes of the bond's own namespace.

import { interfaceKey } from "../../../model/keys.ts";
import { type KindModule, noDetails } from "./kind-module.ts";

export const bond: KindModule = {
  driverKinds: ["bond"],
  details({ data: d }, { netns }) {
    if (d?.kind !== "bond") return noDetails();
    return {
      kind: "bond",
      mode: d.modeName,
      activeMember: d.activeSlave ? interfaceKey(netns, d.activeSlave) : null,
      primary: d.primary ? interfaceKey(netns, d.primary) : null,
      miimon: d.miimon ?? null,
      updelay: d.updelay ?? null,
      downdelay: d.downdelay ?? null,
      minLinks: d.minLinks ?? null,
      xmitHashPolicy: d.xmitHashPolicy ?? null,
    };
  },
};
