// Sockets, processes, tenants with their DNS settings, containers, engines, container networks,
// forwarded ports, and the Topology that holds them all.

import type { ContainerAttachment, ContainerGroup } from "../../model/containers.ts";
import type { ForwardSource, PortRange } from "../../model/forwarded-ports.ts";
import type { DnsSettings, HostsEntry, ResolverSettings } from "../../model/tenants.ts";
import type { DiscoveryStats, HostInfo, Privileges, Warning } from "../../model/topology.ts";
import { builder } from "../builder.ts";
import { AddressFamilyEnum, ContainerGroupKindEnum, ContainerState, EngineKindEnum, EngineStatusEnum, ForwardingEngineEnum, ForwardSourceKindEnum, NatRuleFormEnum, SimpleSocketStateEnum, SocketState, TenantKindEnum, TransportProtocolEnum } from "../enums.ts";
import { revisionOf } from "../moment.ts";
import { indexOf } from "../topology-index.ts";
import { byKey, byKeys } from "./lookup.ts";
import { ContainerNetworkRef, ContainerRef, EngineRef, ForwardedPortRef, InterfaceRef, NamespaceRef, ProcessRef, SocketRef, TenantRef, TopologyRef } from "./refs.ts";

builder.node(SocketRef, {
  description: "A TCP or UDP socket, identified by its namespace and inet_diag cookie.",
  id: { resolve: (s) => s.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    netns: t.exposeString("netns"),
    namespace: t.field({ type: NamespaceRef, resolve: (s) => indexOf(s).namespaces.get(s.netns)! }),
    cookie: t.exposeString("cookie"),
    family: t.field({ type: AddressFamilyEnum, resolve: (s) => s.family }),
    protocol: t.field({ type: TransportProtocolEnum, resolve: (s) => s.protocol }),
    localAddress: t.exposeString("localAddress"),
    localPort: t.exposeInt("localPort"),
    remoteAddress: t.exposeString("remoteAddress"),
    remotePort: t.exposeInt("remotePort"),
    state: t.field({ type: SocketState.ref, resolve: (s) => SocketState.of(s.state) }),
    simpleState: t.field({ type: SimpleSocketStateEnum, resolve: (s) => s.simpleState }),
    inode: t.exposeFloat("inode"),
    uid: t.exposeInt("uid"),
    v6only: t.exposeBoolean("v6only", { nullable: true }),
    dualStack: t.exposeBoolean("dualStack"),
    boundInterface: t.field({ type: InterfaceRef, nullable: true, resolve: (s) => byKey(indexOf(s).interfaces, s.boundInterface) }),
    interfaces: t.field({ type: [InterfaceRef], description: "The interfaces that can carry it.", resolve: (s) => byKeys(indexOf(s).interfaces, s.interfaces) }),
    processes: t.field({ type: [ProcessRef], description: "Its owners: processes with an fd on it.", resolve: (s) => byKeys(indexOf(s).processes, s.processes) }),
    service: t.exposeString("service", { nullable: true }),
  }),
});

builder.node(ProcessRef, {
  description: "A process, identified by PID and start time.",
  id: { resolve: (p) => p.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    pid: t.exposeInt("pid"),
    ppid: t.exposeInt("ppid"),
    parent: t.field({ type: ProcessRef, nullable: true, resolve: (p) => indexOf(p).processByPid.get(p.ppid) ?? null }),
    comm: t.exposeString("comm"),
    cmdline: t.exposeStringList("cmdline"),
    startTime: t.exposeFloat("startTime"),
    uid: t.exposeInt("uid"),
    netns: t.exposeString("netns", { nullable: true }),
    namespace: t.field({ type: NamespaceRef, nullable: true, resolve: (p) => byKey(indexOf(p).namespaces, p.netns) }),
  }),
});

