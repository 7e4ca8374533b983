// Ghostwire's v1 JSON shapes, as its Go code writes them (siemens/ghostwire api/v1/*.go) and its
// web UI reads them. Where the Go code and the published OpenAPI file disagree, the Go code wins
// (`next-hop`, not `nexthop`), except for fields the OpenAPI file requires: those are present.

export type CpuList = [number, number][];

export interface GwEngineMeta {
  id: string;
  type: string;
  version: string;
  pid: number;
}

export interface GwMetadata {
  "creation-timestamp": string;
  creator: string;
  "creator-id": string;
  "creator-version": string;
  hostname?: string;
  "osrel-name"?: string;
  "osrel-version"?: string;
  "kernel-version"?: string;
  cpus?: CpuList;
  "container-engines": GwEngineMeta[];
}

export interface GwRef {
  idref: string;
  name: string;
  index: number;
}

export interface GwIpAddress {
  address: string;
  family: number;
  index: number;
  "preferred-lifetime": number;
  prefixlen: number;
  scope: number;
  "valid-lifetime": number;
}

export interface GwDriverInfo {
  driver: string;
  version?: string;
  fwversion?: string;
  businfo?: string;
}

export interface GwOwner {
  pid: number;
  cmdline: string;
  "container-idref"?: string;
}

export interface GwVxlan {
  idref: string;
  vid: number;
  "arp-proxy": boolean;
  source?: { source_ipv4?: string; source_ipv6?: string };
  "source-portrange": { low: number; high: number };
  remote?: { remote_ipv4?: string; remote_ipv6?: string };
  "remote-port": number;
}

export interface GwInterface {
  id: string;
  name: string;
  index: number;
  kind: string;
  operstate: "UNKNOWN" | "NOTPRESENT" | "DOWN" | "UP" | "LOWERLAYERDOWN";
  physical: boolean;
  driverinfo: GwDriverInfo;
  promisc: boolean;
  addresses: { mac: string; ipv4: GwIpAddress[]; ipv6: GwIpAddress[] };
  alias?: string;
  labels?: Record<string, string>;
  master?: GwRef;
  macvlan?: GwRef;
  macvlans?: GwRef[];
  peer?: { "peer-idref": string; "peer-name": string; "peer-index": number };
  slaves?: GwRef[];
  tuntap?: { mode: string; processors: GwOwner[] };
  vxlan?: GwVxlan;
  vlan?: { vid: number; "vlan-protocol": number };
  "sr-iov-role"?: 1 | 2;
  pf?: GwRef;
}

export interface GwRoute {
  family: number;
  destination: string;
  "destination-prefixlen": number;
  index: number;
  "network-interface-idref": string;
  "next-hop"?: string;
  preference: "00" | "01" | "10";
  priority: number;
  type?: string;
  table: number;
}

export interface GwPort {
  family: number;
  protocol: "tcp" | "udp";
  "local-address": string;
  "local-port": number;
  "local-servicename": string;
  "remote-address": string;
  "remote-port": number;
  "remote-servicename": string;
  state: string;
  macrostate: "listening" | "connected" | "unconnected";
  owners: GwOwner[];
  "network-interface-idrefs": string[];
}

export interface GwForwardedPort {
  family: number;
  protocol: string;
  ip: string;
  port: number;
  servicename: string;
  "forward-ip": string;
  "forward-port": number;
  "forward-servicename": string;
  netnsid: number;
  owners: GwOwner[];
  "network-interface-refs": string[];
}

export interface GwDns {
  "uts-hostname": string;
  "etc-hostname": string;
  domainname: string;
  nameservers: string[];
  searchlist: string[];
  "etc-hosts": { name: string; address: string }[];
}

export interface GwContainer {
  id: string;
  name: string;
  type: string;
  "type-text": string;
  pid: number;
  pidns: number;
  "pidns-idref": string;
  status: "running" | "paused";
  cmdline: string;
  capbnd: string;
  dns: GwDns;
  group: string;
  prefix: string;
  labels?: Record<string, string>;
  "api-path": string;
  affinity?: CpuList;
  policy?: number;
  priority?: number;
  nice?: number;
}

export interface GwContainerGroup {
  id: string;
  name: string;
  type: string;
  "type-text": string;
  "container-idrefs": string[];
}

export interface GwNetns {
  id: string;
  netnsid: number;
  "network-interfaces": GwInterface[];
  routes: { ipv4: GwRoute[]; ipv6: GwRoute[] };
  "transport-ports": { ipv4: GwPort[]; ipv6: GwPort[] };
  "forwarded-ports": { ipv4: GwForwardedPort[]; ipv6: GwForwardedPort[] };
  containers: GwContainer[];
  "container-groups": GwContainerGroup[];
}

export interface GwPidns {
  id: string;
  pidnsid: number;
  children: GwPidns[];
  "container-idrefs": string[];
}

export interface GwDiscoveryResult {
  metadata: GwMetadata;
  "network-namespaces": GwNetns[];
  "pid-namespaces": GwPidns[];
}

export interface GwCaptureTarget {
  name: string;
  type: string;
  netns: number;
  "network-interfaces": string[];
  pid: number;
  starttime: number;
  prefix: string;
}

export interface GwTargetDiscoveryResult {
  metadata: GwMetadata;
  containers: GwCaptureTarget[];
}

export interface GhostwireOptions {
  /** Our version, for metadata.creator-version (the caller knows it; this module stays pure). */
  creatorVersion: string;
}
