// Namespaces, interfaces (one GraphQL type per kind), addresses and routes. Field names are the
// Topology's (what `wiresight dump` shows). Where the dump holds a key of another entity, the
// field of the same name here gives that entity (`peer`, `ports`, `processes`…); `netns` stays
// the namespace key, and `namespace` is the namespace itself.

import type { InterfaceDetails, NetworkInterface, NetnsReference } from "../../model/topology.ts";
import { builder } from "../builder.ts";
import { AddressFamilyEnum, InterfaceKindEnum, MacvlanMode, OperStateEnum, operStateOf, ReferenceKindEnum, RouteProtocol, RoutePreferenceEnum, RouteType, Scope, SriovRoleEnum, TuntapModeEnum, VlanProtocol } from "../enums.ts";
import { indexOf, INTERFACE_TYPENAMES } from "../topology-index.ts";
import { AddressRef, ContainerRef, InterfaceRef, NamespaceRef, ProcessRef, RouteRef, SocketRef, TenantRef } from "./refs.ts";
import { byKeys, byKey } from "./lookup.ts";

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
    peer: t.field({ type: InterfaceRef, nullable: true, description: "The other end of a veth, possibly in another namespace.", resolve: (i) => rel(i, i.relations.peer) }),
    bridge: t.field({ type: InterfaceRef, nullable: true, description: "A bridge port: its bridge.", resolve: (i) => rel(i, i.relations.bridge) }),
    ports: t.field({ type: [InterfaceRef], description: "A bridge: its ports.", resolve: (i) => rels(i, i.relations.ports) }),
    master: t.field({ type: InterfaceRef, nullable: true, description: "The lower device of a macvlan, vlan or ipvlan.", resolve: (i) => rel(i, i.relations.master) }),
    slaves: t.field({ type: [InterfaceRef], description: "The upper devices (macvlan, vlan…) on this one.", resolve: (i) => rels(i, i.relations.slaves) }),
    controller: t.field({ type: InterfaceRef, nullable: true, description: "A bond/team/vrf this interface is a member of.", resolve: (i) => rel(i, i.relations.controller) }),
    members: t.field({ type: [InterfaceRef], description: "A bond/team/vrf: its members.", resolve: (i) => rels(i, i.relations.members) }),
    underlay: t.field({ type: InterfaceRef, nullable: true, description: "The interface a VXLAN device's packets leave through.", resolve: (i) => rel(i, i.relations.underlay) }),
    overlays: t.field({ type: [InterfaceRef], description: "The vxlan interfaces using this one as underlay.", resolve: (i) => rels(i, i.relations.overlays) }),
    pf: t.field({ type: InterfaceRef, nullable: true, description: "An SR-IOV virtual function: its physical function's interface, wherever it lives.", resolve: (i) => rel(i, i.relations.pf) }),
    vfs: t.field({ type: [InterfaceRef], description: "An SR-IOV physical function: the interfaces of its virtual functions that were found.", resolve: (i) => rels(i, i.relations.vfs) }),
  }),
});

function details<K extends InterfaceDetails["kind"]>(i: NetworkInterface, kind: K): Extract<InterfaceDetails, { kind: K }> | null {
  return i.details.kind === kind ? (i.details as Extract<InterfaceDetails, { kind: K }>) : null;
}

const PhysicalDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "physical" }>>("PhysicalDetails").implement({
  description: "What the driver (ethtool) says of a physical device.",
  fields: (t) => ({
    driver: t.exposeString("driver", { description: "The driver's name.", nullable: true }),
    driverVersion: t.exposeString("driverVersion", { description: "The driver's version.", nullable: true }),
    firmwareVersion: t.exposeString("firmwareVersion", { description: "The firmware's version.", nullable: true }),
    busInfo: t.exposeString("busInfo", { description: "Where it sits on its bus (a PCI address).", nullable: true }),
    sriov: t.field({ type: SriovRoleEnum, nullable: true, description: "Its PCI device's SR-IOV role (sysfs physfn, sriov_numvfs); null when it has none.", resolve: (d) => d.sriov }),
  }),
});
const BridgeDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "bridge" }>>("BridgeDetails").implement({
  description: "A bridge's settings.",
  fields: (t) => ({
    stpState: t.exposeInt("stpState", { description: "STP: 0 off, 1 the kernel's, 2 a user-space daemon's.", nullable: true }),
    vlanFiltering: t.exposeBoolean("vlanFiltering", { description: "Whether VLAN filtering is on.", nullable: true }),
    forwardDelay: t.exposeFloat("forwardDelay", { description: "The forward delay, in centiseconds (as the kernel reports it).", nullable: true }),
    ageingTime: t.exposeFloat("ageingTime", { description: "The FDB ageing time, in centiseconds.", nullable: true }),
    priority: t.exposeInt("priority", { description: "The bridge priority.", nullable: true }),
    bridgeId: t.exposeString("bridgeId", { description: "The bridge id (priority and MAC address).", nullable: true }),
  }),
});
const MacvlanDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "macvlan" }>>("MacvlanDetails").implement({
  description: "A macvlan or macvtap device's settings.",
  fields: (t) => ({
    mode: t.field({ description: "How it forwards among its siblings.", type: MacvlanMode.ref, resolve: (d) => MacvlanMode.of(d.mode) }),
    macvtap: t.exposeBoolean("macvtap", { description: "Whether it is a macvtap (a tap file per device)." }),
  }),
});
const VlanDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "vlan" }>>("VlanDetails").implement({
  description: "A VLAN device's settings.",
  fields: (t) => ({
    vlanId: t.exposeInt("id", { description: "The VLAN id (VID, 0 to 4095). Not an identity: two interfaces may carry the same VLAN." }),
    protocol: t.field({ description: "The tag's EtherType.", type: VlanProtocol.ref, resolve: (d) => VlanProtocol.of(d.protocol) }),
  }),
});
const PortRangeRef = builder.objectRef<{ low: number; high: number }>("SourcePortRange").implement({
  description: "The UDP source ports a VXLAN device picks from.",
  fields: (t) => ({
    low: t.exposeInt("low", { description: "The lowest." }),
    high: t.exposeInt("high", { description: "The highest." }),
  }),
});
const VxlanDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "vxlan" }>>("VxlanDetails").implement({
  description: "A VXLAN device's settings.",
  fields: (t) => ({
    vni: t.exposeInt("vni", { description: "The VXLAN network identifier.", nullable: true }),
    group: t.exposeString("group", { description: "The multicast group it floods to; null when none.", nullable: true }),
    remote: t.exposeString("remote", { description: "The unicast remote endpoint; null when none.", nullable: true }),
    local: t.exposeString("local", { description: "The local address it sends from; null for any.", nullable: true }),
    port: t.exposeInt("port", { description: "The UDP destination port.", nullable: true }),
    sourcePortRange: t.field({ description: "The UDP source ports it picks from.", type: PortRangeRef, nullable: true, resolve: (d) => d.sourcePortRange }),
    ttl: t.exposeInt("ttl", { description: "The TTL of outer packets (0: inherited).", nullable: true }),
    tos: t.exposeInt("tos", { description: "The TOS of outer packets.", nullable: true }),
    learning: t.exposeBoolean("learning", { description: "Whether it learns remote MAC addresses.", nullable: true }),
    proxy: t.exposeBoolean("proxy", { description: "Whether it answers ARP and ND itself.", nullable: true }),
  }),
});
const TuntapDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "tuntap" }>>("TuntapDetails").implement({
  description: "A tun or tap device's settings.",
  fields: (t) => ({
    mode: t.field({ description: "What it carries.", type: TuntapModeEnum, resolve: (d) => d.mode }),
    persistent: t.exposeBoolean("persistent", { description: "Whether it outlives the process that made it.", nullable: true }),
    multiQueue: t.exposeBoolean("multiQueue", { description: "Whether it has several queues.", nullable: true }),
    owner: t.exposeInt("owner", { description: "The uid allowed to attach; null for any.", nullable: true }),
    group: t.exposeInt("group", { description: "The gid allowed to attach; null for any.", nullable: true }),
    vnetHdr: t.exposeBoolean("vnetHdr", { description: "Whether frames carry virtio-net headers.", nullable: true }),
    packetInfo: t.exposeBoolean("packetInfo", { description: "Whether frames carry the packet-information header (IFF_NO_PI off).", nullable: true }),
  }),
});
const LabelsDecoration = builder.objectRef<NonNullable<NetworkInterface["containerNetwork"]>>("BridgeDecoration").implement({
  description: "A bridge that is a container engine's network: that network's name, labels and flags.",
  fields: (t) => ({
    network: t.exposeString("network", { description: "The container network's key." }),
    engine: t.exposeString("engine", { description: "The engine's key." }),
    name: t.exposeString("name", { description: "The network's name." }),
    internal: t.exposeBoolean("internal", { description: "Whether the network is internal (no way out)." }),
    default: t.exposeBoolean("default", { description: "Whether it is the engine's default network." }),
    labels: t.field({ description: "The network's labels (a JSON object).", type: "JSON", resolve: (d) => d.labels }),
  }),
});

function kindType(kind: NetworkInterface["kind"], description: string, extra?: (t: any) => Record<string, any>) {
  const ref = builder.objectRef<NetworkInterface>(INTERFACE_TYPENAMES[kind]);
  builder.node(ref, {
    description,
    interfaces: [InterfaceRef],
    id: { resolve: (i) => i.key },
    isTypeOf: (v) => (v as NetworkInterface).kind === kind && typeof (v as NetworkInterface).index === "number",
    fields: (t) => (extra ? extra(t) : {}),
  });
  return ref;
}

const DETAILS = "Its kind's settings; null when the kernel did not report them.";

kindType("veth", "One end of a veth pair; `peer` is the other end.");
kindType("loopback", "A namespace's loopback device.");
kindType("other", "An interface of another kind (`driverKind` names it: ipvlan, wireguard, bond…).");
kindType("physical", "A device without an IFLA_INFO_KIND: a NIC.", (t) => ({ details: t.field({ type: PhysicalDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "physical") }) }));
kindType("bridge", "A Linux bridge; `ports` are its ports.", (t) => ({
  details: t.field({ type: BridgeDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "bridge") }),
  containerNetwork: t.field({ type: LabelsDecoration, nullable: true, description: "The container engine's network this bridge is; null when none.", resolve: (i: NetworkInterface) => i.containerNetwork }),
}));
kindType("macvlan", "A macvlan or macvtap device; `master` is its lower device.", (t) => ({ details: t.field({ type: MacvlanDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "macvlan") }) }));
kindType("vlan", "An 802.1Q/802.1ad VLAN device; `master` is its lower device.", (t) => ({ details: t.field({ type: VlanDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "vlan") }) }));
kindType("vxlan", "A VXLAN tunnel endpoint; `underlay` is where its packets leave.", (t) => ({ details: t.field({ type: VxlanDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "vxlan") }) }));
kindType("tuntap", "A tun or tap device; `users` are the processes holding it open.", (t) => ({ details: t.field({ type: TuntapDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "tuntap") }) }));

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
