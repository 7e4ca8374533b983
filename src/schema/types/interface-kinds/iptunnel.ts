import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const IpTunnelDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "iptunnel" }>>("IpTunnelDetails").implement({
  description: "An IP-in-IP tunnel's settings (ipip, sit, ip6tnl: `driverKind` says which).",
  fields: (t) => ({
    local: t.exposeString("local", { description: "The local endpoint; null for any.", nullable: true }),
    remote: t.exposeString("remote", { description: "The remote endpoint; null for any (6to4, ISATAP, an external tunnel).", nullable: true }),
    ttl: t.exposeInt("ttl", { description: "The TTL (hop limit) of outer packets (0: inherited).", nullable: true }),
    tos: t.exposeInt("tos", { description: "The TOS of outer packets.", nullable: true }),
    pmtudisc: t.exposeBoolean("pmtudisc", { description: "Whether outer IPv4 packets set don't-fragment.", nullable: true }),
    protocol: t.exposeInt("protocol", { description: "The inner protocol it carries (4 IPv4, 41 IPv6, 0 any).", nullable: true }),
    encapLimit: t.exposeInt("encapLimit", { description: "The IPv6 tunnel encapsulation limit (ip6tnl).", nullable: true }),
    collectMetadata: t.exposeBoolean("collectMetadata", { description: "Whether it is external: endpoints come per packet." }),
  }),
});

export const IpTunnelInterface = kindType("iptunnel", "An IP-in-IP tunnel; `underlay` is the device it is bound to, else where the route to its remote leads.", (t) => ({
  details: t.field({ type: IpTunnelDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "iptunnel") }),
}));
