// Sockets, processes and their PID namespaces, tenants with their DNS settings, containers, engines,
// container networks, forwarded ports, the host, and the Topology that holds them all.

import type { ContainerAttachment, ContainerGroup } from "../../model/containers.ts";
import type { ForwardSource, PortRange } from "../../model/forwarded-ports.ts";
import type { DnsSettings, HostsEntry, ResolverSettings } from "../../model/tenants.ts";
import type { DiscoveryStats, HostInfo, OsRelease, Privileges, Process, Warning } from "../../model/topology.ts";
import { builder } from "../builder.ts";
import { AddressFamilyEnum, ContainerGroupKindEnum, ContainerState, EngineKindEnum, EngineStatusEnum, ForwardingEngineEnum, ForwardSourceKindEnum, NatRuleFormEnum, SimpleSocketStateEnum, SocketState, TenantKindEnum, TransportProtocolEnum } from "../enums.ts";
import { revisionOf } from "../moment.ts";
import { indexOf } from "../topology-index.ts";
import { byKey, byKeys } from "./lookup.ts";
import { ContainerNetworkRef, ContainerRef, EngineRef, ForwardedPortRef, InterfaceRef, NamespaceRef, PidNamespaceRef, ProcessRef, SocketRef, TenantRef, TopologyRef } from "./refs.ts";

builder.node(SocketRef, {
  description: "A TCP or UDP socket, identified by its namespace and inet_diag cookie.",
  id: { resolve: (s) => s.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `<namespace key>/sock:<inet_diag cookie>`." }),
    netns: t.exposeString("netns", { description: "Its namespace's key." }),
    namespace: t.field({ description: "Its namespace.", type: NamespaceRef, resolve: (s) => indexOf(s).namespaces.get(s.netns)! }),
    cookie: t.exposeString("cookie", { description: "The inet_diag socket cookie (64-bit, as decimal text)." }),
    family: t.field({ description: "IPv4 or IPv6.", type: AddressFamilyEnum, resolve: (s) => s.family }),
    protocol: t.field({ description: "TCP or UDP.", type: TransportProtocolEnum, resolve: (s) => s.protocol }),
    localAddress: t.exposeString("localAddress", { description: "The local address (`0.0.0.0` or `::` for a wildcard)." }),
    localPort: t.exposeInt("localPort", { description: "The local port." }),
    remoteAddress: t.exposeString("remoteAddress", { description: "The remote address (`0.0.0.0` or `::` when not connected)." }),
    remotePort: t.exposeInt("remotePort", { description: "The remote port (0 when not connected)." }),
    state: t.field({ description: "The kernel's state.", type: SocketState.ref, resolve: (s) => SocketState.of(s.state) }),
    simpleState: t.field({ description: "The state in three words.", type: SimpleSocketStateEnum, resolve: (s) => s.simpleState }),
    inode: t.exposeFloat("inode", { description: "The socket inode (`socket:[N]` in /proc/PID/fd); 0 for TIME_WAIT and SYN_RECV, which have none." }),
    uid: t.exposeInt("uid", { description: "The owning uid." }),
    v6only: t.exposeBoolean("v6only", { description: "IPV6_V6ONLY, known for IPv6 sockets in LISTEN or CLOSE; null otherwise.", nullable: true }),
    dualStack: t.exposeBoolean("dualStack", { description: "An IPv6 wildcard socket that also serves IPv4 on its port." }),
    boundInterface: t.field({ description: "SO_BINDTODEVICE: the only interface it takes traffic from; null when none.", type: InterfaceRef, nullable: true, resolve: (s) => byKey(indexOf(s).interfaces, s.boundInterface) }),
    interfaces: t.field({ type: [InterfaceRef], description: "The interfaces that can carry it.", resolve: (s) => byKeys(indexOf(s).interfaces, s.interfaces) }),
    processes: t.field({ type: [ProcessRef], description: "Its owners: processes with an fd on it.", resolve: (s) => byKeys(indexOf(s).processes, s.processes) }),
    service: t.exposeString("service", { description: "The port's name in /etc/services; null when it has none.", nullable: true }),
    remoteService: t.exposeString("remoteService", { description: "The remote port's name in /etc/services; null when not connected or it has none.", nullable: true }),
  }),
});

