import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const GreDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "gre" }>>("GreDetails").implement({
  description: "A GRE tunnel's settings (gre, gretap, ip6gre, ip6gretap, erspan, ip6erspan: `driverKind` says which).",
  fields: (t) => ({
    local: t.exposeString("local", { description: "The local endpoint; null for any.", nullable: true }),
    remote: t.exposeString("remote", { description: "The remote endpoint; null for any (a multipoint or external tunnel).", nullable: true }),
    inputKey: t.exposeFloat("inputKey", { description: "The GRE key incoming packets must carry (a u32); null when none.", nullable: true }),
    outputKey: t.exposeFloat("outputKey", { description: "The GRE key outgoing packets carry (a u32); null when none.", nullable: true }),
    ttl: t.exposeInt("ttl", { description: "The TTL (hop limit) of outer packets (0: inherited).", nullable: true }),
    tos: t.exposeInt("tos", { description: "The TOS of outer packets.", nullable: true }),
    pmtudisc: t.exposeBoolean("pmtudisc", { description: "Whether outer IPv4 packets set don't-fragment (path MTU discovery).", nullable: true }),
    encapLimit: t.exposeInt("encapLimit", { description: "IPv6: the tunnel encapsulation limit.", nullable: true }),
    collectMetadata: t.exposeBoolean("collectMetadata", { description: "Whether it is external: endpoints and keys come per packet." }),
  }),
});

export const GreInterface = kindType("gre", "A GRE tunnel; `underlay` is the device it is bound to, else where the route to its remote leads.", (t) => ({
  details: t.field({ type: GreDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "gre") }),
}));
