// Namespaces, interfaces (one GraphQL type per kind), addresses and routes. Field names are the
// Topology's (what `wiresight dump` shows). Where the dump holds a key of another entity, the
// field of the same name here gives that entity (`peer`, `ports`, `processes`…); `netns` stays
// the namespace key, and `namespace` is the namespace itself.

import type { InterfaceDetails, NetworkInterface, NetnsReference } from "../../model/topology.ts";
import { builder } from "../builder.ts";
import { AddressFamilyEnum, InterfaceKindEnum, MacvlanMode, OperStateEnum, operStateOf, ReferenceKindEnum, RouteProtocol, RoutePreferenceEnum, RouteType, Scope, TuntapModeEnum, VlanProtocol } from "../enums.ts";
import { indexOf, INTERFACE_TYPENAMES } from "../topology-index.ts";
import { AddressRef, ContainerRef, InterfaceRef, NamespaceRef, ProcessRef, RouteRef, SocketRef, TenantRef } from "./refs.ts";
import { byKeys, byKey } from "./lookup.ts";

export { InterfaceKindEnum };

const ReferenceRef = builder.objectRef<NetnsReference>("NetnsReference").implement({
  description: "One way a namespace was found: a process, a thread, a bind mount, or an open fd.",
  fields: (t) => ({
    kind: t.field({ type: ReferenceKindEnum, resolve: (r) => r.kind }),
    pid: t.int({ nullable: true, resolve: (r) => ("pid" in r ? r.pid : null) }),
    tid: t.int({ nullable: true, resolve: (r) => (r.kind === "thread" ? r.tid : null) }),
    fd: t.int({ nullable: true, resolve: (r) => (r.kind === "fd" ? r.fd : null) }),
    path: t.string({ nullable: true, resolve: (r) => (r.kind === "bindmount" ? r.path : null) }),
    viaPid: t.int({ nullable: true, resolve: (r) => (r.kind === "bindmount" ? r.viaPid : null) }),
    mountNamespace: t.float({ nullable: true, resolve: (r) => (r.kind === "bindmount" ? r.mountNamespace : null) }),
  }),
});

const NsidRef = builder.objectRef<{ nsid: number; netns: string | null; owner: object }>("Nsid").implement({
  fields: (t) => ({
    nsid: t.exposeInt("nsid"),
    netns: t.exposeString("netns", { nullable: true }),
    namespace: t.field({ type: NamespaceRef, nullable: true, resolve: (n) => byKey(indexOf(n.owner).namespaces, n.netns) }),
  }),
});

builder.node(NamespaceRef, {
  description: "A network namespace, identified by boot id and netns cookie (never reused within a boot).",
  id: { resolve: (ns) => ns.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    cookie: t.exposeString("cookie"),
    inode: t.exposeFloat("inode"),
    dev: t.exposeFloat("dev"),
    initial: t.exposeBoolean("initial"),
    displayName: t.exposeString("displayName"),
    references: t.field({ type: [ReferenceRef], resolve: (ns) => ns.references }),
    processes: t.field({ type: [ProcessRef], resolve: (ns) => byKeys(indexOf(ns).processes, ns.processes) }),
    tenants: t.field({ type: [TenantRef], resolve: (ns) => ns.tenants }),
    containers: t.field({ type: [ContainerRef], resolve: (ns) => byKeys(indexOf(ns).containers, ns.containers) }),
    interfaces: t.field({
      type: [InterfaceRef],
      args: { kind: t.arg({ type: [InterfaceKindEnum], required: false }) },
      resolve: (ns, args) => (args.kind ? ns.interfaces.filter((i) => args.kind!.includes(i.kind)) : ns.interfaces),
    }),
    addresses: t.field({ type: [AddressRef], resolve: (ns) => ns.interfaces.flatMap((i) => i.addresses) }),
    routes: t.field({ type: [RouteRef], resolve: (ns) => ns.routes }),
    sockets: t.field({ type: [SocketRef], resolve: (ns) => ns.sockets }),
    nsids: t.field({ type: [NsidRef], resolve: (ns) => ns.nsids.map((n) => ({ ...n, owner: ns })) }),
  }),
});

