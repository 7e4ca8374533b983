// The Kubernetes CRI runtime service (runtime.v1.RuntimeService) over gRPC: the contract that
// containerd's CRI plugin and CRI-O both serve. Pod sandboxes with their metadata, state and
// addresses; for each a verbose status, whose runtime-specific "info" (containerd and CRI-O put
// the same two fields there: "pid" and "runtimeSpec") says which network namespace it has; the
// containers of every pod; and the runtime's CNI configuration where it says it (containerd).

import { specFacts } from "./containerd-api.ts";
import { isUnimplemented, type GrpcUnixClient } from "./grpc-api.ts";
import type { EnginePod } from "./inventory.ts";

const RUNTIME = "runtime.v1.RuntimeService";
/** Status calls in flight at once (one per pod). */
const PARALLEL_STATUS = 8;

export interface CriContainer {
  id: string;
  podSandboxId: string;
  name: string;
  attempt: number;
  image: string;
  /** running, created, exited, unknown (CONTAINER_* lowercased). */
  state: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface CriInventory {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
  pods: EnginePod[];
  containers: CriContainer[];
  /** containerd's verbose Status: where its CNI configuration lives and what it loaded; null when not said. */
  cni: { confDir: string | null; networks: { name: string; source: string }[] } | null;
}

interface Metadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}
interface SandboxAnswer {
  items: { id: string; metadata: Metadata | null; state: string; created_at: string; labels: Record<string, string>; annotations: Record<string, string>; runtime_handler: string }[];
}
interface StatusAnswer {
  status: { network: { ip: string; additional_ips: { ip: string }[] } | null } | null;
  info: Record<string, string>;
}
interface ContainersAnswer {
  containers: {
    id: string;
    pod_sandbox_id: string;
    metadata: { name: string; attempt: number } | null;
    image: { image: string } | null;
    state: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[];
}

/**
 * The CRI inventory, or null when the socket does not serve the CRI at all (containerd without
 * its CRI plugin answers UNIMPLEMENTED). Other failures throw EngineApiError; a pod whose status
 * fails is listed without its namespace, with a warning.
 */
export async function readCri(client: GrpcUnixClient, timeoutMs: number, warn: (message: string) => void): Promise<CriInventory | null> {
  let version: { runtime_name: string; runtime_version: string; runtime_api_version: string };
  try {
    version = await client.call(RUNTIME, "Version", { version: "v1" }, timeoutMs);
  } catch (err) {
    if (isUnimplemented(err)) return null;
    throw err;
  }
  const sandboxes = await client.call<SandboxAnswer>(RUNTIME, "ListPodSandbox", {}, timeoutMs);
  const pods: EnginePod[] = [];
  for (let i = 0; i < sandboxes.items.length; i += PARALLEL_STATUS) {
    const batch = sandboxes.items.slice(i, i + PARALLEL_STATUS);
    pods.push(...(await Promise.all(batch.map((s) => podOf(client, s, timeoutMs, warn)))));
  }
  const list = await client.call<ContainersAnswer>(RUNTIME, "ListContainers", {}, timeoutMs);
  const containers: CriContainer[] = list.containers.map((c) => ({
    id: c.id,
    podSandboxId: c.pod_sandbox_id,
    name: c.metadata?.name ?? "",
    attempt: c.metadata?.attempt ?? 0,
    image: c.image?.image ?? "",
    state: c.state.replace(/^CONTAINER_/, "").toLowerCase(),
    labels: sorted(c.labels),
    annotations: sorted(c.annotations),
  }));
  return {
    runtimeName: version.runtime_name,
    runtimeVersion: version.runtime_version,
    runtimeApiVersion: version.runtime_api_version,
    pods,
    containers,
    cni: await cniConfig(client, timeoutMs, warn),
  };
}

async function podOf(client: GrpcUnixClient, s: SandboxAnswer["items"][number], timeoutMs: number, warn: (m: string) => void): Promise<EnginePod> {
  const md = s.metadata ?? { name: "", uid: "", namespace: "", attempt: 0 };
  const pod: EnginePod = {
    id: s.id,
    namespace: md.namespace,
    name: md.name,
    uid: md.uid,
    attempt: md.attempt,
    state: s.state === "SANDBOX_READY" ? "ready" : "notready",
    createdAt: nanosToIso(s.created_at),
    labels: sorted(s.labels),
    annotations: sorted(s.annotations),
    runtimeHandler: s.runtime_handler,
    ips: [],
    pid: 0,
    netnsPath: "",
    hostNetwork: false,
  };
  let status: StatusAnswer;
  try {
    status = await client.call<StatusAnswer>(RUNTIME, "PodSandboxStatus", { pod_sandbox_id: s.id, verbose: true }, timeoutMs);
  } catch (err) {
    // Removed since the list: normal churn. Anything else is worth saying.
    if (!/NOT_FOUND/.test((err as Error).message)) warn(`pod ${md.namespace}/${md.name}: ${(err as Error).message}`);
    return pod;
  }
  const net = status.status?.network;
  if (net) pod.ips = [net.ip, ...net.additional_ips.map((a) => a.ip)].filter((ip) => ip !== "");
  const info = parseJson(status.info.info);
  if (info !== null && typeof info === "object") {
    const pid = (info as Record<string, unknown>).pid;
    if (typeof pid === "number" && Number.isInteger(pid) && pid > 0) pod.pid = pid;
    const facts = specFacts((info as Record<string, unknown>).runtimeSpec);
    pod.netnsPath = facts.netnsPath;
    pod.hostNetwork = facts.hostNetwork;
  }
  return pod;
}

/** containerd's verbose runtime status carries its CNI configuration ("cniconfig"). */
async function cniConfig(client: GrpcUnixClient, timeoutMs: number, warn: (m: string) => void): Promise<CriInventory["cni"]> {
  let status: { info: Record<string, string> };
  try {
    status = await client.call(RUNTIME, "Status", { verbose: true }, timeoutMs);
  } catch (err) {
    warn(`runtime status: ${(err as Error).message}`);
    return null;
  }
  const c = parseJson(status.info.cniconfig);
  if (c === null || typeof c !== "object") return null;
  const r = c as { PluginConfDir?: unknown; Networks?: unknown };
  const networks: { name: string; source: string }[] = [];
  if (Array.isArray(r.Networks))
    for (const n of r.Networks) {
      const cfg = (n as { Config?: { Name?: unknown; Source?: unknown } })?.Config;
      if (typeof cfg?.Name === "string" && typeof cfg.Source === "string") networks.push({ name: cfg.Name, source: cfg.Source });
    }
  return { confDir: typeof r.PluginConfDir === "string" && r.PluginConfDir !== "" ? r.PluginConfDir : null, networks };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** CRI timestamps are nanoseconds since the epoch (int64, as a decimal string here). */
export function nanosToIso(nanos: string): string | null {
  if (!/^\d+$/.test(nanos) || nanos === "0") return null;
  const ms = Number(BigInt(nanos) / 1_000_000n);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function sorted(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}
