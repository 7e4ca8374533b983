// Asks a gRPC-speaking engine for its inventory: containerd (its own API for every containerd
// namespace, plus the CRI runtime service its CRI plugin serves on the same socket) or CRI-O
// (the CRI only), and the CNI networks either uses. The sockets the engine holds are tried in
// order until one answers (containerd also holds its ttrpc and debug sockets).

import type { EngineResult } from "./decorate.ts";
import { readContainerd, type ContainerdInventory } from "./containerd-api.ts";
import { readCri, type CriInventory } from "./cri-api.ts";
import { DEFAULT_CNI_DIR, readCniNetworks } from "./cni-networks.ts";
import type { EngineCandidate } from "./find-engines.ts";
import { GrpcUnixClient } from "./grpc-api.ts";
import { groupsOf, type EngineContainer, type EngineNetworkInfo, type Inventory } from "./inventory.ts";

export async function askGrpcEngine(
  candidate: EngineCandidate,
  procRoot: string,
  timeoutMs: number,
  warn: (subject: string, message: string) => void,
): Promise<EngineResult> {
  const subject = `engine:${candidate.kind}:${candidate.pid}`;
  const result: EngineResult = { candidate, status: "unreachable", apiSocket: null, apiVersion: null, server: null, inventory: null };
  const failures: string[] = [];
  for (const s of candidate.sockets) {
    if (s.reach === null) {
      failures.push(`${s.path}: no path from here fits a unix socket address`);
      continue;
    }
    const client = new GrpcUnixClient(s.reach);
    try {
      const asked = candidate.kind === "containerd" ? await askContainerd(client, timeoutMs, (m) => warn(subject, m)) : await askCriO(client, timeoutMs, (m) => warn(subject, m));
      if (asked === null) {
        failures.push(`${s.reach}: does not serve the CRI runtime service`);
        continue;
      }
      result.apiSocket = s.reach;
      result.apiVersion = asked.apiVersion;
      result.server = asked.server;
      const root = `${procRoot}/${candidate.pid}/root`;
      const networks = readCniNetworks(root, asked.cniDirs, asked.cniLoaded, (m) => warn(subject, m));
      result.inventory = { ...asked.inventory, networks };
      resolveNerdctlAttachments(result.inventory.containers, networks);
      result.status = asked.partial ? "partial" : "ok";
      return result;
    } catch (err) {
      failures.push((err as Error).message);
    } finally {
      client.close();
    }
  }
  const tried = failures.length === 0 ? "it holds no listening unix socket" : failures.join("; ");
  warn(subject, `engine API unreachable, its containers and pods stay undecorated: ${tried}`);
  return result;
}

interface Asked {
  apiVersion: string;
  server: string;
  inventory: Omit<Inventory, "networks">;
  /** CNI configuration directories (inside the engine's root) and what the runtime said it loaded. */
  cniDirs: string[];
  cniLoaded: { name: string; source: string; file: string }[];
  /** The engine answered, but part of the inventory could not be read (see warnings). */
  partial: boolean;
}

