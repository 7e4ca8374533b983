// GRE tunnels: gre and gretap over IPv4, ip6gre and ip6gretap over IPv6, erspan and ip6erspan.
// Underlay: the device IFLA_GRE_LINK names, else the route to the remote.

import { GRE_KINDS, isGreKind, type GreData, type RtLink } from "../../../netlink/index.ts";
import { specified } from "./addresses.ts";
import { type KindModule, noDetails } from "./kind-module.ts";

const greData = (l: RtLink): GreData | undefined => (l.data && isGreKind(l.data.kind) ? (l.data as GreData) : undefined);

export const gre: KindModule = {
  driverKinds: GRE_KINDS,
  underlay: (l) => greData(l)?.link || undefined,
  remote: (d) => (d.kind === "gre" ? d.remote : null),
  details(l) {
    const d = greData(l);
    if (!d) return noDetails();
    return {
      kind: "gre",
      local: specified(d.local),
      remote: specified(d.remote),
      inputKey: d.ikey ?? null,
      outputKey: d.okey ?? null,
      ttl: d.ttl ?? null,
      tos: d.tos ?? null,
      pmtudisc: d.pmtudisc ?? null,
      encapLimit: d.encapLimit ?? null,
      collectMetadata: d.collectMetadata ?? false,
    };
  },
};
