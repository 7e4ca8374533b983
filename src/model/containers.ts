// Container engines, their containers and their networks, as discovery found them by asking each
// engine's API. Kept apart from topology.ts so the container model can grow on its own; the
// Topology holds these lists and each namespace lists the containers that live in it.
//
// Identity: an engine is its process (PID + start time, so a restarted engine is a new engine); a
// container or network is its engine-wide id under that engine's kind. Container ids are 64 hex
// digits and effectively never reused, so a restarted dockerd still names the same container.

import type { InterfaceKey, NetnsKey, ProcessKey } from "./keys.ts";

export type EngineKey = string;
export type ContainerKey = string;
export type ContainerNetworkKey = string;

export type EngineKind = "docker" | "podman" | "containerd" | "cri-o";

/** `engine:<kind>:<process key>` */
export function engineKey(kind: EngineKind, process: ProcessKey): EngineKey {
  return `engine:${kind}:${process}`;
}

/** `container:<engine kind>:<container id>` */
export function containerKey(kind: EngineKind, id: string): ContainerKey {
  return `container:${kind}:${id}`;
}

/** `container-network:<engine kind>:<network id>` */
export function containerNetworkKey(kind: EngineKind, id: string): ContainerNetworkKey {
  return `container-network:${kind}:${id}`;
}

export type EngineStatus =
  /** The API answered and its containers and networks were read. */
  | "ok"
  /** No listening socket answered the API (refused, timed out, garbage); see warnings. */
  | "unreachable"
  /** An API socket answered (/_ping, a version call), but reading containers, pods or networks failed; see warnings. */
  | "partial"
  /** An engine whose API wiresight does not speak. */
  | "not-queried";

export interface ContainerEngine {
  key: EngineKey;
  kind: EngineKind;
  /** The engine's own process (its key). */
  process: ProcessKey;
  pid: number;
  /** Listening unix sockets the engine holds, as it bound them (paths inside its own root). */
  sockets: string[];
  /** The socket the API answered on, as reached from here (through /proc/PID/root). */
  apiSocket: string | null;
  /** The Api-Version the engine announced (containerd: its version; CRI-O: the CRI version). */
  apiVersion: string | null;
  /** The engine's Server header ("Docker/20.10.24+dfsg1 (linux)", "Libpod/4.3.1 (linux)"), or "containerd/1.6.20", "cri-o/1.29.1". */
  server: string | null;
  /** The engine's own id and version (`GET /info`: ID, ServerVersion); null when not read. */
  engineId: string | null;
  version: string | null;
  status: EngineStatus;
  /** containerd only: its namespaces (moby, k8s.io, default, nerdctl's…), by name; [] for other engines. */
  containerdNamespaces: string[];
  /** Whether it serves the Kubernetes CRI runtime service (containerd's CRI plugin, CRI-O): its pods are listed. */
  cri: boolean;
}

/** `pod:<engine kind>:<sandbox id>` */
export type PodKey = string;

export function podKey(kind: EngineKind, sandboxId: string): PodKey {
  return `pod:${kind}:${sandboxId}`;
}

/**
 * A Kubernetes pod sandbox as the CRI runtime service (containerd's CRI plugin, CRI-O) reports
 * it: the network namespace its containers share, and those containers.
 */
export interface Pod {
  key: PodKey;
  engine: EngineKey;
  /** The runtime's sandbox id (for containerd also the sandbox container's id). */
  sandboxId: string;
  /** The Kubernetes namespace and name, and the pod's UID. */
  namespace: string;
  name: string;
  uid: string;
  attempt: number;
  /** "ready" or "notready" (SANDBOX_READY / SANDBOX_NOTREADY). */
  state: string;
  /** ISO 8601; null when the runtime gave none. */
  createdAt: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The RuntimeClass handler ("" for the default). */
  runtimeHandler: string;
  /** The pod's addresses as the runtime reports them (from CNI): the primary first. */
  ips: string[];
  /** The network namespace the pod's containers share; null when not found (or not ready). */
  netns: NetnsKey | null;
  /** The sandbox's own container ("pause"), when the engine lists it as a container. */
  sandboxContainer: ContainerKey | null;
  /** The pod's containers (not the sandbox), by name. */
  containers: ContainerKey[];
}

/** What ties containers together beyond their engine. */
export type ContainerGroup =
  | { kind: "compose-project"; name: string }
  | { kind: "kubernetes-pod"; namespace: string; name: string };

export interface ContainerAttachment {
  network: ContainerNetworkKey;
  /** The network's name as the engine calls it. */
  name: string;
  ipv4: string | null;
  ipv6: string | null;
  mac: string | null;
  /** The names the engine's DNS also answers for it on this network (Docker: Aliases, DNSNames). */
  aliases: string[];
}

export interface Container {
  key: ContainerKey;
  engine: EngineKey;
  /** Full id (64 hex digits for Docker and Podman). */
  id: string;
  /**
   * Without Docker's leading slash. containerd: the nerdctl/name label, else the Kubernetes
   * container name (a pod's sandbox is "POD", as kubelet's dockershim named it), else the id.
   */
  name: string;
  image: string;
  /**
   * The engine's word. Docker and Podman list "running" and "paused" containers only; containerd
   * lists every container with its task's state (running, paused, pausing, created, stopped),
   * "stopped" when it has no task; CRI-O's from the CRI (running, created, exited, unknown).
   */
  state: string;
  /** The container's init process as the engine reports it, in the engine's PID namespace (0: no task). */
  enginePid: number;
  /** containerd only: the containerd namespace the container is in (moby, k8s.io, default…). */
  containerdNamespace: string | null;
  /** A Kubernetes pod's container (CRI): the pod (its key). */
  pod: PodKey | null;
  /** That process as seen here; null when it could not be matched (engine in another PID namespace). */
  process: ProcessKey | null;
  /** The network namespace its init process lives in. */
  netns: NetnsKey | null;
  labels: Record<string, string>;
  privileged: boolean;
  groups: ContainerGroup[];
  networks: ContainerAttachment[];
}

export interface ContainerNetwork {
  key: ContainerNetworkKey;
  engine: EngineKey;
  id: string;
  name: string;
  /** "bridge", "host", "null", "macvlan", "overlay"… */
  driver: string;
  internal: boolean;
  /** Docker's default bridge network (`bridge`, normally on docker0) or Podman's `podman`. */
  default: boolean;
  labels: Record<string, string>;
  /** The bridge interface name the engine uses (bridge driver only). */
  bridgeName: string | null;
  /** A CNI network (containerd, CRI-O, nerdctl): the configuration it was read from; null for Docker and Podman networks. */
  cni: CniNetworkInfo | null;
  /** That interface, found in the engine's network namespace; null if absent or not a bridge network. */
  bridge: InterfaceKey | null;
}

/** A network defined by a CNI configuration file (.conflist / .conf). */
export interface CniNetworkInfo {
  /** The file, as the engine sees it (a path inside its root). */
  file: string;
  cniVersion: string | null;
  /** The plugin types in chain order (bridge, portmap, firewall…). */
  plugins: string[];
  /** Subnets of the first plugin's host-local IPAM ranges (or its `subnet`). */
  subnets: string[];
}

/** What a bridge interface carries when it is the bridge of a container network. */
export interface BridgeDecoration {
  network: ContainerNetworkKey;
  /** The engine whose network it is; for a CNI network, the engine that uses that CNI configuration. */
  engine: EngineKind;
  /** The network name: the alias people know the bridge by. */
  name: string;
  internal: boolean;
  default: boolean;
  labels: Record<string, string>;
}
