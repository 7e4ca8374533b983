// Every interface kind's GraphQL type, by model kind. A Record over InterfaceKind, so a kind
// added to the model is a type error here until its type exists.

import type { ObjectRef } from "@pothos/core";
import type { InterfaceKind, NetworkInterface } from "../../../model/topology.ts";
import { BondInterface } from "./bond.ts";
import { BridgeInterface } from "./bridge.ts";
import { GeneveInterface } from "./geneve.ts";
import { GreInterface } from "./gre.ts";
import { IpTunnelInterface } from "./iptunnel.ts";
import { IpvlanInterface } from "./ipvlan.ts";
import { MacvlanInterface } from "./macvlan.ts";
import { NetkitInterface } from "./netkit.ts";
import { PhysicalInterface } from "./physical.ts";
import { LoopbackInterface, OtherInterface, TeamInterface, VethInterface, WireguardInterface } from "./simple.ts";
import { TuntapInterface } from "./tuntap.ts";
import { VlanInterface } from "./vlan.ts";
import { VrfInterface } from "./vrf.ts";
import { VxlanInterface } from "./vxlan.ts";

export const INTERFACE_KIND_TYPES: Record<InterfaceKind, ObjectRef<any, NetworkInterface>> = {
  loopback: LoopbackInterface,
  physical: PhysicalInterface,
  veth: VethInterface,
  bridge: BridgeInterface,
  macvlan: MacvlanInterface,
  vlan: VlanInterface,
  vxlan: VxlanInterface,
  tuntap: TuntapInterface,
  ipvlan: IpvlanInterface,
  bond: BondInterface,
  team: TeamInterface,
  vrf: VrfInterface,
  wireguard: WireguardInterface,
  geneve: GeneveInterface,
  gre: GreInterface,
  iptunnel: IpTunnelInterface,
  netkit: NetkitInterface,
  other: OtherInterface,
};
