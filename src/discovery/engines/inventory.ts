// What one Docker-compatible engine says it runs: its running and paused containers (list, then
// inspect each for PID, privileges and sandbox) and its networks. Answers are checked field by
// field: an engine that returns the wrong shape is an EngineApiError, never a crash further on.

import type { CniNetworkInfo, ContainerGroup, Pod } from "../../model/containers.ts";
import { EngineApiError, getJson } from "./docker-api.ts";

export interface EngineContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  pid: number;
  /** NetworkSettings.SandboxKey: the netns bind mount, a path inside the engine's root ("" if none). */
  sandboxKey: string;
  labels: Record<string, string>;
  privileged: boolean;
  groups: ContainerGroup[];
  networks: { name: string; networkId: string; ipv4: string | null; ipv6: string | null; mac: string | null; aliases: string[] }[];
  /** containerd: the containerd namespace it is in; null for other engines. */
  containerdNamespace: string | null;
  /** A CRI container (or sandbox container): its pod sandbox's id. */
  podSandboxId: string | null;
}

/** A pod sandbox as the CRI runtime service reports it (cri-api.ts): the model's fields, and where to find its namespace. */
export interface EnginePod extends Pick<Pod, "namespace" | "name" | "uid" | "attempt" | "state" | "createdAt" | "labels" | "annotations" | "runtimeHandler" | "ips"> {
  id: string;
  /** The sandbox's process in the engine's PID namespace (verbose status); 0 when not said. */
  pid: number;
  /** The netns path of the runtime spec (inside the engine's root); "" when not said. */
  netnsPath: string;
  /** The pod runs in the node's network namespace (hostNetwork): the spec names no netns of its own. */
  hostNetwork: boolean;
}

export interface EngineNetworkInfo {
  id: string;
  name: string;
  driver: string;
  internal: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  /**
   * Podman only: the network as its native (libpod) API describes it. Its compatible API names the
   * default network "bridge" and never says which device a network uses; libpod says both.
   */
  libpod: { name: string; interfaceName: string | null } | null;
  /** A CNI network (cni-networks.ts): its configuration and, for the bridge plugin, its bridge. */
  cni: (CniNetworkInfo & { bridge: string | null }) | null;
}

export interface Inventory {
  containers: EngineContainer[];
  networks: EngineNetworkInfo[];
  /** CRI runtimes only. */
  pods: EnginePod[];
  /** containerd only: its namespaces. */
  containerdNamespaces: string[];
  /** The engine serves the CRI runtime service. */
  cri: boolean;
  /** `GET /info`: the engine's own id and version; null where it would not say. */
  engineId: string | null;
  version: string | null;
}

/** Inspections in flight at once: enough to hide latency, few enough not to swamp the engine. */
const PARALLEL_INSPECTIONS = 8;

export async function readInventory(socket: string, timeoutMs: number, kind: string = "docker"): Promise<Inventory> {
  const list = await getJson(socket, "/containers/json", timeoutMs);
  if (!Array.isArray(list)) throw shapeError(socket, "/containers/json", "not an array");
  const ids = list.map((c, n) => str(c, "Id", socket, `/containers/json [${n}]`));
  const containers: EngineContainer[] = [];
  for (let i = 0; i < ids.length; i += PARALLEL_INSPECTIONS) {
    const batch = await Promise.all(ids.slice(i, i + PARALLEL_INSPECTIONS).map((id) => inspect(socket, id, timeoutMs)));
    for (const c of batch) if (c !== null) containers.push(c);
  }
  const nets = await getJson(socket, "/networks", timeoutMs);
  if (!Array.isArray(nets)) throw shapeError(socket, "/networks", "not an array");
  const networks = nets.map((n, i) => toNetwork(n, socket, `/networks [${i}]`));
  if (kind === "podman") {
    const native = await readLibpodNetworks(socket, timeoutMs);
    for (const n of networks) n.libpod = native.get(n.id) ?? null;
  }
  const info = await readInfo(socket, timeoutMs);
  return { containers, networks, pods: [], containerdNamespaces: [], cri: false, ...info };
}

/**
 * The engine's id and version from `GET /info` (Docker: the daemon's ID and ServerVersion; Podman
 * answers the same fields). An engine that lists its containers but will not say these still
 * gives its inventory: the two stay null.
 */
async function readInfo(socket: string, timeoutMs: number): Promise<{ engineId: string | null; version: string | null }> {
  try {
    const info = await getJson(socket, "/info", timeoutMs);
    return { engineId: optStr(info, "ID"), version: optStr(info, "ServerVersion") };
  } catch (err) {
    if (err instanceof EngineApiError) return { engineId: null, version: null };
    throw err;
  }
}

/** Podman's native network list (`/libpod/networks/json`, API v4): name and bridge device per id. */
const LIBPOD_NETWORKS = "/v4.0.0/libpod/networks/json";

async function readLibpodNetworks(socket: string, timeoutMs: number): Promise<Map<string, NonNullable<EngineNetworkInfo["libpod"]>>> {
  const list = await getJson(socket, LIBPOD_NETWORKS, timeoutMs);
  if (!Array.isArray(list)) throw shapeError(socket, LIBPOD_NETWORKS, "not an array");
  const byId = new Map<string, NonNullable<EngineNetworkInfo["libpod"]>>();
  list.forEach((n, i) => {
    const where = `${LIBPOD_NETWORKS} [${i}]`;
    byId.set(str(n, "id", socket, where), { name: str(n, "name", socket, where), interfaceName: optStr(n, "network_interface") });
  });
  return byId;
}

