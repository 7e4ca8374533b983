// The Topology: what one discovery found, as plain serialisable objects. Relations between
// objects are held as identity keys (see keys.ts), so the same value can be dumped as JSON,
// recorded in the store and served over GraphQL; `indexTopology` (index.ts) turns keys into
// lookups once. Field names are what users read in `wiresight dump`; docs/dump.schema.json
// documents them, so keep the two in step.

import type { ForwardedPort } from "./forwarded-ports.ts";
import type { BridgeDecoration, Container, ContainerEngine, ContainerKey, ContainerNetwork, Pod } from "./containers.ts";
import type { KubeService } from "./kube-services.ts";
import type { InterfaceKey, NetnsKey, PidnsKey, ProcessKey } from "./keys.ts";
import type { Tenant } from "./tenants.ts";
import type { Socket } from "./socket.ts";
import type { InterfaceDetails, InterfaceKind } from "./interface-kinds.ts";

export type { SimpleSocketState, Socket, SocketKey } from "./socket.ts";
export { INTERFACE_KINDS, type InterfaceDetails, type InterfaceKind, type VirtualFunction } from "./interface-kinds.ts";

export const TOPOLOGY_FORMAT_VERSION = 1;

export interface Topology {
  formatVersion: typeof TOPOLOGY_FORMAT_VERSION;
  host: HostInfo;
  /** ISO 8601 time at which discovery started. */
  discoveredAt: string;
  /** Initial namespace first, then by display name, then by inode. */
  namespaces: NetworkNamespace[];
  /** By PID. */
  processes: Process[];
  /** The PID namespaces the processes live in, outermost first, then by inode. */
  pidNamespaces: PidNamespace[];
  /** Ports forwarded by NAT rules or docker-proxy, in any namespace; by namespace, then key. */
  forwardedPorts: ForwardedPort[];
  /**
   * Container engines found in the process table, by PID; their containers (by engine, name) and
   * networks (by engine, name). Empty unless discovery asked the engines (discoverWithEngines).
   */
  engines: ContainerEngine[];
  containers: Container[];
  containerNetworks: ContainerNetwork[];
  /** Kubernetes pod sandboxes the CRI runtimes reported, by engine, namespace, name. */
  pods: Pod[];
  /** Kubernetes service ports from kube-proxy's rules, by namespace key, then service. */
  services: KubeService[];
  privileges: Privileges;
  warnings: Warning[];
  stats: DiscoveryStats;
}

export interface HostInfo {
  bootId: string;
  hostname: string;
  kernelRelease: string;
  /** /proc/version: the kernel's build string ("Linux version 6.1.0-… (gcc …) #1 SMP …"); null if unreadable. */
  kernelVersion: string | null;
  /** The host's os-release (/etc/os-release as PID 1 sees it, else /usr/lib/os-release); null if neither was readable. */
  os: OsRelease | null;
  /** CPUs online (/sys/devices/system/cpu/online) as [first, last] ranges; null if unreadable. */
  cpusOnline: [number, number][] | null;
}

/** The identifying fields of os-release(5); each null when the file does not set it. */
export interface OsRelease {
  /** NAME, e.g. "Debian GNU/Linux". */
  name: string | null;
  /** VERSION, e.g. "12 (bookworm)". */
  version: string | null;
  /** ID, e.g. "debian". */
  id: string | null;
  /** VERSION_ID, e.g. "12". */
  versionId: string | null;
  /** PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)". */
  prettyName: string | null;
}

export interface Privileges {
  root: boolean;
  /** Capabilities discovery needs but the process does not have, and what is therefore not seen. */
  missing: { capability: string; consequence: string }[];
}

export interface Warning {
  /** What the warning is about: a namespace key, `net:[INODE]` (not yet identified), or `procfs`. */
  subject: string;
  message: string;
}

