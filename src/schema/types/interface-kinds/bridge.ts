import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const BridgeDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "bridge" }>>("BridgeDetails").implement({
  description: "A bridge's settings.",
  fields: (t) => ({
    stpState: t.exposeInt("stpState", { description: "STP: 0 off, 1 the kernel's, 2 a user-space daemon's.", nullable: true }),
    vlanFiltering: t.exposeBoolean("vlanFiltering", { description: "Whether VLAN filtering is on.", nullable: true }),
    forwardDelay: t.exposeFloat("forwardDelay", { description: "The forward delay, in centiseconds (as the kernel reports it).", nullable: true }),
    ageingTime: t.exposeFloat("ageingTime", { description: "The FDB ageing time, in centiseconds.", nullable: true }),
    priority: t.exposeInt("priority", { description: "The bridge priority.", nullable: true }),
    bridgeId: t.exposeString("bridgeId", { description: "The bridge id (priority and MAC address).", nullable: true }),
  }),
});
const LabelsDecoration = builder.objectRef<NonNullable<NetworkInterface["containerNetwork"]>>("BridgeDecoration").implement({
  description: "A bridge that is a container engine's network: that network's name, labels and flags.",
  fields: (t) => ({
    network: t.exposeString("network", { description: "The container network's key." }),
    engine: t.exposeString("engine", { description: "The engine's key." }),
    name: t.exposeString("name", { description: "The network's name." }),
    internal: t.exposeBoolean("internal", { description: "Whether the network is internal (no way out)." }),
    default: t.exposeBoolean("default", { description: "Whether it is the engine's default network." }),
    labels: t.field({ description: "The network's labels (a JSON object).", type: "JSON", resolve: (d) => d.labels }),
  }),
});

export const BridgeInterface = kindType("bridge", "A Linux bridge; `ports` are its ports.", (t) => ({
  details: t.field({ type: BridgeDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "bridge") }),
  containerNetwork: t.field({ type: LabelsDecoration, nullable: true, description: "The container engine's network this bridge is; null when none.", resolve: (i: NetworkInterface) => i.containerNetwork }),
}));