async function inspect(socket: string, id: string, timeoutMs: number): Promise<EngineContainer | null> {
  const path = `/containers/${encodeURIComponent(id)}/json`;
  let c: unknown;
  try {
    c = await getJson(socket, path, timeoutMs);
  } catch (err) {
    if ((err as Error).message.includes("HTTP 404")) return null; // removed since the list: normal churn
    throw err;
  }
  const state = obj(c, "State", socket, path);
  const status = str(state, "Status", socket, path);
  // The list may be older than the inspection: a container that stopped since has no netns.
  if (status !== "running" && status !== "paused") return null;
  const config = obj(c, "Config", socket, path);
  const hostConfig = obj(c, "HostConfig", socket, path);
  const settings = obj(c, "NetworkSettings", socket, path);
  const labels = stringMap((config as Record<string, unknown>).Labels, socket, `${path} Config.Labels`);
  const attached = (settings as Record<string, unknown>).Networks;
  const networks: EngineContainer["networks"] = [];
  if (attached !== null && attached !== undefined) {
    if (typeof attached !== "object") throw shapeError(socket, path, "NetworkSettings.Networks is not an object");
    for (const [name, n] of Object.entries(attached as Record<string, unknown>)) {
      networks.push({
        name,
        networkId: str(n, "NetworkID", socket, `${path} Networks.${name}`),
        ipv4: optStr(n, "IPAddress"),
        ipv6: optStr(n, "GlobalIPv6Address"),
        mac: optStr(n, "MacAddress"),
        aliases: aliasesOf(n),
      });
    }
    networks.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  const pid = (state as Record<string, unknown>).Pid;
  if (typeof pid !== "number" || !Number.isInteger(pid) || pid < 0) throw shapeError(socket, path, "State.Pid is not a PID");
  return {
    id: str(c, "Id", socket, path),
    name: str(c, "Name", socket, path).replace(/^\//, ""),
    image: optStr(config, "Image") ?? "",
    state: status,
    pid,
    sandboxKey: optStr(settings, "SandboxKey") ?? "",
    labels,
    privileged: (hostConfig as Record<string, unknown>).Privileged === true,
    groups: groupsOf(labels),
    networks,
    containerdNamespace: null,
    podSandboxId: null,
  };
}

/**
 * The names an engine's DNS answers for a container on one network besides its name: Aliases
 * (compose service names, `--network-alias`, Docker < 25 also the short id) and DNSNames (Docker
 * ≥ 25: all of them, name included). Deduplicated, in the engine's order; not-strings are skipped.
 */
function aliasesOf(n: unknown): string[] {
  const r = (n ?? {}) as Record<string, unknown>;
  const names = [r.Aliases, r.DNSNames].flatMap((v) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x !== "") : []));
  return [...new Set(names)];
}

/** Compose projects and Kubernetes pods, from the labels their tools put on every container. */
export function groupsOf(labels: Record<string, string>): ContainerGroup[] {
  const groups: ContainerGroup[] = [];
  const project = labels["com.docker.compose.project"];
  if (project) groups.push({ kind: "compose-project", name: project });
  const podNs = labels["io.kubernetes.pod.namespace"];
  const podName = labels["io.kubernetes.pod.name"];
  if (podNs && podName) groups.push({ kind: "kubernetes-pod", namespace: podNs, name: podName });
  return groups;
}

function toNetwork(n: unknown, socket: string, where: string): EngineNetworkInfo {
  const r = n as Record<string, unknown>;
  return {
    id: str(n, "Id", socket, where),
    name: str(n, "Name", socket, where),
    driver: optStr(n, "Driver") ?? "",
    internal: r?.Internal === true,
    labels: stringMap(r?.Labels, socket, `${where} Labels`),
    options: stringMap(r?.Options, socket, `${where} Options`),
    libpod: null,
    cni: null,
  };
}

function shapeError(socket: string, path: string, what: string): EngineApiError {
  return new EngineApiError(`${socket} GET ${path}: unexpected answer: ${what}`);
}

function obj(v: unknown, field: string, socket: string, path: string): object {
  const x = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[field] : undefined;
  if (x === null || typeof x !== "object" || Array.isArray(x)) throw shapeError(socket, path, `${field} is not an object`);
  return x;
}

function str(v: unknown, field: string, socket: string, path: string): string {
  const x = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[field] : undefined;
  if (typeof x !== "string" || x === "") throw shapeError(socket, path, `${field} is not a non-empty string`);
  return x;
}

function optStr(v: unknown, field: string): string | null {
  const x = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[field] : undefined;
  return typeof x === "string" && x !== "" ? x : null;
}

/** Labels and options: a string → string object; null/absent is empty. */
function stringMap(v: unknown, socket: string, where: string): Record<string, string> {
  if (v === null || v === undefined) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw new EngineApiError(`${socket}: unexpected answer: ${where} is not an object`);
  const out: Record<string, string> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x !== "string") throw new EngineApiError(`${socket}: unexpected answer: ${where}.${k} is not a string`);
    out[k] = x;
  }
  return out;
}