async function askContainerd(client: GrpcUnixClient, timeoutMs: number, warn: (m: string) => void): Promise<Asked> {
  const ctrd: ContainerdInventory = await readContainerd(client, timeoutMs, warn);
  let cri: CriInventory | null = null;
  let partial = false;
  try {
    cri = await readCri(client, timeoutMs, warn);
  } catch (err) {
    partial = true;
    warn(`containerd answered, but its CRI runtime service did not, so its pods stay unlisted: ${(err as Error).message}`);
  }
  if (cri) {
    // CRI containers are containerd containers (namespace k8s.io) with the same ids; the CRI's
    // metadata names them when no label does (kubelet sets io.kubernetes.container.name, others may not).
    const byId = new Map(cri.containers.map((c) => [c.id, c]));
    for (const c of ctrd.containers) {
      const k8s = byId.get(c.id);
      if (!k8s) continue;
      c.podSandboxId ??= k8s.podSandboxId;
      if (c.name === c.id && k8s.name !== "") c.name = k8s.name;
    }
    attachPodNetwork(ctrd.containers, cri);
  }
  // CNI is what the CRI plugin and nerdctl use; a containerd with neither (dockerd's own, say)
  // does not use /etc/cni/net.d, whoever else wrote there.
  const usesCni = cri !== null || ctrd.containers.some((c) => Object.keys(c.labels).some((k) => k.startsWith("nerdctl/")));
  return {
    apiVersion: ctrd.version,
    server: `containerd/${ctrd.version}`,
    inventory: { containers: ctrd.containers, pods: cri?.pods ?? [], containerdNamespaces: ctrd.namespaces, cri: cri !== null, engineId: null, version: ctrd.version },
    cniDirs: usesCni ? [...(cri?.cni?.confDir ? [cri.cni.confDir] : []), DEFAULT_CNI_DIR] : [],
    cniLoaded: (cri?.cni?.networks ?? []).map((n) => ({ ...n, file: `${cri?.cni?.confDir ?? "?"} (as loaded by containerd)` })),
    partial,
  };
}

/** CRI-O: the CRI is its only API; its containers are the CRI's, in their pod's namespace. */
async function askCriO(client: GrpcUnixClient, timeoutMs: number, warn: (m: string) => void): Promise<Asked | null> {
  const cri = await readCri(client, timeoutMs, warn);
  if (cri === null) return null;
  const containers: EngineContainer[] = cri.containers.map((c) => ({
    id: c.id,
    name: c.name,
    image: c.image,
    state: c.state,
    pid: 0,
    sandboxKey: "",
    labels: c.labels,
    privileged: false,
    groups: groupsOf(c.labels),
    networks: [],
    containerdNamespace: null,
    podSandboxId: c.podSandboxId,
  }));
  return {
    apiVersion: cri.runtimeApiVersion,
    server: `${cri.runtimeName}/${cri.runtimeVersion}`,
    inventory: { containers, pods: cri.pods, containerdNamespaces: [], cri: true, engineId: null, version: cri.runtimeVersion },
    cniDirs: [...(cri.cni?.confDir ? [cri.cni.confDir] : []), DEFAULT_CNI_DIR],
    cniLoaded: [],
    partial: false,
  };
}

/**
 * containerd's CRI plugin sets every pod up on one CNI network (the first configuration it
 * loaded, besides its own loopback): a pod's containers are attached to it with the pod's
 * addresses. With several networks loaded (a CNI multiplexer's delegates) who got which is not
 * said, so nothing is claimed.
 */
function attachPodNetwork(containers: EngineContainer[], cri: CriInventory): void {
  const networks = (cri.cni?.networks ?? []).filter((n) => !isLoopbackOnly(n.source));
  if (networks.length !== 1) return;
  const name = networks[0]!.name;
  const ips = new Map(cri.pods.map((p) => [p.id, p.ips]));
  for (const c of containers) {
    const podIps = c.podSandboxId !== null ? ips.get(c.podSandboxId) : undefined;
    if (!podIps || podIps.length === 0 || c.networks.length > 0) continue;
    c.networks = [{ name, networkId: `cni:${name}`, ipv4: podIps.find((ip) => !ip.includes(":")) ?? null, ipv6: podIps.find((ip) => ip.includes(":")) ?? null, mac: null, aliases: [] }];
  }
}

function isLoopbackOnly(source: string): boolean {
  try {
    const plugins = (JSON.parse(source) as { plugins?: { type?: string }[] }).plugins ?? [];
    return plugins.length > 0 && plugins.every((p) => p.type === "loopback");
  } catch {
    return false;
  }
}

/** nerdctl names a container's networks; the network ids come from their CNI configurations. */
function resolveNerdctlAttachments(containers: EngineContainer[], networks: EngineNetworkInfo[]): void {
  const idOf = new Map(networks.map((n) => [n.name, n.id]));
  for (const c of containers) for (const a of c.networks) if (a.networkId.startsWith("cni:")) a.networkId = idOf.get(a.name) ?? a.networkId;
}
