// Puts what the engines said into the Topology: engines, containers, pods and networks as
// top-level lists, each namespace's containers (a pod's namespace named after the pod), and each
// container network's bridge decoration. Pure bookkeeping over data already read; the only file
// access is the netns-path fallback below (SandboxKey, a CRI sandbox's netns).

import { statSync } from "node:fs";
import {
  containerKey,
  containerNetworkKey,
  engineKey,
  podKey,
  type BridgeDecoration,
  type Container,
  type ContainerEngine,
  type ContainerKey,
  type ContainerNetwork,
  type EngineKind,
  type EngineStatus,
  type Pod,
} from "../../model/containers.ts";
import { resolveServiceEndpoints } from "../../model/kube-services.ts";
import { sortTopology } from "../../model/sort.ts";
import type { NetnsKey } from "../../model/keys.ts";
import type { NetworkInterface, NetworkNamespace, Topology } from "../../model/topology.ts";
import type { EngineCandidate } from "./find-engines.ts";
import { resolveInRoot } from "./in-root.ts";
import type { EngineNetworkInfo, Inventory } from "./inventory.ts";

export interface EngineResult {
  candidate: EngineCandidate;
  status: EngineStatus;
  apiSocket: string | null;
  apiVersion: string | null;
  server: string | null;
  inventory: Inventory | null;
}

export function decorateTopology(
  topology: Topology,
  results: EngineResult[],
  procRoot: string,
  warn: (subject: string, message: string) => void,
): void {
  const byPid = new Map(topology.processes.map((p) => [p.pid, p]));
  const netnsByInode = new Map(topology.namespaces.map((ns) => [`${ns.dev}:${ns.inode}`, ns]));
  const namespaces = new Map(topology.namespaces.map((ns) => [ns.key, ns]));
  // dockerd runs its containers in containerd's "moby" namespace: Docker names them better, so a
  // containerd container that Docker also lists is left to Docker.
  const dockerIds = new Set(results.flatMap((r) => (r.candidate.kind === "docker" ? (r.inventory?.containers.map((c) => c.id) ?? []) : [])));
  // CNI networks decorate a bridge only when no Docker or Podman network claims it (Podman's CNI
  // backend writes its networks to /etc/cni/net.d too).
  const cniBridges: { bridge: NetworkInterface; network: ContainerNetwork; kind: EngineKind }[] = [];

  for (const r of results) {
    const { candidate } = r;
    const proc = byPid.get(candidate.pid);
    if (!proc) {
      warn(`engine:${candidate.kind}:${candidate.pid}`, "the engine process is not in the process list (it exited); skipped");
      continue;
    }
    const key = engineKey(candidate.kind, proc.key);
    const engine: ContainerEngine = {
      key,
      kind: candidate.kind,
      process: proc.key,
      pid: candidate.pid,
      sockets: candidate.sockets.map((s) => s.path),
      apiSocket: r.apiSocket,
      apiVersion: r.apiVersion,
      server: r.server,
      engineId: r.inventory?.engineId ?? null,
      version: r.inventory?.version ?? null,
      status: r.status,
      containerdNamespaces: r.inventory?.containerdNamespaces ?? [],
      cri: r.inventory?.cri ?? false,
    };
    topology.engines.push(engine);
    if (!r.inventory) continue;

    // Bridges live in the engine's own network namespace.
    const engineNs = proc.netns === null ? undefined : namespaces.get(proc.netns);
    const networkKeys = new Map<string, string>();
    for (const n of r.inventory.networks) {
      const nkey = containerNetworkKey(candidate.kind, n.id);
      networkKeys.set(n.id, nkey);
      const bridgeName = bridgeNameOf(n);
      const bridge: NetworkInterface | undefined =
        bridgeName === null ? undefined : engineNs?.interfaces.find((i) => i.name === bridgeName && i.kind === "bridge");
      const network: ContainerNetwork = {
        key: nkey,
        engine: key,
        id: n.id,
        name: n.name,
        driver: n.driver,
        internal: n.internal,
        default: isDefaultNetwork(candidate.kind, n),
        labels: n.labels,
        bridgeName,
        bridge: bridge?.key ?? null,
        cni: n.cni ? { file: n.cni.file, cniVersion: n.cni.cniVersion, plugins: n.cni.plugins, subnets: n.cni.subnets } : null,
      };
      topology.containerNetworks.push(network);
      if (bridge && n.cni) cniBridges.push({ bridge, network, kind: candidate.kind });
      else if (bridge) bridge.containerNetwork = decoration(network, candidate.kind);
    }

    // The engine's PIDs are ours only when it shares our PID namespace.
    const ourProcess = (pid: number) => (candidate.samePidNamespace && pid > 0 ? byPid.get(pid) : undefined);
    const pods = new Map<string, Pod>();
    for (const p of r.inventory.pods) {
      const pkey = podKey(candidate.kind, p.id);
      let netns: NetnsKey | null = null;
      if (p.state === "ready") {
        if (p.hostNetwork) netns = proc.netns;
        netns ??= ourProcess(p.pid)?.netns ?? null;
        if (netns === null && p.netnsPath !== "") netns = netnsFromSandbox(p.netnsPath, candidate.pid, procRoot, netnsByInode);
        if (netns === null) warn(pkey, `pod ${p.namespace}/${p.name}: its network namespace was not found (PID ${p.pid}, netns ${p.netnsPath || "not said"})`);
      }
      const pod: Pod = {
        key: pkey,
        engine: key,
        sandboxId: p.id,
        namespace: p.namespace,
        name: p.name,
        uid: p.uid,
        attempt: p.attempt,
        state: p.state,
        createdAt: p.createdAt,
        labels: p.labels,
        annotations: p.annotations,
        runtimeHandler: p.runtimeHandler,
        ips: p.ips,
        netns,
        sandboxContainer: null,
        containers: [],
      };
      pods.set(p.id, pod);
      topology.pods.push(pod);
      // A pod's own namespace is named after it (a hostNetwork pod shares the node's: not renamed).
      const ns = netns !== null && !p.hostNetwork ? namespaces.get(netns) : undefined;
      if (ns && !ns.initial) ns.displayName = `pod:${p.namespace}/${p.name}`;
    }

    for (const c of r.inventory.containers) {
      if (candidate.kind === "containerd" && dockerIds.has(c.id)) continue;
      const ckey = containerKey(candidate.kind, c.id);
      const pod = c.podSandboxId !== null ? pods.get(c.podSandboxId) : undefined;
      let netns: NetnsKey | null = null;
      let processKey: string | null = null;
      if (isLive(c.state)) {
        const p = ourProcess(c.pid);
        if (p) {
          processKey = p.key;
          netns = p.netns;
        }
        if (netns === null && c.sandboxKey !== "") netns = netnsFromSandbox(c.sandboxKey, candidate.pid, procRoot, netnsByInode);
        netns ??= pod?.netns ?? null;
        if (netns === null) warn(ckey, `container ${c.name}: its network namespace was not found (PID ${c.pid} as the engine sees it)`);
      }
      // A pod's containers form its group, whatever labels the runtime copied onto them.
      const groups = pod && !c.groups.some((g) => g.kind === "kubernetes-pod") ? [...c.groups, { kind: "kubernetes-pod" as const, namespace: pod.namespace, name: pod.name }] : c.groups;
      const container: Container = {
        key: ckey,
        engine: key,
        id: c.id,
        name: c.name,
        image: c.image,
        state: c.state,
        enginePid: c.pid,
        containerdNamespace: c.containerdNamespace,
        pod: pod?.key ?? null,
        process: processKey,
        netns,
        labels: c.labels,
        privileged: c.privileged,
        groups,
        networks: c.networks.map((n) => ({
          network: networkKeys.get(n.networkId) ?? containerNetworkKey(candidate.kind, n.networkId),
          name: n.name,
          ipv4: n.ipv4,
          ipv6: n.ipv6,
          mac: n.mac,
          aliases: n.aliases,
        })),
      };
      topology.containers.push(container);
      if (pod && c.id === pod.sandboxId) pod.sandboxContainer = ckey;
      else if (pod) pod.containers.push(ckey);
      if (netns !== null) namespaces.get(netns)?.containers.push(ckey);
      if (netns !== null && processKey !== null) markContainerTenant(namespaces.get(netns), processKey, ckey);
    }
    const nameOf = new Map(topology.containers.map((c) => [c.key, c.name]));
    for (const pod of pods.values()) pod.containers.sort((a, b) => (nameOf.get(a) ?? "").localeCompare(nameOf.get(b) ?? "") || (a < b ? -1 : a > b ? 1 : 0));
  }
  for (const { bridge, network, kind } of cniBridges) if (bridge.containerNetwork === null) bridge.containerNetwork = decoration(network, kind);
  resolveServiceEndpoints(topology); // service endpoints in a pod's namespace name the pod now
  sortContainers(topology);
}

