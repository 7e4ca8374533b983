// Namespaces, interfaces (one GraphQL type per kind), addresses and routes. Field names are the
// Topology's (what `wiresight dump` shows). Where the dump holds a key of another entity, the
// field of the same name here gives that entity (`peer`, `ports`, `processes`…); `netns` stays
// the namespace key, and `namespace` is the namespace itself.

import type { NetworkInterface, NetnsReference } from "../../model/topology.ts";
import { builder } from "../builder.ts";
import { AddressFamilyEnum, InterfaceKindEnum, OperStateEnum, operStateOf, ReferenceKindEnum, RouteProtocol, RoutePreferenceEnum, RouteType, Scope } from "../enums.ts";
import { indexOf, INTERFACE_TYPENAMES } from "../topology-index.ts";
import { AddressRef, ContainerRef, InterfaceRef, NamespaceRef, ProcessRef, RouteRef, SocketRef, TenantRef } from "./refs.ts";
import { byKeys, byKey } from "./lookup.ts";
import "./interface-kinds/index.ts"; // one GraphQL type per interface kind

export { InterfaceKindEnum };

const ReferenceRef = builder.objectRef<NetnsReference>("NetnsReference").implement({
  description: "One way a namespace was found: a process, a thread, a bind mount, or an open fd.",
  fields: (t) => ({
    kind: t.field({ description: "How it was found.", type: ReferenceKindEnum, resolve: (r) => r.kind }),
    pid: t.int({ description: "PROCESS, THREAD, FD: the process; null for a bind mount.", nullable: true, resolve: (r) => ("pid" in r ? r.pid : null) }),
    tid: t.int({ description: "THREAD: the thread.", nullable: true, resolve: (r) => (r.kind === "thread" ? r.tid : null) }),
    fd: t.int({ description: "FD: the file descriptor.", nullable: true, resolve: (r) => (r.kind === "fd" ? r.fd : null) }),
    path: t.string({ description: "BIND_MOUNT: the mount point.", nullable: true, resolve: (r) => (r.kind === "bindmount" ? r.path : null) }),
    viaPid: t.int({ description: "BIND_MOUNT: a process whose mount namespace shows the mount.", nullable: true, resolve: (r) => (r.kind === "bindmount" ? r.viaPid : null) }),
    mountNamespace: t.float({ description: "BIND_MOUNT: the inode of that mount namespace.", nullable: true, resolve: (r) => (r.kind === "bindmount" ? r.mountNamespace : null) }),
  }),
});

const NsidRef = builder.objectRef<{ nsid: number; netns: string | null; owner: object }>("Nsid").implement({
  description: "How this namespace names another one (an NSID) in link attributes.",
  fields: (t) => ({
    nsid: t.exposeInt("nsid", { description: "The NSID number." }),
    netns: t.exposeString("netns", { description: "The key of the namespace it names; null when that one was not found.", nullable: true }),
    namespace: t.field({ description: "The namespace it names.", type: NamespaceRef, nullable: true, resolve: (n) => byKey(indexOf(n.owner).namespaces, n.netns) }),
  }),
});

