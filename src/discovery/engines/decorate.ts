// Puts what the engines said into a Topology: engines, containers and networks as top-level
// lists, each namespace's containers and container tenants, and each container network's bridge
// decoration. Computed once per engine answer (decorationOf), then applied to each namespace as
// it is built (decorateNamespace): a namespace rebuilt after a netlink event gets its containers
// back without the engines being asked again. Pure bookkeeping over data already read; the only
// file access is the SandboxKey fallback below.

import { statSync } from "node:fs";
import {
  containerKey,
  containerNetworkKey,
  engineKey,
  type BridgeDecoration,
  type Container,
  type ContainerEngine,
  type ContainerKey,
  type ContainerNetwork,
  type EngineStatus,
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
}

export interface Decoration {
  engines: ContainerEngine[];
  containers: Container[];
  /** `bridge` still null: it names an interface, filled per topology by networksWithBridges. */
  containerNetworks: ContainerNetwork[];
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
  const d: Decoration = { engines: [], containers: [], containerNetworks: [], bridgeNetns: new Map(), namespaces: new Map(), warnings: [] };
  const warn = (subject: string, message: string) => d.warnings.push({ subject, message });
  const of = (netns: NetnsKey): NamespaceDecoration => {
    let n = d.namespaces.get(netns);
    if (!n) d.namespaces.set(netns, (n = { containers: [], tenantContainers: new Map(), bridges: new Map() }));
    return n;
  };

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
      status: r.status,
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
      };
      d.containerNetworks.push(network);
      // Bridges live in the engine's own network namespace.
      if (bridgeName !== null && proc.netns !== null) {
        d.bridgeNetns.set(nkey, proc.netns);
        of(proc.netns).bridges.set(bridgeName, { network: nkey, engine: candidate.kind, name: n.name, internal: n.internal, default: network.default, labels: n.labels });
      }
    }

    for (const c of r.inventory.containers) {
      const ckey = containerKey(candidate.kind, c.id);
      let netns: NetnsKey | null = null;
      let processKey: string | null = null;
      if (candidate.samePidNamespace) {
        const p = processes.get(c.pid);
        if (p) {
          processKey = p.key;
          netns = p.netns;
        }
      }
      if (netns === null && c.sandboxKey !== "") netns = netnsFromSandbox(c.sandboxKey, candidate.pid, procRoot, netnsByInode);
      if (netns === null) warn(ckey, `container ${c.name}: its network namespace was not found (PID ${c.pid} as the engine sees it)`);
      d.containers.push({
        key: ckey,
        engine: key,
        id: c.id,
        name: c.name,
        image: c.image,
        state: c.state,
        enginePid: c.pid,
        process: processKey,
        netns,
        labels: c.labels,
        privileged: c.privileged,
        groups: c.groups,
        networks: c.networks.map((n) => ({
          network: networkKeys.get(n.networkId) ?? containerNetworkKey(candidate.kind, n.networkId),
          name: n.name,
          ipv4: n.ipv4,
          ipv6: n.ipv6,
          mac: n.mac,
        })),
      });
      if (netns === null) continue;
      const nd = of(netns);
      nd.containers.push(ckey);
      if (processKey !== null) nd.tenantContainers.set(processKey, ckey);
    }
  }
  return d;
}

/**
 * Applies a namespace's decoration to it, freshly built (in place): its containers, the tenant
 * that is a container's init process becomes a "container" tenant (new tenant objects: the tenant
 * lists are shared with the scan they came from), and bridges carrying a container network say so.
 */
export function decorateNamespace(ns: NetworkNamespace, d: NamespaceDecoration | undefined): void {
  if (!d) return;
  ns.containers = [...d.containers].sort();
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
 * Podman says which device a network uses; Docker names a bridge `br-<first 12 hex of the id>`
 * unless the network sets it explicitly.
 */
export function bridgeNameOf(n: EngineNetworkInfo): string | null {
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