/** States in which a container has processes, hence a network namespace to be found. */
function isLive(state: string): boolean {
  return state !== "stopped" && state !== "exited" && state !== "unknown";
}

function decoration(n: ContainerNetwork, kind: EngineKind): BridgeDecoration {
  return { network: n.key, engine: kind, name: n.name, internal: n.internal, default: n.default, labels: n.labels };
}

/**
 * A CNI network names its bridge in the bridge plugin's configuration. Podman says which device
 * a network uses; Docker names a bridge `br-<first 12 hex of the id>`
 * unless the network sets it explicitly.
 */
export function bridgeNameOf(n: EngineNetworkInfo): string | null {
  if (n.cni) return n.cni.bridge;
  if (n.libpod?.interfaceName) return n.libpod.interfaceName;
  const explicit = n.options["com.docker.network.bridge.name"];
  if (explicit) return explicit;
  if (n.driver !== "bridge") return null;
  return `br-${n.id.slice(0, 12)}`;
}

function isDefaultNetwork(kind: string, n: EngineNetworkInfo): boolean {
  if (n.options["com.docker.network.bridge.default_bridge"] === "true") return true;
  return kind === "podman" && (n.libpod?.name ?? n.name) === "podman";
}

/**
 * The SandboxKey (a netns bind mount inside the engine's root) stat'ed through that root: works
 * when the container's PID means nothing here (an engine in another PID namespace).
 */
function netnsFromSandbox(
  sandboxKey: string,
  enginePid: number,
  procRoot: string,
  netnsByInode: Map<string, { key: NetnsKey }>,
): NetnsKey | null {
  try {
    const st = statSync(resolveInRoot(`${procRoot}/${enginePid}/root`, sandboxKey));
    return netnsByInode.get(`${st.dev}:${st.ino}`)?.key ?? null;
  } catch {
    return null;
  }
}

/**
 * The tenant that is this container's init process becomes a "container" tenant. New objects,
 * not edits: the watcher reuses tenant lists across passes, and a container can go away.
 */
function markContainerTenant(ns: NetworkNamespace | undefined, process: string, container: ContainerKey): void {
  if (!ns || !ns.tenants.some((t) => t.process === process)) return;
  ns.tenants = ns.tenants.map((t) => (t.process === process ? { ...t, kind: "container", container } : t));
}

/** The same order as sortTopology (model/sort.ts) gives, which a recorded topology is rebuilt in. */
function sortContainers(t: Topology): void {
  sortTopology(t);
}