builder.node(NamespaceRef, {
  description: "A network namespace, identified by boot id and netns cookie (never reused within a boot).",
  id: { resolve: (ns) => ns.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `netns:<boot id>:<netns cookie>`." }),
    cookie: t.exposeString("cookie", { description: "The kernel's netns cookie (64-bit, as decimal text)." }),
    inode: t.exposeFloat("inode", { description: "The nsfs inode (what `readlink /proc/PID/ns/net` shows)." }),
    dev: t.exposeFloat("dev", { description: "The nsfs device number." }),
    initial: t.exposeBoolean("initial", { description: "Whether it is the initial (host) namespace." }),
    displayName: t.exposeString("displayName", { description: "A name for people: the container's, the `ip netns` name, the leading process's, or `netns:<inode>`." }),
    references: t.field({ description: "How it was found: processes, threads, bind mounts, open fds.", type: [ReferenceRef], resolve: (ns) => ns.references }),
    processes: t.field({ description: "Processes attached to it.", type: [ProcessRef], resolve: (ns) => byKeys(indexOf(ns).processes, ns.processes) }),
    tenants: t.field({ description: "Its leaders, with their DNS settings, oldest first.", type: [TenantRef], resolve: (ns) => ns.tenants }),
    containers: t.field({ description: "Containers whose namespace it is.", type: [ContainerRef], resolve: (ns) => byKeys(indexOf(ns).containers, ns.containers) }),
    interfaces: t.field({
      description: "Its interfaces, in ifindex order.",
      type: [InterfaceRef],
      args: { kind: t.arg({ type: [InterfaceKindEnum], required: false, description: "Only these kinds." }) },
      resolve: (ns, args) => (args.kind ? ns.interfaces.filter((i) => args.kind!.includes(i.kind)) : ns.interfaces),
    }),
    addresses: t.field({ description: "The addresses of its interfaces.", type: [AddressRef], resolve: (ns) => ns.interfaces.flatMap((i) => i.addresses) }),
    routes: t.field({ description: "Its routes, every table.", type: [RouteRef], resolve: (ns) => ns.routes }),
    sockets: t.field({ description: "Its TCP and UDP sockets.", type: [SocketRef], resolve: (ns) => ns.sockets }),
    nsids: t.field({ description: "The NSIDs it has for other namespaces.", type: [NsidRef], resolve: (ns) => ns.nsids.map((n) => ({ ...n, owner: ns })) }),
  }),
});

const RawRef = builder.objectRef<NetworkInterface["raw"]>("InterfaceRaw").implement({
  description: "What the kernel reported and relations were resolved from.",
  fields: (t) => ({
    link: t.exposeInt("link", { description: "IFLA_LINK: the ifindex of the device this one is tied to (a veth's peer, a vlan's lower device), in the namespace `linkNetnsid` names.", nullable: true }),
    linkNetnsid: t.exposeInt("linkNetnsid", { description: "IFLA_LINK_NETNSID: the NSID of the namespace `link` is in; null for this namespace.", nullable: true }),
    master: t.exposeInt("master", { description: "IFLA_MASTER: the ifindex of its bridge, bond or vrf.", nullable: true }),
  }),
});

const rel = (i: NetworkInterface, key: string | null) => byKey(indexOf(i).interfaces, key);
const rels = (i: NetworkInterface, keys: string[]) => byKeys(indexOf(i).interfaces, keys);