const CpuRangeRef = builder.objectRef<[number, number]>("CpuRange").implement({
  description: "A range of CPU numbers (first = last for one CPU), as in a kernel CPU list (`0-3,6`).",
  fields: (t) => ({
    first: t.int({ description: "The first CPU.", resolve: (r) => r[0] }),
    last: t.int({ description: "The last CPU.", resolve: (r) => r[1] }),
  }),
});
const SchedulingRef = builder.objectRef<NonNullable<Process["scheduling"]>>("Scheduling").implement({
  description: "How the kernel schedules a process (/proc/PID/stat; `chrt -p` shows the same).",
  fields: (t) => ({
    policy: t.exposeString("policy", { description: "The policy by its kernel name: SCHED_NORMAL, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, SCHED_DEADLINE (SCHED_<n> for one added later)." }),
    rtPriority: t.exposeInt("rtPriority", { description: "The real-time priority: 1–99 under SCHED_FIFO and SCHED_RR, else 0." }),
    nice: t.exposeInt("nice", { description: "The nice value (-20…19)." }),
  }),
});

builder.node(ProcessRef, {
  description: "A process, identified by PID and start time.",
  id: { resolve: (p) => p.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `proc:<boot id>:<pid>:<start time>`." }),
    pid: t.exposeInt("pid", { description: "The PID." }),
    ppid: t.exposeInt("ppid", { description: "The parent's PID." }),
    parent: t.field({ description: "The parent process; null when not seen.", type: ProcessRef, nullable: true, resolve: (p) => indexOf(p).processByPid.get(p.ppid) ?? null }),
    comm: t.exposeString("comm", { description: "The command name (/proc/PID/comm)." }),
    cmdline: t.exposeStringList("cmdline", { description: "The command line, one argument per item." }),
    startTime: t.exposeFloat("startTime", { description: "When it started, in clock ticks since boot." }),
    uid: t.exposeInt("uid", { description: "The real uid." }),
    netns: t.exposeString("netns", { description: "The key of the namespace it is attached to; null when unreadable.", nullable: true }),
    namespace: t.field({ description: "The namespace it is attached to.", type: NamespaceRef, nullable: true, resolve: (p) => byKey(indexOf(p).namespaces, p.netns) }),
    pidNamespace: t.field({ description: "The PID namespace it lives in; null when not known (unreadable, or recorded before wiresight read it).", type: PidNamespaceRef, nullable: true, resolve: (p) => byKey(indexOf(p).pidNamespaces, p.pidns) }),
    scheduling: t.field({ description: "Its scheduling policy, real-time priority and nice value; null when not known.", type: SchedulingRef, nullable: true, resolve: (p) => p.scheduling }),
    cpuAffinity: t.field({ description: "The CPUs it may run on (Cpus_allowed_list); null when not known.", type: [CpuRangeRef], nullable: true, resolve: (p) => p.cpuAffinity }),
  }),
});

builder.node(PidNamespaceRef, {
  description: "A PID namespace at least one discovered process lives in. PID namespaces nest: each but the outermost seen has a parent.",
  id: { resolve: (n) => n.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `pidns:<boot id>:<inode>:<start time of its init>` (without the start time when its init is not visible)." }),
    inode: t.exposeFloat("inode", { description: "The number in `pid:[…]` (`readlink /proc/PID/ns/pid`)." }),
    level: t.exposeInt("level", { description: "Nesting depth below the outermost PID namespace visible here (the initial one: 0)." }),
    parent: t.field({ description: "The PID namespace it was created in; null for the outermost.", type: PidNamespaceRef, nullable: true, resolve: (n) => byKey(indexOf(n).pidNamespaces, n.parent) }),
    children: t.field({ description: "The PID namespaces created in it.", type: [PidNamespaceRef], resolve: (n) => indexOf(n).pidnsChildren.get(n.key) ?? [] }),
    init: t.field({ description: "Its init (PID 1 inside it), when visible: the namespace lives exactly as long as it does.", type: ProcessRef, nullable: true, resolve: (n) => byKey(indexOf(n).processes, n.init) }),
    processes: t.field({ description: "The processes living in it (not those of its children), by PID.", type: [ProcessRef], resolve: (n) => indexOf(n).processesByPidns.get(n.key) ?? [] }),
  }),
});