const RawRef = builder.objectRef<NetworkInterface["raw"]>("InterfaceRaw").implement({
  description: "What the kernel reported and relations were resolved from.",
  fields: (t) => ({
    link: t.exposeInt("link", { nullable: true }),
    linkNetnsid: t.exposeInt("linkNetnsid", { nullable: true }),
    master: t.exposeInt("master", { nullable: true }),
  }),
});

const rel = (i: NetworkInterface, key: string | null) => byKey(indexOf(i).interfaces, key);
const rels = (i: NetworkInterface, keys: string[]) => byKeys(indexOf(i).interfaces, keys);

InterfaceRef.implement({
  description: "A network interface; one type per kind. Relations are fields on every kind (null or empty where they do not apply).",
  interfaces: [builder.nodeInterfaceRef()],
  resolveType: (i) => INTERFACE_TYPENAMES[i.kind],
  fields: (t) => ({
    key: t.exposeString("key"),
    netns: t.exposeString("netns"),
    namespace: t.field({ type: NamespaceRef, resolve: (i) => indexOf(i).namespaces.get(i.netns)! }),
    index: t.exposeInt("index"),
    name: t.exposeString("name"),
    kind: t.field({ type: InterfaceKindEnum, resolve: (i) => i.kind }),
    driverKind: t.exposeString("driverKind", { nullable: true }),
    portKind: t.exposeString("portKind", { nullable: true }),
    flags: t.exposeStringList("flags"),
    up: t.exposeBoolean("up"),
    promiscuous: t.exposeBoolean("promiscuous"),
    operState: t.field({ type: OperStateEnum, resolve: (i) => operStateOf(i.operState) }),
    mac: t.exposeString("mac", { nullable: true }),
    mtu: t.exposeInt("mtu", { nullable: true }),
    alias: t.exposeString("alias", { nullable: true }),
    linkType: t.exposeInt("linkType"),
    raw: t.field({ type: RawRef, resolve: (i) => i.raw }),
    addresses: t.field({ type: [AddressRef], resolve: (i) => i.addresses }),
    users: t.field({ type: [ProcessRef], description: "Processes holding the device open (tun/tap).", resolve: (i) => byKeys(indexOf(i).processes, i.users) }),
    sockets: t.field({ type: [SocketRef], description: "Sockets this interface can carry (bound to one of its addresses, a wildcard, or to it).", resolve: (i) => indexOf(i).socketsByInterface.get(i.key) ?? [] }),
    peer: t.field({ type: InterfaceRef, nullable: true, description: "veth: the other end, possibly in another namespace.", resolve: (i) => rel(i, i.relations.peer) }),
    bridge: t.field({ type: InterfaceRef, nullable: true, description: "A bridge port: its bridge.", resolve: (i) => rel(i, i.relations.bridge) }),
    ports: t.field({ type: [InterfaceRef], description: "A bridge: its ports.", resolve: (i) => rels(i, i.relations.ports) }),
    master: t.field({ type: InterfaceRef, nullable: true, description: "macvlan/vlan/ipvlan: the lower device.", resolve: (i) => rel(i, i.relations.master) }),
    slaves: t.field({ type: [InterfaceRef], description: "The upper devices (macvlan, vlan…) on this one.", resolve: (i) => rels(i, i.relations.slaves) }),
    controller: t.field({ type: InterfaceRef, nullable: true, description: "A bond/team/vrf this interface is a member of.", resolve: (i) => rel(i, i.relations.controller) }),
    members: t.field({ type: [InterfaceRef], description: "A bond/team/vrf: its members.", resolve: (i) => rels(i, i.relations.members) }),
    underlay: t.field({ type: InterfaceRef, nullable: true, description: "vxlan: the interface its packets leave through.", resolve: (i) => rel(i, i.relations.underlay) }),
    overlays: t.field({ type: [InterfaceRef], description: "The vxlan interfaces using this one as underlay.", resolve: (i) => rels(i, i.relations.overlays) }),
  }),
});

function details<K extends InterfaceDetails["kind"]>(i: NetworkInterface, kind: K): Extract<InterfaceDetails, { kind: K }> | null {
  return i.details.kind === kind ? (i.details as Extract<InterfaceDetails, { kind: K }>) : null;
}

const PhysicalDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "physical" }>>("PhysicalDetails").implement({
  fields: (t) => ({
    driver: t.exposeString("driver", { nullable: true }),
    driverVersion: t.exposeString("driverVersion", { nullable: true }),
    firmwareVersion: t.exposeString("firmwareVersion", { nullable: true }),
    busInfo: t.exposeString("busInfo", { nullable: true }),
  }),
});
const BridgeDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "bridge" }>>("BridgeDetails").implement({
  fields: (t) => ({
    stpState: t.exposeInt("stpState", { nullable: true }),
    vlanFiltering: t.exposeBoolean("vlanFiltering", { nullable: true }),
    forwardDelay: t.exposeFloat("forwardDelay", { nullable: true }),
    ageingTime: t.exposeFloat("ageingTime", { nullable: true }),
    priority: t.exposeInt("priority", { nullable: true }),
    bridgeId: t.exposeString("bridgeId", { nullable: true }),
  }),
});
const MacvlanDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "macvlan" }>>("MacvlanDetails").implement({
  fields: (t) => ({ mode: t.field({ type: MacvlanMode.ref, resolve: (d) => MacvlanMode.of(d.mode) }), macvtap: t.exposeBoolean("macvtap") }),
});
const VlanDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "vlan" }>>("VlanDetails").implement({
  fields: (t) => ({ vlanId: t.exposeInt("id", { description: "The VLAN id (VID, 0 to 4095). Not an identity: two interfaces may carry the same VLAN." }), protocol: t.field({ type: VlanProtocol.ref, resolve: (d) => VlanProtocol.of(d.protocol) }) }),
});
const PortRangeRef = builder.objectRef<{ low: number; high: number }>("SourcePortRange").implement({
  fields: (t) => ({ low: t.exposeInt("low"), high: t.exposeInt("high") }),
});
const VxlanDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "vxlan" }>>("VxlanDetails").implement({
  fields: (t) => ({
    vni: t.exposeInt("vni", { nullable: true }),
    group: t.exposeString("group", { nullable: true }),
    remote: t.exposeString("remote", { nullable: true }),
    local: t.exposeString("local", { nullable: true }),
    port: t.exposeInt("port", { nullable: true }),
    sourcePortRange: t.field({ type: PortRangeRef, nullable: true, resolve: (d) => d.sourcePortRange }),
    ttl: t.exposeInt("ttl", { nullable: true }),
    tos: t.exposeInt("tos", { nullable: true }),
    learning: t.exposeBoolean("learning", { nullable: true }),
    proxy: t.exposeBoolean("proxy", { nullable: true }),
  }),
});
const TuntapDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "tuntap" }>>("TuntapDetails").implement({
  fields: (t) => ({
    mode: t.field({ type: TuntapModeEnum, resolve: (d) => d.mode }),
    persistent: t.exposeBoolean("persistent", { nullable: true }),
    multiQueue: t.exposeBoolean("multiQueue", { nullable: true }),
    owner: t.exposeInt("owner", { nullable: true }),
    group: t.exposeInt("group", { nullable: true }),
    vnetHdr: t.exposeBoolean("vnetHdr", { nullable: true }),
    packetInfo: t.exposeBoolean("packetInfo", { nullable: true }),
  }),
});
const LabelsDecoration = builder.objectRef<NonNullable<NetworkInterface["containerNetwork"]>>("BridgeDecoration").implement({
  description: "A bridge that is a container engine's network: that network's name, labels and flags.",
  fields: (t) => ({
    network: t.exposeString("network", { description: "The container network's key." }),
    engine: t.exposeString("engine"),
    name: t.exposeString("name"),
    internal: t.exposeBoolean("internal"),
    default: t.exposeBoolean("default"),
    labels: t.field({ type: "JSON", resolve: (d) => d.labels }),
  }),
});

function kindType(kind: NetworkInterface["kind"], extra?: (t: any) => Record<string, any>) {
  const ref = builder.objectRef<NetworkInterface>(INTERFACE_TYPENAMES[kind]);
  builder.node(ref, {
    interfaces: [InterfaceRef],
    id: { resolve: (i) => i.key },
    isTypeOf: (v) => (v as NetworkInterface).kind === kind && typeof (v as NetworkInterface).index === "number",
    fields: (t) => (extra ? extra(t) : {}),
  });
  return ref;
}

