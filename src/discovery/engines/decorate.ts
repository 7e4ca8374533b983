// Puts what the engines said into a Topology: engines, containers, pods and networks as top-level
// lists, each namespace's containers and container tenants (a pod's namespace named after the
// pod), and each container network's bridge decoration. Computed once per engine answer
// (decorationOf), then applied to each namespace as it is built (decorateNamespace): a namespace
// rebuilt after a netlink event gets its containers back without the engines being asked again.
// Pure bookkeeping over data already read; the only file access is the netns-path fallback below
// (SandboxKey, a CRI sandbox's netns).

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
import type { NetnsKey, ProcessKey } from "../../model/keys.ts";
import type { NetworkInterface, NetworkNamespace, Process, Warning } from "../../model/topology.ts";
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

/** What the engines say about one namespace. */
export interface NamespaceDecoration {
  /** Containers whose init process lives in it. */
  containers: ContainerKey[];
  /** Tenant process → the container it is the init process of. */
  tenantContainers: Map<ProcessKey, ContainerKey>;
  /** Bridge name → the container network it carries (bridges live in their engine's namespace). */
  bridges: Map<string, BridgeDecoration>;
  /** The pod whose own namespace it is (`pod:NAMESPACE/NAME`), its display name; null for none. */
  podName: string | null;
}

export interface Decoration {
  engines: ContainerEngine[];
  containers: Container[];
  /** `bridge` still null: it names an interface, filled per topology by networksWithBridges. */
  containerNetworks: ContainerNetwork[];
  pods: Pod[];
  /** Where each network's bridge lives (its engine's namespace), by network key. */
  bridgeNetns: Map<string, NetnsKey>;
  namespaces: Map<NetnsKey, NamespaceDecoration>;
  warnings: Warning[];
}

/**
 * The decoration the engines' answers give. `processes` by PID (their `netns` set), `netnsByInode`
 * by "dev:inode" of the nsfs file.
 */
export function decorationOf(
  results: EngineResult[],
  processes: ReadonlyMap<number, Process>,
  netnsByInode: ReadonlyMap<string, NetnsKey>,
  procRoot: string,
): Decoration {
  const d: Decoration = { engines: [], containers: [], containerNetworks: [], pods: [], bridgeNetns: new Map(), namespaces: new Map(), warnings: [] };
  const warn = (subject: string, message: string) => d.warnings.push({ subject, message });
  const of = (netns: NetnsKey): NamespaceDecoration => {
    let n = d.namespaces.get(netns);
    if (!n) d.namespaces.set(netns, (n = { containers: [], tenantContainers: new Map(), bridges: new Map(), podName: null }));
    return n;
  };
  // dockerd runs its containers in containerd's "moby" namespace: Docker names them better, so a
  // containerd container that Docker also lists is left to Docker.
  const dockerIds = new Set(results.flatMap((r) => (r.candidate.kind === "docker" ? (r.inventory?.containers.map((c) => c.id) ?? []) : [])));
  // CNI networks decorate a bridge only when no Docker or Podman network claims it (Podman's CNI
  // backend writes its networks to /etc/cni/net.d too).
  const cniBridges: { netns: NetnsKey; bridgeName: string; network: ContainerNetwork; kind: EngineKind }[] = [];

  for (const r of results) {
    const { candidate } = r;
    const proc = processes.get(candidate.pid);
    if (!proc) {
      warn(`engine:${candidate.kind}:${candidate.pid}`, "the engine process is not in the process list (it exited); skipped");
      continue;
    }
    const key = engineKey(candidate.kind, proc.key);
    d.engines.push({
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
    });
    if (!r.inventory) continue;

    const networkKeys = new Map<string, string>();
    for (const n of r.inventory.networks) {
      const nkey = containerNetworkKey(candidate.kind, n.id);
      networkKeys.set(n.id, nkey);
      const bridgeName = bridgeNameOf(n);
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
        bridge: null,
        cni: n.cni ? { file: n.cni.file, cniVersion: n.cni.cniVersion, plugins: n.cni.plugins, subnets: n.cni.subnets } : null,
      };
      d.containerNetworks.push(network);
      // Bridges live in the engine's own network namespace.
      if (bridgeName !== null && proc.netns !== null) {
        d.bridgeNetns.set(nkey, proc.netns);
        if (n.cni) cniBridges.push({ netns: proc.netns, bridgeName, network, kind: candidate.kind });
        else of(proc.netns).bridges.set(bridgeName, bridgeDecoration(network, candidate.kind));
      }
    }

    // The engine's PIDs are ours only when it shares our PID namespace.
    const ourProcess = (pid: number) => (candidate.samePidNamespace && pid > 0 ? processes.get(pid) : undefined);
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
      d.pods.push(pod);
      // A pod's own namespace is named after it (a hostNetwork pod shares the node's: not renamed).
      if (netns !== null && !p.hostNetwork) of(netns).podName = `pod:${p.namespace}/${p.name}`;
    }

    const containers: Container[] = [];
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
      containers.push({
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
      });
      if (pod && c.id === pod.sandboxId) pod.sandboxContainer = ckey;
      else if (pod) pod.containers.push(ckey);
      if (netns === null) continue;
      const nd = of(netns);
      nd.containers.push(ckey);
      if (processKey !== null) nd.tenantContainers.set(processKey, ckey);
    }
    const nameOf = new Map(containers.map((c) => [c.key, c.name]));
    for (const pod of pods.values()) pod.containers.sort((a, b) => (nameOf.get(a) ?? "").localeCompare(nameOf.get(b) ?? "") || (a < b ? -1 : a > b ? 1 : 0));
    d.containers.push(...containers);
  }
  for (const { netns, bridgeName, network, kind } of cniBridges) {
    const bridges = of(netns).bridges;
    if (!bridges.has(bridgeName)) bridges.set(bridgeName, bridgeDecoration(network, kind));
  }
  return d;
}