export interface DiscoveryStats {
  durationMs: number;
  namespaces: number;
  interfaces: number;
  addresses: number;
  routes: number;
  /** TCP and UDP sockets over all namespaces (listening ones only with `listeningOnly`). */
  sockets: number;
  /** Whether sockets were asked for in every state, or listening ones only (cheaper). */
  socketStates: "all" | "listening";
  processes: number;
  /** Tenants over all namespaces. */
  tenants: number;
  /** Distinct sets of DNS files read (one per mount namespace and root among the tenants). */
  dnsFileSets: number;
  /** Distinct UTS namespaces entered for their host names. */
  utsNamespaces: number;
  /** RTM_GETNSID queries sent to resolve the NSIDs that links reference. */
  nsidQueries: number;
  /** Dumps repeated because the kernel flagged them NLM_F_DUMP_INTR. */
  dumpRetries: number;
  /** How the initial namespace was recognised (PID 1's link, the kernel's fixed inode, …). */
  initialNamespaceBy: string;
}

export type NetnsReference =
  | { kind: "process"; pid: number }
  | { kind: "thread"; pid: number; tid: number }
  | { kind: "bindmount"; path: string; viaPid: number; mountNamespace: number }
  | { kind: "fd"; pid: number; fd: number };

export interface NetworkNamespace {
  key: NetnsKey;
  /** SO_NETNS_COOKIE as a decimal string (64-bit). */
  cookie: string;
  inode: number;
  dev: number;
  initial: boolean;
  /** A short human name: bind-mount path, else leading process names, else how it is held. */
  displayName: string;
  /** Every way this namespace was found (processes, threads, bind mounts, open fds). */
  references: NetnsReference[];
  /** Processes whose main thread is attached to this namespace. */
  processes: ProcessKey[];
  /** Its leaders (topmost attached processes) with their capabilities and DNS settings; oldest first. */
  tenants: Tenant[];
  /** Containers whose init process lives in this namespace (several when they share it). */
  containers: ContainerKey[];
  interfaces: NetworkInterface[];
  routes: Route[];
  /** TCP and UDP sockets, IPv4 and IPv6 (see Socket for the order). */
  sockets: Socket[];
  /** The NSIDs this namespace assigns to the peers its links reference, where resolved. */
  nsids: { nsid: number; netns: NetnsKey | null }[];
}

export interface NetworkInterface {
  key: InterfaceKey;
  netns: NetnsKey;
  index: number;
  name: string;
  kind: InterfaceKind;
  /** IFLA_INFO_KIND as the kernel says it ("veth", "macvtap", "ipip"…), absent for physical and lo. */
  driverKind: string | null;
  /** IFLA_INFO_SLAVE_KIND: what this interface is a port of ("bridge", "bond"…). */
  portKind: string | null;
  /** iproute2's flag names: UP, BROADCAST, LOOPBACK, MULTICAST, PROMISC, LOWER_UP… */
  flags: string[];
  up: boolean;
  promiscuous: boolean;
  /** IF_OPER_* name: UP, DOWN, UNKNOWN, LOWERLAYERDOWN, DORMANT, NOTPRESENT, TESTING. */
  operState: string;
  mac: string | null;
  mtu: number | null;
  alias: string | null;
  /** A bridge that is a container engine's network: that network's name, labels and flags. */
  containerNetwork: BridgeDecoration | null;
  /** ARPHRD_* link-layer type number (1 = Ethernet, 772 = loopback, 65534 = none). */
  linkType: number;
  addresses: Address[];
  /** Processes holding the device open (tun/tap: /dev/net/tun fds attached to it), by PID; [] for other kinds. */
  users: ProcessKey[];
  relations: InterfaceRelations;
  /** What the kernel reported and relations were resolved from, kept for debugging and diffs. */
  raw: { link: number | null; linkNetnsid: number | null; master: number | null };
  details: InterfaceDetails;
}

