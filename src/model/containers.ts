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

export type EngineKind = "docker" | "podman" | "containerd";

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
  /** An API socket answered /_ping, but reading containers or networks failed; see warnings. */
  | "partial"
  /** An engine whose API wiresight does not speak (containerd's gRPC). */
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
  /** The Api-Version the engine announced. */
  apiVersion: string | null;
  /** The engine's Server header ("Docker/20.10.24+dfsg1 (linux)", "Libpod/4.3.1 (linux)"). */
  server: string | null;
  status: EngineStatus;
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
}

export interface Container {
  key: ContainerKey;
  engine: EngineKey;
  /** Full id (64 hex digits for Docker and Podman). */
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  image: string;
  /** "running" or "paused" (the engine's word; only those two are listed). */
  state: string;
  /** The container's init process as the engine reports it, in the engine's PID namespace. */
  enginePid: number;
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
  /** That interface, found in the engine's network namespace; null if absent or not a bridge network. */
  bridge: InterfaceKey | null;
}

/** What a bridge interface carries when it is the bridge of a container network. */
export interface BridgeDecoration {
  network: ContainerNetworkKey;
  engine: EngineKind;
  /** The network name: the alias people know the bridge by. */
  name: string;
  internal: boolean;
  default: boolean;
  labels: Record<string, string>;
}
