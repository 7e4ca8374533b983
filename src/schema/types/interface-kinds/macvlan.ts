import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { MacvlanMode } from "../../enums.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const MacvlanDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "macvlan" }>>("MacvlanDetails").implement({
  description: "A macvlan or macvtap device's settings.",
  fields: (t) => ({
    mode: t.field({ description: "How it forwards among its siblings.", type: MacvlanMode.ref, resolve: (d) => MacvlanMode.of(d.mode) }),
    macvtap: t.exposeBoolean("macvtap", { description: "Whether it is a macvtap (a tap file per device)." }),
  }),
});
export const MacvlanInterface = kindType("macvlan", "A macvlan or macvtap device; `master` is its lower device.", (t) => ({
  details: t.field({ type: MacvlanDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "macvlan") }),
}));
