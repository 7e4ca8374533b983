import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { NetkitMode, NetkitPolicy } from "../../enums.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const NetkitDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "netkit" }>>("NetkitDetails").implement({
  description: "A netkit device's settings.",
  fields: (t) => ({
    mode: t.field({ type: NetkitMode.ref, nullable: true, description: "What it carries.", resolve: (d) => (d.mode === null ? null : NetkitMode.of(d.mode)) }),
    primary: t.exposeBoolean("primary", { description: "Whether it is the primary end, through which BPF programs are attached.", nullable: true }),
    policy: t.field({ type: NetkitPolicy.ref, nullable: true, description: "What it does with packets when no BPF program is attached.", resolve: (d) => (d.policy === null ? null : NetkitPolicy.of(d.policy)) }),
    peerPolicy: t.field({ type: NetkitPolicy.ref, nullable: true, description: "The same for its peer.", resolve: (d) => (d.peerPolicy === null ? null : NetkitPolicy.of(d.peerPolicy)) }),
  }),
});

export const NetkitInterface = kindType("netkit", "One end of a netkit pair (BPF-programmable veth); `peer` is the other end.", (t) => ({
  details: t.field({ type: NetkitDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "netkit") }),
}));