const HostsEntryRef = builder.objectRef<HostsEntry>("HostsEntry").implement({
  description: "A name of /etc/hosts with its addresses.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "A host name or alias, as written." }),
    addresses: t.exposeStringList("addresses", { description: "Its addresses, in file order." }),
  }),
});
const ResolverRef = builder.objectRef<ResolverSettings>("ResolverSettings").implement({
  description: "What resolv.conf says.",
  fields: (t) => ({
    nameservers: t.exposeStringList("nameservers", { description: "The name servers, in order." }),
    search: t.exposeStringList("search", { description: "The search list." }),
    options: t.exposeStringList("options", { description: "The options as written (ndots:2, edns0\u2026)." }),
  }),
});
const DnsRef = builder.objectRef<DnsSettings>("DnsSettings").implement({
  description: "Name resolution as a tenant sees it; each field null when its source is absent or unreadable.",
  fields: (t) => ({
    utsHostname: t.exposeString("utsHostname", { description: "The node name (`uname -n`) in the tenant's UTS namespace.", nullable: true }),
    utsDomainname: t.exposeString("utsDomainname", { description: "The NIS domain name in the tenant's UTS namespace (`(none)` when unset).", nullable: true }),
    hostname: t.exposeString("hostname", { description: "The first name in /etc/hostname.", nullable: true }),
    domainname: t.exposeString("domainname", { description: "The first name in /etc/domainname.", nullable: true }),
    hosts: t.field({ description: "/etc/hosts: each name with its addresses, in file order.", type: [HostsEntryRef], nullable: true, resolve: (d) => d.hosts }),
    resolver: t.field({ description: "The resolver settings (resolv.conf) as the tenant reads them, symlinks resolved inside its root.", type: ResolverRef, nullable: true, resolve: (d) => d.resolver }),
  }),
});

TenantRef.implement({
  description: "A leader of a namespace (a process attached to it whose parent is not), with its DNS settings.",
  fields: (t) => ({
    kind: t.field({ description: "Where it comes from.", type: TenantKindEnum, resolve: (x) => x.kind }),
    container: t.field({ description: "The container whose init process it is; null when none.", type: ContainerRef, nullable: true, resolve: (x) => byKey(indexOf(x).containers, x.container) }),
    process: t.field({ description: "The process.", type: ProcessRef, nullable: true, resolve: (x) => byKey(indexOf(x).processes, x.process) }),
    pid: t.exposeInt("pid", { description: "Its PID." }),
    comm: t.exposeString("comm", { description: "Its command name." }),
    oldest: t.exposeBoolean("oldest", { description: "Whether it is the namespace's oldest leader." }),
    boundingCapabilities: t.exposeStringList("boundingCapabilities", { description: "Its capability bounding set (CapBnd) by name; null when unreadable.", nullable: true }),
    dns: t.field({ description: "Name resolution as it sees it.", type: DnsRef, resolve: (x) => x.dns }),
  }),
});

const GroupRef = builder.objectRef<ContainerGroup>("ContainerGroup").implement({
  description: "What ties a container to others: a compose project or a Kubernetes pod.",
  fields: (t) => ({
    kind: t.field({ description: "What kind of group.", type: ContainerGroupKindEnum, resolve: (g) => g.kind }),
    name: t.exposeString("name", { description: "The project's or pod's name." }),
    namespace: t.string({ nullable: true, description: "The Kubernetes namespace (pods only).", resolve: (g) => (g.kind === "kubernetes-pod" ? g.namespace : null) }),
  }),
});
const AttachmentRef = builder.objectRef<ContainerAttachment & { owner: object }>("ContainerAttachment").implement({
  description: "A container's attachment to a network.",
  fields: (t) => ({
    network: t.field({ description: "The network; null when its engine did not list it.", type: ContainerNetworkRef, nullable: true, resolve: (a) => byKey(indexOf(a.owner).containerNetworks, a.network) }),
    networkKey: t.string({ description: "The network's key.", resolve: (a) => a.network }),
    name: t.exposeString("name", { description: "The network's name." }),
    ipv4: t.exposeString("ipv4", { description: "The container's IPv4 address on it; null when none.", nullable: true }),
    ipv6: t.exposeString("ipv6", { description: "The container's IPv6 address on it; null when none.", nullable: true }),
    mac: t.exposeString("mac", { description: "The container's MAC address on it; null when none.", nullable: true }),
    aliases: t.exposeStringList("aliases", { description: "The other names the engine's DNS answers for it on this network (Docker: compose service names, `--network-alias`, DNSNames)." }),
  }),
});

