import type { InterfaceDetails, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { VlanProtocol } from "../../enums.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const VlanDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "vlan" }>>("VlanDetails").implement({
  description: "A VLAN device's settings.",
  fields: (t) => ({
    vlanId: t.exposeInt("id", { description: "The VLAN id (VID, 0 to 4095). Not an identity: two interfaces may carry the same VLAN." }),
    protocol: t.field({ description: "The tag's EtherType.", type: VlanProtocol.ref, resolve: (d) => VlanProtocol.of(d.protocol) }),
  }),
});
export const VlanInterface = kindType("vlan", "An 802.1Q/802.1ad VLAN device; `master` is its lower device.", (t) => ({
  details: t.field({ type: VlanDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "vlan") }),
}));
