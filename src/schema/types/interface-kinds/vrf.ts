import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const VrfDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "vrf" }>>("VrfDetails").implement({
  description: "A VRF's settings.",
  fields: (t) => ({
    table: t.exposeFloat("table", { description: "The routing table its members' routes live in (a u32: see `routes(filter: {table})`)." }),
  }),
});

export const VrfInterface = kindType("vrf", "A VRF (an L3 routing domain); `members` are the interfaces enslaved to it.", (t) => ({
  details: t.field({ type: VrfDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "vrf") }),
}));