builder.node(ContainerRef, {
  description: "A container its engine lists (Docker and Podman: running and paused ones; containerd and CRI-O: every one). `containerId` is the engine's id (`id` is the global node id).",
  id: { resolve: (c) => c.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `container:<engine kind>:<container id>`." }),
    containerId: t.string({ description: "The engine's id for it (64 hex digits for Docker, Podman and CRI containers; containerd: any name its client chose).", resolve: (c) => c.id }),
    engine: t.field({ description: "The engine running it.", type: EngineRef, nullable: true, resolve: (c) => byKey(indexOf(c).engines, c.engine) }),
    name: t.exposeString("name", { description: "Its name." }),
    image: t.exposeString("image", { description: "Its image." }),
    state: t.field({ description: "Its state.", type: ContainerState.ref, resolve: (c) => ContainerState.of(c.state) }),
    enginePid: t.exposeInt("enginePid", { description: "Its init process's PID, as its engine reports it." }),
    process: t.field({ description: "Its init process.", type: ProcessRef, nullable: true, resolve: (c) => byKey(indexOf(c).processes, c.process) }),
    netns: t.exposeString("netns", { description: "Its namespace's key; null when not seen.", nullable: true }),
    namespace: t.field({ description: "Its namespace.", type: NamespaceRef, nullable: true, resolve: (c) => byKey(indexOf(c).namespaces, c.netns) }),
    interfaces: t.field({ type: [InterfaceRef], description: "Its namespace's interfaces.", resolve: (c) => byKey(indexOf(c).namespaces, c.netns)?.interfaces ?? [] }),
    labels: t.field({ description: "Its labels (a JSON object).", type: "JSON", resolve: (c) => c.labels }),
    privileged: t.exposeBoolean("privileged", { description: "Whether it runs privileged." }),
    groups: t.field({ description: "The compose projects and pods it belongs to.", type: [GroupRef], resolve: (c) => c.groups }),
    networks: t.field({ description: "The networks it is attached to.", type: [AttachmentRef], resolve: (c) => c.networks.map((n) => ({ ...n, owner: c })) }),
  }),
});

builder.node(EngineRef, {
  description: "A container engine found in the process table.",
  id: { resolve: (e) => e.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `engine:<kind>:<process key>`." }),
    kind: t.field({ description: "Which engine.", type: EngineKindEnum, resolve: (e) => e.kind }),
    process: t.field({ description: "Its process.", type: ProcessRef, nullable: true, resolve: (e) => byKey(indexOf(e).processes, e.process) }),
    pid: t.exposeInt("pid", { description: "Its PID." }),
    sockets: t.exposeStringList("sockets", { description: "The listening unix sockets it holds, as it bound them." }),
    apiSocket: t.exposeString("apiSocket", { description: "The socket its API answered on, as reached from here; null when none did.", nullable: true }),
    apiVersion: t.exposeString("apiVersion", { description: "The API version it announced; null when not asked.", nullable: true }),
    server: t.exposeString("server", { description: "Its Server header (`Docker/24.0.7 (linux)`); null when not asked.", nullable: true }),
    engineId: t.exposeString("engineId", { description: "The engine's own id (Docker and Podman: `GET /info`'s ID); null when not read.", nullable: true }),
    version: t.exposeString("version", { description: "The engine's version (Docker and Podman: `GET /info`'s ServerVersion); null when not read.", nullable: true }),
    status: t.field({ description: "Whether wiresight could read it.", type: EngineStatusEnum, resolve: (e) => e.status }),
    containers: t.field({ description: "Its containers.", type: [ContainerRef], resolve: (e) => indexOf(e).topology.containers.filter((c) => c.engine === e.key) }),
    networks: t.field({ description: "Its networks.", type: [ContainerNetworkRef], resolve: (e) => indexOf(e).topology.containerNetworks.filter((n) => n.engine === e.key) }),
  }),
});