kindType("veth");
kindType("loopback");
kindType("other");
kindType("physical", (t) => ({ details: t.field({ type: PhysicalDetails, nullable: true, resolve: (i: NetworkInterface) => details(i, "physical") }) }));
kindType("bridge", (t) => ({
  details: t.field({ type: BridgeDetails, nullable: true, resolve: (i: NetworkInterface) => details(i, "bridge") }),
  containerNetwork: t.field({ type: LabelsDecoration, nullable: true, resolve: (i: NetworkInterface) => i.containerNetwork }),
}));
kindType("macvlan", (t) => ({ details: t.field({ type: MacvlanDetails, nullable: true, resolve: (i: NetworkInterface) => details(i, "macvlan") }) }));
kindType("vlan", (t) => ({ details: t.field({ type: VlanDetails, nullable: true, resolve: (i: NetworkInterface) => details(i, "vlan") }) }));
kindType("vxlan", (t) => ({ details: t.field({ type: VxlanDetails, nullable: true, resolve: (i: NetworkInterface) => details(i, "vxlan") }) }));
kindType("tuntap", (t) => ({ details: t.field({ type: TuntapDetails, nullable: true, resolve: (i: NetworkInterface) => details(i, "tuntap") }) }));

builder.node(AddressRef, {
  id: { resolve: (a) => a.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    interface: t.field({ type: InterfaceRef, resolve: (a) => indexOf(a).interfaces.get(a.interface)! }),
    namespace: t.field({ type: NamespaceRef, resolve: (a) => indexOf(a).namespaces.get(indexOf(a).interfaces.get(a.interface)!.netns)! }),
    family: t.field({ type: AddressFamilyEnum, resolve: (a) => a.family }),
    address: t.exposeString("address"),
    prefixLength: t.exposeInt("prefixLength"),
    peer: t.exposeString("peer", { nullable: true }),
    broadcast: t.exposeString("broadcast", { nullable: true }),
    scope: t.field({ type: Scope.ref, resolve: (a) => Scope.of(a.scope) }),
    flags: t.exposeStringList("flags"),
    label: t.exposeString("label", { nullable: true }),
    preferredLifetime: t.exposeFloat("preferredLifetime", { nullable: true }),
    validLifetime: t.exposeFloat("validLifetime", { nullable: true }),
  }),
});

const NexthopRef = builder.objectRef<{ gateway: string | null; outputInterface: string | null; weight: number; owner: object }>("Nexthop").implement({
  fields: (t) => ({
    gateway: t.exposeString("gateway", { nullable: true }),
    outputInterface: t.field({ type: InterfaceRef, nullable: true, resolve: (h) => byKey(indexOf(h.owner).interfaces, h.outputInterface) }),
    weight: t.exposeInt("weight"),
  }),
});

builder.node(RouteRef, {
  id: { resolve: (r) => r.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    netns: t.exposeString("netns"),
    namespace: t.field({ type: NamespaceRef, resolve: (r) => indexOf(r).namespaces.get(r.netns)! }),
    family: t.field({ type: AddressFamilyEnum, resolve: (r) => r.family }),
    type: t.field({ type: RouteType.ref, resolve: (r) => RouteType.of(r.type) }),
    destination: t.exposeString("destination"),
    prefixLength: t.exposeInt("prefixLength"),
    source: t.exposeString("source", { nullable: true }),
    sourcePrefixLength: t.exposeInt("sourcePrefixLength"),
    preferredSource: t.exposeString("preferredSource", { nullable: true }),
    gateway: t.exposeString("gateway", { nullable: true }),
    outputInterface: t.field({ type: InterfaceRef, nullable: true, resolve: (r) => byKey(indexOf(r).interfaces, r.outputInterface) }),
    nexthops: t.field({ type: [NexthopRef], resolve: (r) => r.nexthops.map((h) => ({ ...h, owner: r })) }),
    table: t.exposeInt("table"),
    tableName: t.exposeString("tableName"),
    priority: t.exposeFloat("priority"),
    preference: t.field({ type: RoutePreferenceEnum, nullable: true, resolve: (r) => (r.preference === "low" || r.preference === "medium" || r.preference === "high" ? r.preference : null) }),
    protocol: t.field({ type: RouteProtocol.ref, resolve: (r) => RouteProtocol.of(r.protocol) }),
    protocolName: t.string({ description: "The protocol as `ip route` prints it: its name, or its number when it has none.", resolve: (r) => r.protocol }),
    scope: t.field({ type: Scope.ref, resolve: (r) => Scope.of(r.scope) }),
    tos: t.exposeInt("tos"),
  }),
});
