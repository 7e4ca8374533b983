// Every interface kind's discovery module, by model kind: the one table classify(), toInterface()
// and the relation passes consult. A Record over InterfaceKind, so a kind added to the model is a
// type error here until its module exists.

import type { RtLink } from "../../../netlink/index.ts";
import type { InterfaceKind } from "../../../model/topology.ts";
import { bond } from "./bond.ts";
import { bridge } from "./bridge.ts";
import { geneve } from "./geneve.ts";
import { gre } from "./gre.ts";
import { iptunnel } from "./iptunnel.ts";
import { ipvlan } from "./ipvlan.ts";
import type { KindModule } from "./kind-module.ts";
import { loopback } from "./loopback.ts";
import { macvlan } from "./macvlan.ts";
import { netkit } from "./netkit.ts";
import { other } from "./other.ts";
import { physical } from "./physical.ts";
import { team } from "./team.ts";
import { tuntap } from "./tuntap.ts";
import { veth } from "./veth.ts";
import { vlan } from "./vlan.ts";
import { vrf } from "./vrf.ts";
import { vxlan } from "./vxlan.ts";
import { wireguard } from "./wireguard.ts";

export type { DetailsContext, KindModule } from "./kind-module.ts";

export const KIND_MODULES: Record<InterfaceKind, KindModule> = {
  loopback,
  physical,
  veth,
  bridge,
  macvlan,
  vlan,
  vxlan,
  tuntap,
  ipvlan,
  bond,
  team,
  vrf,
  wireguard,
  geneve,
  gre,
  iptunnel,
  netkit,
  other,
};

/** IFLA_INFO_KIND → model kind. */
const BY_DRIVER_KIND = new Map<string, InterfaceKind>(
  Object.entries(KIND_MODULES).flatMap(([kind, m]) => m.driverKinds.map((dk) => [dk, kind as InterfaceKind] as const)),
);

/** The model kind of a driver kind (IFLA_INFO_KIND); "other" for kinds wiresight does not model. */
export function kindOfDriver(driverKind: string): InterfaceKind {
  return BY_DRIVER_KIND.get(driverKind) ?? "other";
}

/** The module of a link's IFLA_INFO_KIND, if wiresight models it. */
export function moduleOfLink(link: RtLink): KindModule | undefined {
  const kind = link.kind === undefined ? undefined : BY_DRIVER_KIND.get(link.kind);
  return kind && KIND_MODULES[kind];
}