const HostsEntryRef = builder.objectRef<HostsEntry>("HostsEntry").implement({
  fields: (t) => ({ name: t.exposeString("name"), addresses: t.exposeStringList("addresses") }),
});
const ResolverRef = builder.objectRef<ResolverSettings>("ResolverSettings").implement({
  fields: (t) => ({ nameservers: t.exposeStringList("nameservers"), search: t.exposeStringList("search"), options: t.exposeStringList("options") }),
});
const DnsRef = builder.objectRef<DnsSettings>("DnsSettings").implement({
  description: "Name resolution as a tenant sees it; each field null when its source is absent or unreadable.",
  fields: (t) => ({
    utsHostname: t.exposeString("utsHostname", { nullable: true }),
    utsDomainname: t.exposeString("utsDomainname", { nullable: true }),
    hostname: t.exposeString("hostname", { nullable: true }),
    domainname: t.exposeString("domainname", { nullable: true }),
    hosts: t.field({ type: [HostsEntryRef], nullable: true, resolve: (d) => d.hosts }),
    resolver: t.field({ type: ResolverRef, nullable: true, resolve: (d) => d.resolver }),
  }),
});

TenantRef.implement({
  description: "A leader of a namespace (a process attached to it whose parent is not), with its DNS settings.",
  fields: (t) => ({
    kind: t.field({ type: TenantKindEnum, resolve: (x) => x.kind }),
    container: t.field({ type: ContainerRef, nullable: true, resolve: (x) => byKey(indexOf(x).containers, x.container) }),
    process: t.field({ type: ProcessRef, nullable: true, resolve: (x) => byKey(indexOf(x).processes, x.process) }),
    pid: t.exposeInt("pid"),
    comm: t.exposeString("comm"),
    oldest: t.exposeBoolean("oldest"),
    boundingCapabilities: t.exposeStringList("boundingCapabilities", { nullable: true }),
    dns: t.field({ type: DnsRef, resolve: (x) => x.dns }),
  }),
});

const GroupRef = builder.objectRef<ContainerGroup>("ContainerGroup").implement({
  fields: (t) => ({
    kind: t.field({ type: ContainerGroupKindEnum, resolve: (g) => g.kind }),
    name: t.exposeString("name"),
    namespace: t.string({ nullable: true, description: "The Kubernetes namespace (pods only).", resolve: (g) => (g.kind === "kubernetes-pod" ? g.namespace : null) }),
  }),
});
const AttachmentRef = builder.objectRef<ContainerAttachment & { owner: object }>("ContainerAttachment").implement({
  fields: (t) => ({
    network: t.field({ type: ContainerNetworkRef, nullable: true, resolve: (a) => byKey(indexOf(a.owner).containerNetworks, a.network) }),
    networkKey: t.string({ resolve: (a) => a.network }),
    name: t.exposeString("name"),
    ipv4: t.exposeString("ipv4", { nullable: true }),
    ipv6: t.exposeString("ipv6", { nullable: true }),
    mac: t.exposeString("mac", { nullable: true }),
  }),
});

builder.node(ContainerRef, {
  description: "A running or paused container. `containerId` is the engine's id (`id` is the global node id).",
  id: { resolve: (c) => c.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    containerId: t.string({ resolve: (c) => c.id }),
    engine: t.field({ type: EngineRef, nullable: true, resolve: (c) => byKey(indexOf(c).engines, c.engine) }),
    name: t.exposeString("name"),
    image: t.exposeString("image"),
    state: t.field({ type: ContainerState.ref, resolve: (c) => ContainerState.of(c.state) }),
    enginePid: t.exposeInt("enginePid"),
    process: t.field({ type: ProcessRef, nullable: true, resolve: (c) => byKey(indexOf(c).processes, c.process) }),
    netns: t.exposeString("netns", { nullable: true }),
    namespace: t.field({ type: NamespaceRef, nullable: true, resolve: (c) => byKey(indexOf(c).namespaces, c.netns) }),
    interfaces: t.field({ type: [InterfaceRef], description: "Its namespace's interfaces.", resolve: (c) => byKey(indexOf(c).namespaces, c.netns)?.interfaces ?? [] }),
    labels: t.field({ type: "JSON", resolve: (c) => c.labels }),
    privileged: t.exposeBoolean("privileged"),
    groups: t.field({ type: [GroupRef], resolve: (c) => c.groups }),
    networks: t.field({ type: [AttachmentRef], resolve: (c) => c.networks.map((n) => ({ ...n, owner: c })) }),
  }),
});