builder.node(ContainerNetworkRef, {
  description: "A container engine's network. `networkId` is the engine's id (`id` is the global node id).",
  id: { resolve: (n) => n.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `container-network:<engine kind>:<network id>`." }),
    engine: t.field({ description: "Its engine.", type: EngineRef, nullable: true, resolve: (n) => byKey(indexOf(n).engines, n.engine) }),
    networkId: t.string({ description: "The engine's id for it.", resolve: (n) => n.id }),
    name: t.exposeString("name", { description: "Its name." }),
    driver: t.exposeString("driver", { description: "Its driver (bridge, macvlan, host\u2026)." }),
    internal: t.exposeBoolean("internal", { description: "Whether it is internal (no way out)." }),
    default: t.exposeBoolean("default", { description: "Whether it is its engine's default network." }),
    labels: t.field({ description: "Its labels (a JSON object).", type: "JSON", resolve: (n) => n.labels }),
    bridgeName: t.exposeString("bridgeName", { description: "The name of its bridge interface (bridge networks); null otherwise.", nullable: true }),
    bridge: t.field({ description: "Its bridge interface.", type: InterfaceRef, nullable: true, resolve: (n) => byKey(indexOf(n).interfaces, n.bridge) }),
  }),
});

const PortRangeRef = builder.objectRef<PortRange>("PortRange").implement({
  description: "A range of ports (first = last for one port).",
  fields: (t) => ({
    first: t.exposeInt("first", { description: "The first port." }),
    last: t.exposeInt("last", { description: "The last port." }),
  }),
});
const ForwardSourceRef = builder.objectRef<ForwardSource & { owner: object }>("ForwardSource").implement({
  description: "Where a forwarding was found: an nf_tables rule (kind nft-rule) or a proxy process (kind proxy).",
  fields: (t) => ({
    kind: t.field({ description: "What it is.", type: ForwardSourceKindEnum, resolve: (s) => s.kind }),
    engine: t.field({ description: "The engine its rule or process belongs to, when it says so.", type: ForwardingEngineEnum, nullable: true, resolve: (s) => s.engine }),
    family: t.string({ description: "NFT_RULE: the table's nf_tables family (ip, ip6, inet).", nullable: true, resolve: (s) => (s.kind === "nft-rule" ? s.family : null) }),
    table: t.string({ description: "NFT_RULE: the table.", nullable: true, resolve: (s) => (s.kind === "nft-rule" ? s.table : null) }),
    chain: t.string({ description: "NFT_RULE: the chain.", nullable: true, resolve: (s) => (s.kind === "nft-rule" ? s.chain : null) }),
    handle: t.float({ description: "NFT_RULE: the rule's handle (`nft -a list chain \u2026` shows it).", nullable: true, resolve: (s) => (s.kind === "nft-rule" ? s.handle : null) }),
    form: t.field({ description: "NFT_RULE: how the rule is written.", type: NatRuleFormEnum, nullable: true, resolve: (s) => (s.kind === "nft-rule" ? s.form : null) }),
    pid: t.int({ description: "PROXY: the proxy's PID.", nullable: true, resolve: (s) => (s.kind === "proxy" ? s.pid : null) }),
    process: t.field({ description: "PROXY: the proxy process.", type: ProcessRef, nullable: true, resolve: (s) => (s.kind === "proxy" ? byKey(indexOf(s.owner).processes, s.process) : null) }),
  }),
});