InterfaceRef.implement({
  description: "A network interface; one type per kind. Relations are fields on every kind (null or empty where they do not apply).",
  interfaces: [builder.nodeInterfaceRef()],
  resolveType: (i) => INTERFACE_TYPENAMES[i.kind],
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `<namespace key>/if:<ifindex>`." }),
    netns: t.exposeString("netns", { description: "Its namespace's key." }),
    namespace: t.field({ description: "Its namespace.", type: NamespaceRef, resolve: (i) => indexOf(i).namespaces.get(i.netns)! }),
    index: t.exposeInt("index", { description: "The ifindex." }),
    name: t.exposeString("name", { description: "The name (`eth0`)." }),
    kind: t.field({ description: "What kind it is (its GraphQL type follows it).", type: InterfaceKindEnum, resolve: (i) => i.kind }),
    driverKind: t.exposeString("driverKind", { description: "IFLA_INFO_KIND as the kernel says it (`veth`, `macvtap`, `ipip`\u2026); null for physical devices and lo.", nullable: true }),
    portKind: t.exposeString("portKind", { description: "IFLA_INFO_SLAVE_KIND: what it is a port of (`bridge`, `bond`\u2026); null when none.", nullable: true }),
    flags: t.exposeStringList("flags", { description: "The flags as `ip link` prints them (UP, BROADCAST, LOWER_UP, NO-CARRIER\u2026)." }),
    up: t.exposeBoolean("up", { description: "The administrative state (the UP flag)." }),
    promiscuous: t.exposeBoolean("promiscuous", { description: "The PROMISC flag, as the kernel reports it." }),
    operState: t.field({ description: "The operational state.", type: OperStateEnum, resolve: (i) => operStateOf(i.operState) }),
    mac: t.exposeString("mac", { description: "The link-layer address; null when it has none.", nullable: true }),
    mtu: t.exposeInt("mtu", { description: "The MTU.", nullable: true }),
    alias: t.exposeString("alias", { description: "The alias (`ip link set DEV alias \u2026`); null when none.", nullable: true }),
    linkType: t.exposeInt("linkType", { description: "The ARPHRD_* link-layer type (1 Ethernet, 772 loopback, 65534 none)." }),
    raw: t.field({ description: "What the kernel reported and relations were resolved from.", type: RawRef, resolve: (i) => i.raw }),
    addresses: t.field({ description: "Its addresses.", type: [AddressRef], resolve: (i) => i.addresses }),
    users: t.field({ type: [ProcessRef], description: "Processes holding the device open (tun/tap).", resolve: (i) => byKeys(indexOf(i).processes, i.users) }),
    sockets: t.field({ type: [SocketRef], description: "Sockets this interface can carry (bound to one of its addresses, a wildcard, or to it).", resolve: (i) => indexOf(i).socketsByInterface.get(i.key) ?? [] }),
    peer: t.field({ type: InterfaceRef, nullable: true, description: "The other end of a veth or netkit pair, possibly in another namespace.", resolve: (i) => rel(i, i.relations.peer) }),
    bridge: t.field({ type: InterfaceRef, nullable: true, description: "A bridge port: its bridge.", resolve: (i) => rel(i, i.relations.bridge) }),
    ports: t.field({ type: [InterfaceRef], description: "A bridge: its ports.", resolve: (i) => rels(i, i.relations.ports) }),
    master: t.field({ type: InterfaceRef, nullable: true, description: "The lower device of a macvlan, vlan or ipvlan.", resolve: (i) => rel(i, i.relations.master) }),
    slaves: t.field({ type: [InterfaceRef], description: "The upper devices (macvlan, vlan…) on this one.", resolve: (i) => rels(i, i.relations.slaves) }),
    controller: t.field({ type: InterfaceRef, nullable: true, description: "A bond/team/vrf this interface is a member of.", resolve: (i) => rel(i, i.relations.controller) }),
    members: t.field({ type: [InterfaceRef], description: "A bond/team/vrf: its members.", resolve: (i) => rels(i, i.relations.members) }),
    underlay: t.field({ type: InterfaceRef, nullable: true, description: "The interface a tunnel's (vxlan, geneve, GRE, IP-in-IP) packets leave through: the device it names, else where the route to its remote leads.", resolve: (i) => rel(i, i.relations.underlay) }),
    overlays: t.field({ type: [InterfaceRef], description: "The tunnels using this one as underlay.", resolve: (i) => rels(i, i.relations.overlays) }),
    pf: t.field({ type: InterfaceRef, nullable: true, description: "An SR-IOV virtual function: its physical function's interface, wherever it lives.", resolve: (i) => rel(i, i.relations.pf) }),
    vfs: t.field({ type: [InterfaceRef], description: "An SR-IOV physical function: the interfaces of its virtual functions that were found.", resolve: (i) => rels(i, i.relations.vfs) }),
  }),
});

builder.node(AddressRef, {
  description: "An IP address on an interface.",
  id: { resolve: (a) => a.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `<interface key>/addr:<address>/<prefix length>`." }),
    interface: t.field({ description: "Its interface.", type: InterfaceRef, resolve: (a) => indexOf(a).interfaces.get(a.interface)! }),
    namespace: t.field({ description: "Its interface's namespace.", type: NamespaceRef, resolve: (a) => indexOf(a).namespaces.get(indexOf(a).interfaces.get(a.interface)!.netns)! }),
    family: t.field({ description: "IPv4 or IPv6.", type: AddressFamilyEnum, resolve: (a) => a.family }),
    address: t.exposeString("address", { description: "The address, in canonical text form." }),
    prefixLength: t.exposeInt("prefixLength", { description: "The prefix length." }),
    peer: t.exposeString("peer", { description: "The point-to-point peer (IFA_ADDRESS when it differs from the local address); null otherwise.", nullable: true }),
    broadcast: t.exposeString("broadcast", { description: "The broadcast address; null when none.", nullable: true }),
    scope: t.field({ description: "How far it reaches.", type: Scope.ref, resolve: (a) => Scope.of(a.scope) }),
    flags: t.exposeStringList("flags", { description: "Its flags as `ip addr` prints them (permanent, secondary, tentative\u2026)." }),
    label: t.exposeString("label", { description: "Its label (IPv4, `eth0:1`); null when none.", nullable: true }),
    preferredLifetime: t.exposeFloat("preferredLifetime", { description: "Seconds it stays preferred; null: forever.", nullable: true }),
    validLifetime: t.exposeFloat("validLifetime", { description: "Seconds it stays valid; null: forever.", nullable: true }),
  }),
});

