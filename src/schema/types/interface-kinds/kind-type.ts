// The GraphQL type of one interface kind: a Node implementing Interface, named by
// INTERFACE_TYPENAMES, with the kind's own fields (its `details`, kind-specific relations).

import type { InterfaceDetails, InterfaceKind, NetworkInterface } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { INTERFACE_TYPENAMES } from "../../topology-index.ts";
import { InterfaceRef } from "../refs.ts";

export const DETAILS = "Its kind's settings; null when the kernel did not report them.";

export type KindFields = (t: any) => Record<string, any>;

export function kindType(kind: InterfaceKind, description: string, fields?: KindFields) {
  const ref = builder.objectRef<NetworkInterface>(INTERFACE_TYPENAMES[kind]);
  builder.node(ref, {
    description,
    interfaces: [InterfaceRef],
    id: { resolve: (i) => i.key },
    isTypeOf: (v) => (v as NetworkInterface).kind === kind && typeof (v as NetworkInterface).index === "number",
    fields: (t) => (fields ? fields(t) : {}),
  });
  return ref;
}

/** The interface's details if they are of `kind`. */
export function details<K extends InterfaceDetails["kind"]>(i: NetworkInterface, kind: K): Extract<InterfaceDetails, { kind: K }> | null {
  return i.details.kind === kind ? (i.details as Extract<InterfaceDetails, { kind: K }>) : null;
}
