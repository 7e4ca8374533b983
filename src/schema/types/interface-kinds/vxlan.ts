import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const PortRangeRef = builder.objectRef<{ low: number; high: number }>("SourcePortRange").implement({
  description: "The UDP source ports a VXLAN device picks from.",
  fields: (t) => ({
    low: t.exposeInt("low", { description: "The lowest." }),
    high: t.exposeInt("high", { description: "The highest." }),
  }),
});
const VxlanDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "vxlan" }>>("VxlanDetails").implement({
  description: "A VXLAN device's settings.",
  fields: (t) => ({
    vni: t.exposeInt("vni", { description: "The VXLAN network identifier.", nullable: true }),
    group: t.exposeString("group", { description: "The multicast group it floods to; null when none.", nullable: true }),
    remote: t.exposeString("remote", { description: "The unicast remote endpoint; null when none.", nullable: true }),
    local: t.exposeString("local", { description: "The local address it sends from; null for any.", nullable: true }),
    port: t.exposeInt("port", { description: "The UDP destination port.", nullable: true }),
    sourcePortRange: t.field({ description: "The UDP source ports it picks from.", type: PortRangeRef, nullable: true, resolve: (d) => d.sourcePortRange }),
    ttl: t.exposeInt("ttl", { description: "The TTL of outer packets (0: inherited).", nullable: true }),
    tos: t.exposeInt("tos", { description: "The TOS of outer packets.", nullable: true }),
    learning: t.exposeBoolean("learning", { description: "Whether it learns remote MAC addresses.", nullable: true }),
    proxy: t.exposeBoolean("proxy", { description: "Whether it answers ARP and ND itself.", nullable: true }),
  }),
});
export const VxlanInterface = kindType("vxlan", "A VXLAN tunnel endpoint; `underlay` is where its packets leave.", (t) => ({
  details: t.field({ type: VxlanDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "vxlan") }),
}));
