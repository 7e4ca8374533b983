// IP-in-IP tunnels: ipip (IPv4 in IPv4), sit (IPv6 in IPv4), ip6tnl (IPv4 or IPv6 in IPv6).
// Underlay: the device IFLA_IPTUN_LINK names, else the route to the remote.

import { IPTUN_KINDS, isIptunKind, type IptunData, type RtLink } from "../../../netlink/index.ts";
import { specified } from "./addresses.ts";
import { type KindModule, noDetails } from "./kind-module.ts";

const iptunData = (l: RtLink): IptunData | undefined => (l.data && isIptunKind(l.data.kind) ? (l.data as IptunData) : undefined);

export const iptunnel: KindModule = {
  driverKinds: IPTUN_KINDS,
  underlay: (l) => iptunData(l)?.link || undefined,
  remote: (d) => (d.kind === "iptunnel" ? d.remote : null),
  details(l) {
    const d = iptunData(l);
    if (!d) return noDetails();
    return {
      kind: "iptunnel",
      local: specified(d.local),
      remote: specified(d.remote),
      ttl: d.ttl ?? null,
      tos: d.tos ?? null,
      pmtudisc: d.pmtudisc ?? null,
      protocol: d.proto ?? null,
      encapLimit: d.encapLimit ?? null,
      collectMetadata: d.collectMetadata ?? false,
    };
  },
};
