// whereIs over GraphQL: the model's answer, with every key it holds turned into the entity of
// the same topology (interfaces, addresses, routes, namespaces).

import type { Hop, Owner, StartPoint, WhereIsResult } from "../../model/where-is.ts";
import { builder } from "../builder.ts";
import { AddressFamilyEnum, HopKindEnum, PathEndEnum, StartKindEnum } from "../enums.ts";
import type { SchemaIndex } from "../topology-index.ts";
import { byKey } from "./lookup.ts";
import { AddressRef, ForwardedPortRef, InterfaceRef, NamespaceRef, RouteRef } from "./refs.ts";

type In<T> = T & { index: SchemaIndex };

const OwnerRef = builder.objectRef<In<Owner>>("WhereIsOwner").implement({
  description: "Something holding the address.",
  fields: (t) => ({
    netns: t.exposeString("netns", { description: "Its namespace's key." }),
    namespace: t.field({ description: "Its namespace.", type: NamespaceRef, nullable: true, resolve: (o) => byKey(o.index.namespaces, o.netns) }),
    interface: t.field({ description: "The interface holding it.", type: InterfaceRef, nullable: true, resolve: (o) => byKey(o.index.interfaces, o.interface?.key) }),
    address: t.field({ description: "The address entry.", type: AddressRef, nullable: true, resolve: (o) => byKey(o.index.addresses, o.address?.key) }),
    reached: t.exposeBoolean("reached", { description: "Whether the path from the starting point delivers the packet here." }),
  }),
});

const StartRef = builder.objectRef<In<StartPoint>>("WhereIsStart").implement({
  description: "Where the path starts.",
  fields: (t) => ({
    given: t.exposeString("given", { description: "`from` as given." }),
    as: t.field({ description: "How it was understood.", type: StartKindEnum, resolve: (s) => s.as }),
    netns: t.exposeString("netns", { description: "The starting namespace's key." }),
    namespace: t.field({ description: "The starting namespace.", type: NamespaceRef, nullable: true, resolve: (s) => byKey(s.index.namespaces, s.netns) }),
    interface: t.field({ description: "The interface it leaves through, when `from` named one.", type: InterfaceRef, nullable: true, resolve: (s) => byKey(s.index.interfaces, s.interface?.key) }),
  }),
});

const DnatRef = builder.objectRef<In<NonNullable<Hop["dnat"]>>>("WhereIsDnat").implement({
  description: "A forwarding that rewrote the packet's destination.",
  fields: (t) => ({
    forwardedPort: t.field({ type: ForwardedPortRef, nullable: true, description: "The forwarding (NAT rule or proxy) that matched.", resolve: (d) => byKey(d.index.forwardedPorts, d.forwardedPort) }),
    service: t.exposeString("service", { nullable: true, description: "The service as kube-proxy spells it (`namespace/name:port`), when the forwarding is a service's; null otherwise." }),
    from: t.exposeString("from", { description: "The destination before (`address:port`)." }),
    to: t.exposeString("to", { description: "The destination after (`address:port`)." }),
  }),
});

const HopRef = builder.objectRef<In<Hop>>("WhereIsHop").implement({
  description: "One hop of the path.",
  fields: (t) => ({
    kind: t.field({ description: "What moved the packet.", type: HopKindEnum, resolve: (h) => h.kind }),
    dnat: t.field({ description: "The forwarding that rewrote the destination (DNAT hops).", type: DnatRef, nullable: true, resolve: (h) => (h.dnat ? { ...h.dnat, index: h.index } : null) }),
    netns: t.exposeString("netns", { description: "The key of the namespace it is in." }),
    namespace: t.field({ description: "The namespace it is in.", type: NamespaceRef, nullable: true, resolve: (h) => byKey(h.index.namespaces, h.netns) }),
    ingress: t.field({ description: "The interface it came in through; null at the start.", type: InterfaceRef, nullable: true, resolve: (h) => byKey(h.index.interfaces, h.ingress?.key) }),
    route: t.field({ description: "The route chosen (ROUTE hops).", type: RouteRef, nullable: true, resolve: (h) => byKey(h.index.routes, h.route?.key) }),
    bridge: t.field({ description: "The bridge that switched it (BRIDGE hops).", type: InterfaceRef, nullable: true, resolve: (h) => byKey(h.index.interfaces, h.bridge?.key) }),
    egress: t.field({ description: "The interface it leaves through.", type: InterfaceRef, nullable: true, resolve: (h) => byKey(h.index.interfaces, h.egress?.key) }),
    nextHop: t.exposeString("nextHop", { description: "The next hop's address (a gateway); null when the destination is on the link.", nullable: true }),
    note: t.exposeString("note", { description: "What happened, in words." }),
  }),
});

const EndRef = builder.objectRef<NonNullable<WhereIsResult["end"]>>("WhereIsEnd").implement({
  description: "Why the path ends where it does.",
  fields: (t) => ({
    reason: t.field({ description: "Why, as a value.", type: PathEndEnum, resolve: (e) => e.reason }),
    message: t.exposeString("message", { description: "Why, in words." }),
  }),
});

export const WhereIsRef = builder.objectRef<In<WhereIsResult>>("WhereIsResult").implement({
  description: "Who owns an address, and where a packet from a starting point goes (hop by hop).",
  fields: (t) => ({
    query: t.exposeString("query", { description: "The address as asked." }),
    address: t.exposeString("address", { description: "The address, canonical." }),
    port: t.exposeInt("port", { nullable: true, description: "The destination port as asked; null without `port`." }),
    translatedTo: t.exposeString("translatedTo", { nullable: true, description: "Where a forwarding on the path sent the packet instead (`address:port`); null when none did." }),
    family: t.field({ description: "IPv4 or IPv6.", type: AddressFamilyEnum, resolve: (r) => r.family }),
    owners: t.field({ description: "What holds the address.", type: [OwnerRef], resolve: (r) => r.owners.map((o) => ({ ...o, index: r.index })) }),
    from: t.field({ description: "Where the path starts; null without `from`.", type: StartRef, nullable: true, resolve: (r) => (r.from ? { ...r.from, index: r.index } : null) }),
    path: t.field({ description: "The hops.", type: [HopRef], resolve: (r) => r.path.map((h) => ({ ...h, index: r.index })) }),
    end: t.field({ description: "Why the path ends; null without `from`.", type: EndRef, nullable: true, resolve: (r) => r.end }),
    reached: t.field({ description: "The owner the path delivers to; null when none.", type: OwnerRef, nullable: true, resolve: (r) => (r.reached ? { ...r.reached, index: r.index } : null) }),
    found: t.exposeBoolean("found", { description: "Whether it is on this host (held, or delivered to)." }),
    notes: t.exposeStringList("notes", { description: "What the answer could not take into account." }),
  }),
});