builder.node(ForwardedPortRef, {
  description: "A port forwarded by NAT rules or a userland proxy, with where it arrives and who answers.",
  id: { resolve: (p) => p.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: namespace, protocol, host address and ports, destination." }),
    netns: t.exposeString("netns", { description: "The key of the namespace whose rules or proxy hold it: where packets arrive." }),
    namespace: t.field({ description: "The namespace where packets arrive.", type: NamespaceRef, resolve: (p) => indexOf(p).namespaces.get(p.netns)! }),
    family: t.field({ description: "IPv4 or IPv6.", type: AddressFamilyEnum, resolve: (p) => p.family }),
    protocol: t.exposeString("protocol", { description: "The protocol it matches (tcp, udp, sctp\u2026); null for every protocol.", nullable: true }),
    hostAddress: t.exposeString("hostAddress", { description: "The local address it matches; null for any.", nullable: true }),
    hostPorts: t.field({ description: "The ports it matches; null for every port.", type: PortRangeRef, nullable: true, resolve: (p) => p.hostPorts }),
    destinationAddress: t.exposeString("destinationAddress", { description: "Where packets go." }),
    destinationAddressLast: t.exposeString("destinationAddressLast", { description: "The last address of a DNAT address range; null for one address.", nullable: true }),
    destinationPorts: t.field({ description: "The ports packets go to; null when they keep theirs.", type: PortRangeRef, nullable: true, resolve: (p) => p.destinationPorts }),
    engine: t.field({ description: "The engine it belongs to, when a source says so.", type: ForwardingEngineEnum, nullable: true, resolve: (p) => p.engine }),
    destinationNetns: t.exposeString("destinationNetns", { description: "The key of the namespace the destination is in; null when not found.", nullable: true }),
    destinationNamespace: t.field({ description: "The namespace the destination is in.", type: NamespaceRef, nullable: true, resolve: (p) => byKey(indexOf(p).namespaces, p.destinationNetns) }),
    destinationInterface: t.field({ description: "The interface holding the destination address.", type: InterfaceRef, nullable: true, resolve: (p) => byKey(indexOf(p).interfaces, p.destinationInterface) }),
    listeners: t.field({ description: "The listening sockets that would take the forwarded traffic (their processes answer).", type: [SocketRef], resolve: (p) => byKeys(indexOf(p).sockets, p.listeners) }),
    sources: t.field({ description: "Where it was found: rules first, then proxies.", type: [ForwardSourceRef], resolve: (p) => p.sources.map((s) => ({ ...s, owner: p })) }),
  }),
});

const OsReleaseRef = builder.objectRef<OsRelease>("OsRelease").implement({
  description: "The identifying fields of the host's os-release(5) (/etc/os-release as PID 1 sees it, else /usr/lib/os-release); each null when the file does not set it.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "NAME (`Debian GNU/Linux`).", nullable: true }),
    version: t.exposeString("version", { description: "VERSION (`12 (bookworm)`).", nullable: true }),
    osId: t.string({ description: "ID (`debian`): the operating system's machine-readable name (GraphQL's `id` is for identities).", nullable: true, resolve: (o) => o.id }),
    versionId: t.exposeString("versionId", { description: "VERSION_ID (`12`).", nullable: true }),
    prettyName: t.exposeString("prettyName", { description: "PRETTY_NAME (`Debian GNU/Linux 12 (bookworm)`).", nullable: true }),
  }),
});
const HostRef = builder.objectRef<HostInfo>("HostInfo").implement({
  description: "The host a discovery ran on.",
  fields: (t) => ({
    bootId: t.exposeString("bootId", { description: "The boot id (/proc/sys/kernel/random/boot_id)." }),
    hostname: t.exposeString("hostname", { description: "The host name." }),
    kernelRelease: t.exposeString("kernelRelease", { description: "The kernel release (`uname -r`)." }),
    kernelVersion: t.exposeString("kernelVersion", { description: "The kernel's build string (/proc/version); null when unreadable or recorded before wiresight read it.", nullable: true }),
    os: t.field({ description: "The host's os-release; null when unreadable or recorded before wiresight read it.", type: OsReleaseRef, nullable: true, resolve: (h) => h.os }),
    cpusOnline: t.field({ description: "The CPUs online (/sys/devices/system/cpu/online); null when unreadable or recorded before wiresight read it.", type: [CpuRangeRef], nullable: true, resolve: (h) => h.cpusOnline }),
  }),
});
const MissingRef = builder.objectRef<Privileges["missing"][number]>("MissingCapability").implement({
  description: "A capability wiresight lacked, and what it could therefore not see.",
  fields: (t) => ({
    capability: t.exposeString("capability", { description: "The capability (CAP_SYS_ADMIN\u2026)." }),
    consequence: t.exposeString("consequence", { description: "What was not seen without it." }),
  }),
});
const PrivilegesRef = builder.objectRef<Privileges>("Privileges").implement({
  description: "What wiresight could do when it discovered.",
  fields: (t) => ({
    root: t.exposeBoolean("root", { description: "Whether it ran as root." }),
    missing: t.field({ description: "The capabilities it lacked.", type: [MissingRef], resolve: (p) => p.missing }),
  }),
});
export const WarningRef = builder.objectRef<Warning>("Warning").implement({
  description: "Something a discovery could not do (a namespace vanished, a process was unreadable).",
  fields: (t) => ({
    subject: t.exposeString("subject", { description: "What it is about." }),
    message: t.exposeString("message", { description: "What happened." }),
  }),
});
export const StatsRef = builder.objectRef<DiscoveryStats>("DiscoveryStats").implement({
  description: "Counts and timings of one discovery.",
  fields: (t) => ({
    durationMs: t.exposeFloat("durationMs", { description: "How long it took, ms." }),
    namespaces: t.exposeInt("namespaces", { description: "Namespaces found." }),
    interfaces: t.exposeInt("interfaces", { description: "Interfaces found." }),
    addresses: t.exposeInt("addresses", { description: "Addresses found." }),
    routes: t.exposeInt("routes", { description: "Routes found." }),
    sockets: t.exposeInt("sockets", { description: "Sockets found." }),
    socketStates: t.exposeString("socketStates", { description: "Which sockets were read: `all`, or `listening` only." }),
    processes: t.exposeInt("processes", { description: "Processes found." }),
    tenants: t.exposeInt("tenants", { description: "Tenants found." }),
    dnsFileSets: t.exposeInt("dnsFileSets", { description: "Sets of DNS files read (one per mount namespace and root)." }),
    utsNamespaces: t.exposeInt("utsNamespaces", { description: "UTS namespaces read." }),
    nsidQueries: t.exposeInt("nsidQueries", { description: "NSID queries made." }),
    dumpRetries: t.exposeInt("dumpRetries", { description: "Netlink dumps repeated because they were interrupted." }),
    initialNamespaceBy: t.exposeString("initialNamespaceBy", { description: "How the initial namespace was recognised." }),
  }),
});

