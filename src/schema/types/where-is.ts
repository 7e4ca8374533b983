// whereIs over GraphQL: the model's answer, with every key it holds turned into the entity of
// the same topology (interfaces, addresses, routes, namespaces).

import type { Hop, Owner, StartPoint, WhereIsResult } from "../../model/where-is.ts";
import { builder } from "../builder.ts";
import { AddressFamilyEnum, HopKindEnum, PathEndEnum, StartKindEnum } from "../enums.ts";
import type { SchemaIndex } from "../topology-index.ts";
import { byKey } from "./lookup.ts";
import { AddressRef, InterfaceRef, NamespaceRef, RouteRef } from "./refs.ts";

type In<T> = T & { index: SchemaIndex };

const OwnerRef = builder.objectRef<In<Owner>>("WhereIsOwner").implement({
  fields: (t) => ({
    netns: t.exposeString("netns"),
    namespace: t.field({ type: NamespaceRef, nullable: true, resolve: (o) => byKey(o.index.namespaces, o.netns) }),
    interface: t.field({ type: InterfaceRef, nullable: true, resolve: (o) => byKey(o.index.interfaces, o.interface?.key) }),
    address: t.field({ type: AddressRef, nullable: true, resolve: (o) => byKey(o.index.addresses, o.address?.key) }),
    reached: t.exposeBoolean("reached", { description: "Whether the path from the starting point delivers the packet here." }),
  }),
});

const StartRef = builder.objectRef<In<StartPoint>>("WhereIsStart").implement({
  fields: (t) => ({
    given: t.exposeString("given"),
    as: t.field({ type: StartKindEnum, resolve: (s) => s.as }),
    netns: t.exposeString("netns"),
    namespace: t.field({ type: NamespaceRef, nullable: true, resolve: (s) => byKey(s.index.namespaces, s.netns) }),
    interface: t.field({ type: InterfaceRef, nullable: true, resolve: (s) => byKey(s.index.interfaces, s.interface?.key) }),
  }),
});

const HopRef = builder.objectRef<In<Hop>>("WhereIsHop").implement({
  fields: (t) => ({
    kind: t.field({ type: HopKindEnum, resolve: (h) => h.kind }),
    netns: t.exposeString("netns"),
    namespace: t.field({ type: NamespaceRef, nullable: true, resolve: (h) => byKey(h.index.namespaces, h.netns) }),
    ingress: t.field({ type: InterfaceRef, nullable: true, resolve: (h) => byKey(h.index.interfaces, h.ingress?.key) }),
    route: t.field({ type: RouteRef, nullable: true, resolve: (h) => byKey(h.index.routes, h.route?.key) }),
    bridge: t.field({ type: InterfaceRef, nullable: true, resolve: (h) => byKey(h.index.interfaces, h.bridge?.key) }),
    egress: t.field({ type: InterfaceRef, nullable: true, resolve: (h) => byKey(h.index.interfaces, h.egress?.key) }),
    nextHop: t.exposeString("nextHop", { nullable: true }),
    note: t.exposeString("note"),
  }),
});

const EndRef = builder.objectRef<NonNullable<WhereIsResult["end"]>>("WhereIsEnd").implement({
  fields: (t) => ({ reason: t.field({ type: PathEndEnum, resolve: (e) => e.reason }), message: t.exposeString("message") }),
});

export const WhereIsRef = builder.objectRef<In<WhereIsResult>>("WhereIsResult").implement({
  description: "Who owns an address, and where a packet from a starting point goes (hop by hop).",
  fields: (t) => ({
    query: t.exposeString("query"),
    address: t.exposeString("address"),
    family: t.field({ type: AddressFamilyEnum, resolve: (r) => r.family }),
    owners: t.field({ type: [OwnerRef], resolve: (r) => r.owners.map((o) => ({ ...o, index: r.index })) }),
    from: t.field({ type: StartRef, nullable: true, resolve: (r) => (r.from ? { ...r.from, index: r.index } : null) }),
    path: t.field({ type: [HopRef], resolve: (r) => r.path.map((h) => ({ ...h, index: r.index })) }),
    end: t.field({ type: EndRef, nullable: true, resolve: (r) => r.end }),
    reached: t.field({ type: OwnerRef, nullable: true, resolve: (r) => (r.reached ? { ...r.reached, index: r.index } : null) }),
    found: t.exposeBoolean("found"),
    notes: t.exposeStringList("notes"),
  }),
});