builder.node(EngineRef, {
  id: { resolve: (e) => e.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    kind: t.field({ type: EngineKindEnum, resolve: (e) => e.kind }),
    process: t.field({ type: ProcessRef, nullable: true, resolve: (e) => byKey(indexOf(e).processes, e.process) }),
    pid: t.exposeInt("pid"),
    sockets: t.exposeStringList("sockets"),
    apiSocket: t.exposeString("apiSocket", { nullable: true }),
    apiVersion: t.exposeString("apiVersion", { nullable: true }),
    server: t.exposeString("server", { nullable: true }),
    status: t.field({ type: EngineStatusEnum, resolve: (e) => e.status }),
    containers: t.field({ type: [ContainerRef], resolve: (e) => indexOf(e).topology.containers.filter((c) => c.engine === e.key) }),
    networks: t.field({ type: [ContainerNetworkRef], resolve: (e) => indexOf(e).topology.containerNetworks.filter((n) => n.engine === e.key) }),
  }),
});

builder.node(ContainerNetworkRef, {
  description: "A container engine's network. `networkId` is the engine's id (`id` is the global node id).",
  id: { resolve: (n) => n.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    engine: t.field({ type: EngineRef, nullable: true, resolve: (n) => byKey(indexOf(n).engines, n.engine) }),
    networkId: t.string({ resolve: (n) => n.id }),
    name: t.exposeString("name"),
    driver: t.exposeString("driver"),
    internal: t.exposeBoolean("internal"),
    default: t.exposeBoolean("default"),
    labels: t.field({ type: "JSON", resolve: (n) => n.labels }),
    bridgeName: t.exposeString("bridgeName", { nullable: true }),
    bridge: t.field({ type: InterfaceRef, nullable: true, resolve: (n) => byKey(indexOf(n).interfaces, n.bridge) }),
  }),
});

const PortRangeRef = builder.objectRef<PortRange>("PortRange").implement({
  fields: (t) => ({ first: t.exposeInt("first"), last: t.exposeInt("last") }),
});
const ForwardSourceRef = builder.objectRef<ForwardSource & { owner: object }>("ForwardSource").implement({
  description: "Where a forwarding was found: an nf_tables rule (kind nft-rule) or a proxy process (kind proxy).",
  fields: (t) => ({
    kind: t.field({ type: ForwardSourceKindEnum, resolve: (s) => s.kind }),
    engine: t.field({ type: ForwardingEngineEnum, nullable: true, resolve: (s) => s.engine }),
    family: t.string({ nullable: true, resolve: (s) => (s.kind === "nft-rule" ? s.family : null) }),
    table: t.string({ nullable: true, resolve: (s) => (s.kind === "nft-rule" ? s.table : null) }),
    chain: t.string({ nullable: true, resolve: (s) => (s.kind === "nft-rule" ? s.chain : null) }),
    handle: t.float({ nullable: true, resolve: (s) => (s.kind === "nft-rule" ? s.handle : null) }),
    form: t.field({ type: NatRuleFormEnum, nullable: true, resolve: (s) => (s.kind === "nft-rule" ? s.form : null) }),
    pid: t.int({ nullable: true, resolve: (s) => (s.kind === "proxy" ? s.pid : null) }),
    process: t.field({ type: ProcessRef, nullable: true, resolve: (s) => (s.kind === "proxy" ? byKey(indexOf(s.owner).processes, s.process) : null) }),
  }),
});