/** States in which a container has processes, hence a network namespace to be found. */
function isLive(state: string): boolean {
  return state !== "stopped" && state !== "exited" && state !== "unknown";
}

function bridgeDecoration(n: ContainerNetwork, kind: EngineKind): BridgeDecoration {
  return { network: n.key, engine: kind, name: n.name, internal: n.internal, default: n.default, labels: n.labels };
}

/**
 * Applies a namespace's decoration to it, freshly built (in place): its containers, the tenant
 * that is a container's init process becomes a "container" tenant (new tenant objects: the tenant
 * lists are shared with the scan they came from), bridges carrying a container network say so,
 * and a pod's own namespace is named after the pod.
 */
export function decorateNamespace(ns: NetworkNamespace, d: NamespaceDecoration | undefined): void {
  if (!d) return;
  ns.containers = [...d.containers].sort();
  if (d.podName !== null && !ns.initial) ns.displayName = d.podName;
  if (ns.tenants.some((t) => d.tenantContainers.has(t.process)))
    ns.tenants = ns.tenants.map((t) => {
      const container = d.tenantContainers.get(t.process);
      return container === undefined ? t : { ...t, kind: "container", container };
    });
  for (const i of ns.interfaces) if (i.kind === "bridge") i.containerNetwork = d.bridges.get(i.name) ?? null;
}

/** The container networks with `bridge` naming their bridge interface, where it exists. */
export function networksWithBridges(d: Decoration, interfacesOf: (netns: NetnsKey) => readonly NetworkInterface[] | undefined): ContainerNetwork[] {
  return d.containerNetworks.map((n) => {
    const netns = d.bridgeNetns.get(n.key);
    const bridge = netns === undefined ? undefined : interfacesOf(netns)?.find((i) => i.name === n.bridgeName && i.kind === "bridge");
    return bridge ? { ...n, bridge: bridge.key } : n;
  });
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
  netnsByInode: ReadonlyMap<string, NetnsKey>,
): NetnsKey | null {
  try {
    const st = statSync(resolveInRoot(`${procRoot}/${enginePid}/root`, sandboxKey));
    return netnsByInode.get(`${st.dev}:${st.ino}`) ?? null;
  } catch {
    return null;
  }
}
