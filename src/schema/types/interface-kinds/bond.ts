import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { BondMode, BondXmitHashPolicy } from "../../enums.ts";
import { indexOf } from "../../topology-index.ts";
import { byKey } from "../lookup.ts";
import { InterfaceRef } from "../refs.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

type Bond = Extract<InterfaceDetails, { kind: "bond" }> & { owner: NetworkInterface };

const BondDetails = builder.objectRef<Bond>("BondDetails").implement({
  description: "A bond's settings.",
  fields: (t) => ({
    mode: t.field({ type: BondMode.ref, description: "How it uses its members.", resolve: (d) => BondMode.of(d.mode) }),
    activeMember: t.field({ type: InterfaceRef, nullable: true, description: "The member carrying the traffic (active-backup, balance-tlb, balance-alb); null when none.", resolve: (d) => byKey(indexOf(d.owner).interfaces, d.activeMember) }),
    primary: t.field({ type: InterfaceRef, nullable: true, description: "The member preferred whenever it is up; null when none is set.", resolve: (d) => byKey(indexOf(d.owner).interfaces, d.primary) }),
    miimon: t.exposeInt("miimon", { description: "The MII link monitoring interval in milliseconds (0: off).", nullable: true }),
    updelay: t.exposeInt("updelay", { description: "Milliseconds a member's link must be up before it is used.", nullable: true }),
    downdelay: t.exposeInt("downdelay", { description: "Milliseconds a member's link must be down before it is dropped.", nullable: true }),
    minLinks: t.exposeInt("minLinks", { description: "Members that must be up for the bond to be up.", nullable: true }),
    xmitHashPolicy: t.field({ type: BondXmitHashPolicy.ref, nullable: true, description: "How balance-xor and 802.3ad spread flows over members.", resolve: (d) => (d.xmitHashPolicy === null ? null : BondXmitHashPolicy.of(d.xmitHashPolicy)) }),
  }),
});

export const BondInterface = kindType("bond", "A bond (link aggregation); `members` are its ports.", (t) => ({
  details: t.field({
    type: BondDetails,
    nullable: true,
    description: DETAILS,
    resolve: (i: NetworkInterface) => {
      const d = details(i, "bond");
      return d && { ...d, owner: i };
    },
  }),
}));
