// containerd over its gRPC API: the version, every containerd namespace (moby, k8s.io, default,
// nerdctl's…), and in each its containers (labels, image, OCI spec) and tasks (PID, state).
// Namespaces are asked concurrently; a namespace that fails costs its containers (a warning),
// not the others.

import { groupsOf, type EngineContainer } from "./inventory.ts";
import type { GrpcUnixClient } from "./grpc-api.ts";

export interface ContainerdInventory {
  version: string;
  namespaces: string[];
  containers: EngineContainer[];
}

interface NamespacesAnswer {
  namespaces: { name: string; labels: Record<string, string> }[];
}
interface ContainersAnswer {
  containers: { id: string; labels: Record<string, string>; image: string; spec: { type_url: string; value: Buffer } | null }[];
}
interface TasksAnswer {
  tasks: { container_id: string; id: string; pid: number; status: string }[];
}

/** The containerd label nerdctl keeps a container's name in (`nerdctl run --name`). */
export const NERDCTL_NAME = "nerdctl/name";
/** The containerd label nerdctl keeps a container's networks in: a JSON array of network names. */
export const NERDCTL_NETWORKS = "nerdctl/networks";
/** The label containerd's CRI plugin marks its containers with: "sandbox" or "container". */
export const CRI_KIND = "io.cri-containerd.kind";

export async function readContainerd(
  client: GrpcUnixClient,
  timeoutMs: number,
  warn: (message: string) => void,
): Promise<ContainerdInventory> {
  const v = await client.call<{ version: string; revision: string }>("containerd.services.version.v1.Version", "Version", {}, timeoutMs);
  const ns = await client.call<NamespacesAnswer>("containerd.services.namespaces.v1.Namespaces", "List", {}, timeoutMs);
  const names = ns.namespaces.map((n) => n.name).sort();
  const perNamespace = await Promise.all(
    names.map(async (name) => {
      try {
        return await readNamespace(client, name, timeoutMs);
      } catch (err) {
        warn(`containerd namespace ${name}: its containers were not read: ${(err as Error).message}`);
        return [];
      }
    }),
  );
  return { version: v.version, namespaces: names, containers: perNamespace.flat() };
}

async function readNamespace(client: GrpcUnixClient, namespace: string, timeoutMs: number): Promise<EngineContainer[]> {
  const headers = { "containerd-namespace": namespace };
  const [containers, tasks] = await Promise.all([
    client.call<ContainersAnswer>("containerd.services.containers.v1.Containers", "List", {}, timeoutMs, headers),
    client.call<TasksAnswer>("containerd.services.tasks.v1.Tasks", "List", {}, timeoutMs, headers),
  ]);
  // A task is a container's running instance; exec'd processes are not listed by Tasks.List. Its
  // init process's id is the container's (containerd leaves container_id empty there).
  const taskOf = new Map(tasks.tasks.map((t) => [t.container_id || t.id, t]));
  return containers.containers.map((c) => {
    const task = taskOf.get(c.id);
    const spec = parseSpec(c.spec);
    const labels = sortedLabels(c.labels);
    return {
      id: c.id,
      name: containerName(c.id, labels),
      image: c.image,
      state: task ? task.status.toLowerCase() : "stopped",
      pid: task?.pid ?? 0,
      sandboxKey: spec.netnsPath,
      labels,
      privileged: spec.privileged,
      groups: groupsOf(labels),
      networks: nerdctlNetworks(labels),
      containerdNamespace: namespace,
      // containerd's CRI plugin: a sandbox container's id is its pod's; app containers are matched by the CRI list.
      podSandboxId: labels[CRI_KIND] === "sandbox" ? c.id : null,
    } satisfies EngineContainer;
  });
}

/**
 * What users call a containerd container: nerdctl's name, else the Kubernetes container name
 * (a pod's sandbox is "POD", as kubelet's dockershim named it), else its id.
 */
export function containerName(id: string, labels: Record<string, string>): string {
  const nerdctl = labels[NERDCTL_NAME];
  if (nerdctl) return nerdctl;
  const k8s = labels["io.kubernetes.container.name"];
  if (k8s) return k8s;
  if (labels[CRI_KIND] === "sandbox") return "POD";
  return id;
}

/** nerdctl's network names as attachments; their ids are resolved against the CNI networks later. */
function nerdctlNetworks(labels: Record<string, string>): EngineContainer["networks"] {
  const raw = labels[NERDCTL_NETWORKS];
  if (!raw) return [];
  let names: unknown;
  try {
    names = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(names)) return [];
  return names.filter((n): n is string => typeof n === "string" && n !== "").map((name) => ({ name, networkId: `cni:${name}`, ipv4: null, ipv6: null, mac: null, aliases: [] }));
}

/**
 * From the OCI runtime spec (JSON in a google.protobuf.Any): the network namespace path it joins
 * ("" when it makes a new one or says nothing) and whether it is privileged the way
 * `--privileged` makes a container: CAP_SYS_ADMIN in the bounding set and no masked paths.
 */
export function parseSpec(spec: { type_url: string; value: Buffer } | null): { netnsPath: string; privileged: boolean } {
  const none = { netnsPath: "", privileged: false };
  if (!spec || spec.value.length === 0) return none;
  let s: unknown;
  try {
    s = JSON.parse(spec.value.toString("utf8"));
  } catch {
    return none;
  }
  return specFacts(s);
}

/** The same facts from an already parsed OCI spec (also what the CRI's verbose status carries). */
export function specFacts(s: unknown): { netnsPath: string; privileged: boolean; hostNetwork: boolean } {
  const o = (x: unknown) => (x !== null && typeof x === "object" ? (x as Record<string, unknown>) : {});
  const linux = o(o(s).linux);
  const namespaces = Array.isArray(linux.namespaces) ? linux.namespaces.map(o) : [];
  const net = namespaces.find((n) => n.type === "network");
  const bounding = o(o(o(s).process).capabilities).bounding;
  const masked = linux.maskedPaths;
  return {
    netnsPath: net && typeof net.path === "string" ? net.path : "",
    privileged: Array.isArray(bounding) && bounding.includes("CAP_SYS_ADMIN") && (!Array.isArray(masked) || masked.length === 0),
    // No network namespace entry at all: the container stays in its runtime's (the node's) one.
    hostNetwork: Array.isArray(linux.namespaces) && !net,
  };
}

function sortedLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  return out;
}
