import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const GeneveDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "geneve" }>>("GeneveDetails").implement({
  description: "A Geneve device's settings.",
  fields: (t) => ({
    vni: t.exposeInt("vni", { description: "The virtual network identifier.", nullable: true }),
    remote: t.exposeString("remote", { description: "The remote tunnel endpoint; null for an external (flow-based) device.", nullable: true }),
    port: t.exposeInt("port", { description: "The UDP destination port.", nullable: true }),
    ttl: t.exposeInt("ttl", { description: "The TTL of outer packets (0: the route's).", nullable: true }),
    tos: t.exposeInt("tos", { description: "The TOS of outer packets.", nullable: true }),
    collectMetadata: t.exposeBoolean("collectMetadata", { description: "Whether it is external: remote and VNI come per packet (from BPF or OVS)." }),
  }),
});

export const GeneveInterface = kindType("geneve", "A Geneve tunnel endpoint; `underlay` is where the route to its remote leads.", (t) => ({
  details: t.field({ type: GeneveDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "geneve") }),
}));