const NexthopRef = builder.objectRef<{ gateway: string | null; outputInterface: string | null; weight: number; owner: object }>("Nexthop").implement({
  description: "One next hop of a multipath route.",
  fields: (t) => ({
    gateway: t.exposeString("gateway", { description: "The gateway; null for a device route.", nullable: true }),
    outputInterface: t.field({ description: "The interface it leaves through.", type: InterfaceRef, nullable: true, resolve: (h) => byKey(indexOf(h.owner).interfaces, h.outputInterface) }),
    weight: t.exposeInt("weight", { description: "Its weight (its share of the flows)." }),
  }),
});

builder.node(RouteRef, {
  description: "A route of one routing table.",
  id: { resolve: (r) => r.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: namespace, table, family, destination and what else tells routes apart." }),
    netns: t.exposeString("netns", { description: "Its namespace's key." }),
    namespace: t.field({ description: "Its namespace.", type: NamespaceRef, resolve: (r) => indexOf(r).namespaces.get(r.netns)! }),
    family: t.field({ description: "IPv4 or IPv6.", type: AddressFamilyEnum, resolve: (r) => r.family }),
    type: t.field({ description: "What it does with a packet.", type: RouteType.ref, resolve: (r) => RouteType.of(r.type) }),
    destination: t.exposeString("destination", { description: "The destination network's address, or `default`." }),
    prefixLength: t.exposeInt("prefixLength", { description: "The destination's prefix length." }),
    source: t.exposeString("source", { description: "Source-specific routing: the source network (`from` in `ip route`); null when none.", nullable: true }),
    sourcePrefixLength: t.exposeInt("sourcePrefixLength", { description: "The source network's prefix length (0 when none)." }),
    preferredSource: t.exposeString("preferredSource", { description: "The preferred source address (`src`); null when none.", nullable: true }),
    gateway: t.exposeString("gateway", { description: "The gateway (`via`); null for a device route.", nullable: true }),
    outputInterface: t.field({ description: "The interface it leaves through (`dev`); null when none.", type: InterfaceRef, nullable: true, resolve: (r) => byKey(indexOf(r).interfaces, r.outputInterface) }),
    nexthops: t.field({ description: "Multipath: each next hop; empty otherwise.", type: [NexthopRef], resolve: (r) => r.nexthops.map((h) => ({ ...h, owner: r })) }),
    table: t.exposeInt("table", { description: "The table id (254 main, 255 local)." }),
    tableName: t.exposeString("tableName", { description: "The table's name (`main`, `local`, or the number)." }),
    priority: t.exposeFloat("priority", { description: "The metric (`metric` in `ip route`)." }),
    preference: t.field({ description: "The IPv6 router preference; null when not given.", type: RoutePreferenceEnum, nullable: true, resolve: (r) => (r.preference === "low" || r.preference === "medium" || r.preference === "high" ? r.preference : null) }),
    protocol: t.field({ description: "Who installed it.", type: RouteProtocol.ref, resolve: (r) => RouteProtocol.of(r.protocol) }),
    protocolName: t.string({ description: "The protocol as `ip route` prints it: its name, or its number when it has none.", resolve: (r) => r.protocol }),
    scope: t.field({ description: "How far it reaches.", type: Scope.ref, resolve: (r) => Scope.of(r.scope) }),
    tos: t.exposeInt("tos", { description: "The TOS it matches (0: any)." }),
  }),
});
