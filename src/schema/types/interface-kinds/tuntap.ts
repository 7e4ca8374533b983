import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { TuntapModeEnum } from "../../enums.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const TuntapDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "tuntap" }>>("TuntapDetails").implement({
  description: "A tun or tap device's settings.",
  fields: (t) => ({
    mode: t.field({ description: "What it carries.", type: TuntapModeEnum, resolve: (d) => d.mode }),
    persistent: t.exposeBoolean("persistent", { description: "Whether it outlives the process that made it.", nullable: true }),
    multiQueue: t.exposeBoolean("multiQueue", { description: "Whether it has several queues.", nullable: true }),
    owner: t.exposeInt("owner", { description: "The uid allowed to attach; null for any.", nullable: true }),
    group: t.exposeInt("group", { description: "The gid allowed to attach; null for any.", nullable: true }),
    vnetHdr: t.exposeBoolean("vnetHdr", { description: "Whether frames carry virtio-net headers.", nullable: true }),
    packetInfo: t.exposeBoolean("packetInfo", { description: "Whether frames carry the packet-information header (IFF_NO_PI off).", nullable: true }),
  }),
});
export const TuntapInterface = kindType("tuntap", "A tun or tap device; `users` are the processes holding it open.", (t) => ({
  details: t.field({ type: TuntapDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "tuntap") }),
}));