builder.node(ForwardedPortRef, {
  description: "A port forwarded by NAT rules or a userland proxy, with where it arrives and who answers.",
  id: { resolve: (p) => p.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    netns: t.exposeString("netns"),
    namespace: t.field({ type: NamespaceRef, resolve: (p) => indexOf(p).namespaces.get(p.netns)! }),
    family: t.field({ type: AddressFamilyEnum, resolve: (p) => p.family }),
    protocol: t.exposeString("protocol", { nullable: true }),
    hostAddress: t.exposeString("hostAddress", { nullable: true }),
    hostPorts: t.field({ type: PortRangeRef, nullable: true, resolve: (p) => p.hostPorts }),
    destinationAddress: t.exposeString("destinationAddress"),
    destinationAddressLast: t.exposeString("destinationAddressLast", { nullable: true }),
    destinationPorts: t.field({ type: PortRangeRef, nullable: true, resolve: (p) => p.destinationPorts }),
    engine: t.field({ type: ForwardingEngineEnum, nullable: true, resolve: (p) => p.engine }),
    destinationNetns: t.exposeString("destinationNetns", { nullable: true }),
    destinationNamespace: t.field({ type: NamespaceRef, nullable: true, resolve: (p) => byKey(indexOf(p).namespaces, p.destinationNetns) }),
    destinationInterface: t.field({ type: InterfaceRef, nullable: true, resolve: (p) => byKey(indexOf(p).interfaces, p.destinationInterface) }),
    listeners: t.field({ type: [SocketRef], resolve: (p) => byKeys(indexOf(p).sockets, p.listeners) }),
    sources: t.field({ type: [ForwardSourceRef], resolve: (p) => p.sources.map((s) => ({ ...s, owner: p })) }),
  }),
});

const HostRef = builder.objectRef<HostInfo>("HostInfo").implement({
  fields: (t) => ({ bootId: t.exposeString("bootId"), hostname: t.exposeString("hostname"), kernelRelease: t.exposeString("kernelRelease") }),
});
const MissingRef = builder.objectRef<Privileges["missing"][number]>("MissingCapability").implement({
  fields: (t) => ({ capability: t.exposeString("capability"), consequence: t.exposeString("consequence") }),
});
const PrivilegesRef = builder.objectRef<Privileges>("Privileges").implement({
  fields: (t) => ({ root: t.exposeBoolean("root"), missing: t.field({ type: [MissingRef], resolve: (p) => p.missing }) }),
});
export const WarningRef = builder.objectRef<Warning>("Warning").implement({
  fields: (t) => ({ subject: t.exposeString("subject"), message: t.exposeString("message") }),
});
export const StatsRef = builder.objectRef<DiscoveryStats>("DiscoveryStats").implement({
  fields: (t) => ({
    durationMs: t.exposeFloat("durationMs"),
    namespaces: t.exposeInt("namespaces"),
    interfaces: t.exposeInt("interfaces"),
    addresses: t.exposeInt("addresses"),
    routes: t.exposeInt("routes"),
    sockets: t.exposeInt("sockets"),
    socketStates: t.exposeString("socketStates"),
    processes: t.exposeInt("processes"),
    tenants: t.exposeInt("tenants"),
    dnsFileSets: t.exposeInt("dnsFileSets"),
    utsNamespaces: t.exposeInt("utsNamespaces"),
    nsidQueries: t.exposeInt("nsidQueries"),
    dumpRetries: t.exposeInt("dumpRetries"),
    initialNamespaceBy: t.exposeString("initialNamespaceBy"),
  }),
});

TopologyRef.implement({
  description: "What one discovery found (the live one, or one recorded in the history).",
  fields: (t) => ({
    formatVersion: t.exposeInt("formatVersion"),
    host: t.field({ type: HostRef, resolve: (x) => x.host }),
    discoveredAt: t.field({ type: "DateTime", resolve: (x) => x.discoveredAt }),
    revision: t.int({ nullable: true, description: "The revision this topology was recorded as.", resolve: (x) => revisionOf(x) }),
    namespaces: t.field({ type: [NamespaceRef], resolve: (x) => x.namespaces }),
    interfaces: t.field({ type: [InterfaceRef], resolve: (x) => x.namespaces.flatMap((n) => n.interfaces) }),
    processes: t.field({ type: [ProcessRef], resolve: (x) => x.processes }),
    forwardedPorts: t.field({ type: [ForwardedPortRef], resolve: (x) => x.forwardedPorts }),
    engines: t.field({ type: [EngineRef], resolve: (x) => x.engines }),
    containers: t.field({ type: [ContainerRef], resolve: (x) => x.containers }),
    containerNetworks: t.field({ type: [ContainerNetworkRef], resolve: (x) => x.containerNetworks }),
    privileges: t.field({ type: PrivilegesRef, resolve: (x) => x.privileges }),
    warnings: t.field({ type: [WarningRef], resolve: (x) => x.warnings }),
    stats: t.field({ type: StatsRef, resolve: (x) => x.stats }),
  }),
});
