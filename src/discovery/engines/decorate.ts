// Puts what the engines said into the Topology: engines, containers and networks as top-level
// lists, each namespace's containers, and each container network's bridge decoration. Pure
// bookkeeping over data already read; the only file access is the SandboxKey fallback below.

import { statSync } from "node:fs";
import {
  containerKey,
  containerNetworkKey,
  engineKey,
  type Container,
  type ContainerEngine,
  type ContainerKey,
  type ContainerNetwork,
  type EngineStatus,
} from "../../model/containers.ts";
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
      status: r.status,
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
      };
      topology.containerNetworks.push(network);
      if (bridge) {
        bridge.containerNetwork = {
          network: nkey,
          engine: candidate.kind,
          name: n.name,
          internal: n.internal,
          default: network.default,
          labels: n.labels,
        };
      }
    }

    for (const c of r.inventory.containers) {
      const ckey = containerKey(candidate.kind, c.id);
      let netns: NetnsKey | null = null;
      let processKey: string | null = null;
      if (candidate.samePidNamespace) {
        const p = byPid.get(c.pid);
        if (p) {
          processKey = p.key;
          netns = p.netns;
        }
      }
      if (netns === null && c.sandboxKey !== "") netns = netnsFromSandbox(c.sandboxKey, candidate.pid, procRoot, netnsByInode);
      if (netns === null) warn(ckey, `container ${c.name}: its network namespace was not found (PID ${c.pid} as the engine sees it)`);
      const container: Container = {
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
      };
      topology.containers.push(container);
      if (netns !== null) namespaces.get(netns)?.containers.push(ckey);
      if (netns !== null && processKey !== null) markContainerTenant(namespaces.get(netns), processKey, ckey);
    }
  }
  sortContainers(topology);
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