TopologyRef.implement({
  description: "What one discovery found (the live one, or one recorded in the history).",
  fields: (t) => ({
    formatVersion: t.exposeInt("formatVersion", { description: "The version of the dump format (docs/dump.md)." }),
    host: t.field({ description: "The host.", type: HostRef, resolve: (x) => x.host }),
    discoveredAt: t.field({ description: "When the discovery ran.", type: "DateTime", resolve: (x) => x.discoveredAt }),
    revision: t.int({ nullable: true, description: "The revision this topology was recorded as.", resolve: (x) => revisionOf(x) }),
    namespaces: t.field({ description: "Every namespace.", type: [NamespaceRef], resolve: (x) => x.namespaces }),
    interfaces: t.field({ description: "Every interface of every namespace.", type: [InterfaceRef], resolve: (x) => x.namespaces.flatMap((n) => n.interfaces) }),
    processes: t.field({ description: "Every process.", type: [ProcessRef], resolve: (x) => x.processes }),
    pidNamespaces: t.field({ description: "Every PID namespace a process lives in, outermost first.", type: [PidNamespaceRef], resolve: (x) => x.pidNamespaces }),
    forwardedPorts: t.field({ description: "Every forwarded port.", type: [ForwardedPortRef], resolve: (x) => x.forwardedPorts }),
    engines: t.field({ description: "Every container engine.", type: [EngineRef], resolve: (x) => x.engines }),
    containers: t.field({ description: "Every container.", type: [ContainerRef], resolve: (x) => x.containers }),
    containerNetworks: t.field({ description: "Every container network.", type: [ContainerNetworkRef], resolve: (x) => x.containerNetworks }),
    privileges: t.field({ description: "What wiresight could do.", type: PrivilegesRef, resolve: (x) => x.privileges }),
    warnings: t.field({ description: "What it could not do.", type: [WarningRef], resolve: (x) => x.warnings }),
    stats: t.field({ description: "Counts and timings.", type: StatsRef, resolve: (x) => x.stats }),
  }),
});