export interface InterfaceRelations {
  /** veth, netkit: the other end, possibly in another namespace. */
  peer: InterfaceKey | null;
  /** A bridge port: its bridge. */
  bridge: InterfaceKey | null;
  /** A bridge: its ports. */
  ports: InterfaceKey[];
  /** macvlan/macvtap/vlan/ipvlan: the lower device it sits on (may be in another namespace). */
  master: InterfaceKey | null;
  /** The upper devices (macvlan, vlan…) that sit on this one. */
  slaves: InterfaceKey[];
  /** A non-bridge IFLA_MASTER (bond, team, vrf). */
  controller: InterfaceKey | null;
  /** The members of a bond/team/vrf. */
  members: InterfaceKey[];
  /** vxlan, geneve, GRE and IP tunnels: the underlay interface their packets leave through. */
  underlay: InterfaceKey | null;
  /** The tunnels (vxlan, geneve, GRE, IP-in-IP) that use this one as underlay. */
  overlays: InterfaceKey[];
  /** An SR-IOV virtual function: its physical function (the PF's interface, wherever it lives). */
  pf: InterfaceKey | null;
  /** An SR-IOV physical function: the interfaces of its virtual functions that were found. */
  vfs: InterfaceKey[];
}

export interface Address {
  key: string;
  interface: InterfaceKey;
  family: "ipv4" | "ipv6";
  address: string;
  prefixLength: number;
  /** IFA_ADDRESS when it differs from IFA_LOCAL (point-to-point peer). */
  peer: string | null;
  broadcast: string | null;
  scope: string;
  flags: string[];
  label: string | null;
  /** Seconds; null means forever. */
  preferredLifetime: number | null;
  validLifetime: number | null;
}

export interface Route {
  key: string;
  netns: NetnsKey;
  family: "ipv4" | "ipv6";
  /** Unicast, local, broadcast, blackhole… (RTN_*). */
  type: string;
  /** "default" or the network address. */
  destination: string;
  prefixLength: number;
  /** Source-specific routing (RTA_SRC, "from" in iproute2); 0 prefix length when absent. */
  source: string | null;
  sourcePrefixLength: number;
  preferredSource: string | null;
  gateway: string | null;
  outputInterface: InterfaceKey | null;
  /** Multipath routes: each next hop. */
  nexthops: { gateway: string | null; outputInterface: InterfaceKey | null; weight: number }[];
  table: number;
  tableName: string;
  priority: number;
  /** IPv6 router preference (RTA_PREF): low, medium, high. */
  preference: string | null;
  protocol: string;
  scope: string;
  tos: number;
}

export interface Process {
  key: ProcessKey;
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string[];
  /** Clock ticks since boot (field 22 of /proc/PID/stat). */
  startTime: number;
  uid: number;
  netns: NetnsKey | null;
  /** The PID namespace it lives in; null when not known (no access to /proc/PID/ns/pid, older recording). */
  pidns: PidnsKey | null;
  /**
   * From /proc/PID/stat: the scheduling policy by its kernel name (SCHED_NORMAL, SCHED_FIFO,
   * SCHED_RR, SCHED_BATCH, SCHED_IDLE, SCHED_DEADLINE), the real-time priority (1–99 under FIFO
   * and RR, else 0) and the nice value (-20…19). null when not known.
   */
  scheduling: { policy: string; rtPriority: number; nice: number } | null;
  /** The CPUs it may run on (Cpus_allowed_list) as [first, last] ranges; null when not known. */
  cpuAffinity: [number, number][] | null;
}

/**
 * A PID namespace that at least one discovered process lives in. PID namespaces nest: every one
 * but the outermost seen has a parent (the kernel's NS_GET_PARENT).
 */
export interface PidNamespace {
  key: PidnsKey;
  /** The number in `pid:[…]`. */
  inode: number;
  /** Nesting depth below the outermost PID namespace visible here (the initial one: 0). */
  level: number;
  parent: PidnsKey | null;
  /** Its init (PID 1 inside it), when visible: the namespace lives exactly as long as it does. */
  init: ProcessKey | null;
}
