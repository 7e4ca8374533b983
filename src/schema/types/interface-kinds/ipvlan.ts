import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { IpvlanFlags, IpvlanMode } from "../../enums.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const IpvlanDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "ipvlan" }>>("IpvlanDetails").implement({
  description: "An ipvlan or ipvtap device's settings.",
  fields: (t) => ({
    mode: t.field({ type: IpvlanMode.ref, description: "Where it switches.", resolve: (d) => IpvlanMode.of(d.mode) }),
    flags: t.field({ type: IpvlanFlags.ref, description: "How it forwards among its siblings.", resolve: (d) => IpvlanFlags.of(d.flags) }),
    ipvtap: t.exposeBoolean("ipvtap", { description: "Whether it is an ipvtap (a tap file per device)." }),
  }),
});

export const IpvlanInterface = kindType("ipvlan", "An ipvlan or ipvtap device; `master` is its lower device, whose MAC address it shares.", (t) => ({
  details: t.field({ type: IpvlanDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "ipvlan") }),
}));
