// Ghostwire's "containers" of a network namespace (netns.go): its containers (each container's
// init), then its other leaders as stand-alone processes, kthreadd left out; a namespace with
// neither gets one "bindmount" entry. Plus the pods among them as container groups, the PID
// namespace tree (pidns.go) and the capture targets of /mobyshark (targets.go).

import { encodeCapabilityMask } from "../../model/capabilities.ts";
import type { Container } from "../../model/containers.ts";
import { schedPolicyNumber } from "../../model/scheduling.ts";
import type { Tenant } from "../../model/tenants.ts";
import type { NetworkNamespace, PidNamespace, Process } from "../../model/topology.ts";
import { bindmountId, containeeId, isKthreadd, pidnsId, type Lookup } from "./lookup.ts";
import type { GwCaptureTarget, GwContainer, GwContainerGroup, GwDns, GwPidns } from "./shapes.ts";

/** Ghostwire's label on a privileged (Docker sense) container: present with an empty value. */
export const LABEL_PRIVILEGED = "gostwire/container/privileged";
/** turtlefinder's label naming the engine path of a container in a container (Ghostwire's prefix). */
const LABEL_PREFIX = "turtlefinder/container/prefix";

// Ghostwire's v1 container types and their display text (Go's cases.Title of the type, which
// lowercases the rest: "CRI" reads "Cri"). CRI-O is a CRI engine to Ghostwire (whalewatcher's cri).
const TYPES: Record<string, { type: string; text: string }> = {
  docker: { type: "docker", text: "Docker" },
  podman: { type: "podman", text: "Podman" },
  containerd: { type: "containerd", text: "Containerd" },
  "cri-o": { type: "CRI", text: "Cri" },
};

export interface Containee {
  entry: GwContainer;
  /** The process behind it (null for a bind mount). */
  process: Process | null;
  /** The Kubernetes pod it belongs to, as `namespace/name`. */
  pod: string | null;
}

export class Containees {
  private readonly groupIds = new Map<string, string>();

  constructor(private readonly lookup: Lookup) {}

  /** The containees of one namespace and its pods (container groups). */
  of(ns: NetworkNamespace): { containees: Containee[]; groups: GwContainerGroup[] } {
    const containees: Containee[] = [];
    const tenantByProcess = new Map(ns.tenants.map((t) => [t.process, t]));
    const taken = new Set<string>();
    for (const key of ns.containers) {
      const c = this.lookup.containers.get(key);
      if (!c) continue;
      if (c.process) taken.add(c.process);
      containees.push(this.container(c, c.process ? tenantByProcess.get(c.process) : undefined));
    }
    for (const t of ns.tenants) {
      const p = this.lookup.processes.get(t.process);
      if (taken.has(t.process) || isKthreadd(p)) continue;
      containees.push(this.standalone(t, p));
    }
    if (containees.length === 0) containees.push(bindmount(ns));
    const groups = new Map<string, GwContainerGroup>();
    for (const c of containees) {
      if (c.pod === null) continue;
      let g = groups.get(c.pod);
      if (!g) groups.set(c.pod, (g = { id: c.entry.group, name: c.pod, type: "pod", "type-text": "Pod", "container-idrefs": [] }));
      g["container-idrefs"].push(c.entry.id);
    }
    return { containees, groups: [...groups.values()] };
  }

  private container(c: Container, tenant: Tenant | undefined): Containee {
    const engine = this.lookup.engines.get(c.engine);
    const kind = engine?.kind ?? c.key.split(":")[1] ?? "container";
    const t = TYPES[kind] ?? { type: kind, text: kind };
    const proc = c.process ? this.lookup.processes.get(c.process) : undefined;
    const pod = c.groups.find((g) => g.kind === "kubernetes-pod");
    const podName = pod && pod.kind === "kubernetes-pod" ? `${pod.namespace}/${pod.name}` : null;
    const labels = { ...c.labels };
    if (c.privileged) labels[LABEL_PRIVILEGED] = "";
    const entry: GwContainer = {
      // A container whose init is not seen here (engine in another PID namespace) has no PID of ours.
      id: proc ? containeeId(proc.pid) : `cont-${kind}-${c.id.slice(0, 12)}`,
      name: c.name,
      type: t.type,
      "type-text": t.text,
      pid: proc?.pid ?? c.enginePid,
      ...this.pidns(proc),
      status: c.state === "paused" ? "paused" : "running",
      cmdline: proc?.cmdline.join(" ") ?? "",
      capbnd: capbnd(tenant),
      dns: dns(tenant),
      group: podName === null ? "" : this.groupId(podName),
      prefix: c.labels[LABEL_PREFIX] ?? "",
      "api-path": engine?.apiSocket ?? "",
      ...scheduling(proc),
    };
    if (Object.keys(labels).length > 0) entry.labels = labels;
    return { entry, process: proc ?? null, pod: podName };
  }

  private standalone(t: Tenant, proc: Process | undefined): Containee {
    const entry: GwContainer = {
      id: containeeId(t.pid),
      name: `${t.comm}(${t.pid})`,
      type: "proc",
      "type-text": "Process",
      pid: t.pid,
      ...this.pidns(proc),
      status: "running",
      cmdline: proc?.cmdline.join(" ") ?? "",
      capbnd: capbnd(t),
      dns: dns(t),
      group: "",
      prefix: "",
      "api-path": "",
      ...scheduling(proc),
    };
    return { entry, process: proc ?? null, pod: null };
  }

  private pidns(proc: Process | undefined): { pidns: number; "pidns-idref": string } {
    const inode = proc?.pidns ? this.lookup.pidnsInode.get(proc.pidns) : undefined;
    return inode === undefined ? { pidns: 0, "pidns-idref": "" } : { pidns: inode, "pidns-idref": pidnsId(inode) };
  }

  /** Group ids are unique in the whole document ("group-<n>"), as Ghostwire numbers them. */
  private groupId(pod: string): string {
    let id = this.groupIds.get(pod);
    if (!id) this.groupIds.set(pod, (id = `group-${this.groupIds.size}`));
    return id;
  }
}

/**
 * A namespace nothing runs in: Ghostwire names it by its reference (the bind-mount path, for an
 * `ip netns` namespace); one that only an fd or a thread holds is named by that /proc path.
 */
function bindmount(ns: NetworkNamespace): Containee {
  const ref = ns.references[0];
  const name =
    ref === undefined
      ? `net:[${ns.inode}]`
      : ref.kind === "bindmount"
        ? ref.path
        : ref.kind === "fd"
          ? `/proc/${ref.pid}/fd/${ref.fd}`
          : ref.kind === "thread"
            ? `/proc/${ref.pid}/task/${ref.tid}/ns/net`
            : `/proc/${ref.pid}/ns/net`;
  const entry: GwContainer = {
    id: bindmountId(ns),
    name,
    type: "bindmount",
    "type-text": "Bind-mounted",
    pid: 0,
    pidns: 0,
    "pidns-idref": "",
    status: "running",
    cmdline: "",
    capbnd: "0x0",
    dns: dns(undefined),
    group: "",
    prefix: "",
    "api-path": "",
  };
  return { entry, process: null, pod: null };
}

/** "0x" and the bounding set in hex as /proc prints it; "0x0" when unknown, as Ghostwire writes. */
function capbnd(t: Tenant | undefined): string {
  return t?.boundingCapabilities ? `0x${encodeCapabilityMask(t.boundingCapabilities)}` : "0x0";
}

/** CPU affinity, policy, RT priority and nice of the containee's process, as the UI's details show them. */
function scheduling(p: Process | undefined): Pick<GwContainer, "affinity" | "policy" | "priority" | "nice"> {
  const out: Pick<GwContainer, "affinity" | "policy" | "priority" | "nice"> = {};
  if (p?.cpuAffinity) out.affinity = p.cpuAffinity.map(([a, b]) => [a, b]);
  if (p?.scheduling) {
    out.policy = schedPolicyNumber(p.scheduling.policy) ?? 0;
    out.priority = p.scheduling.rtPriority;
    out.nice = p.scheduling.nice;
  }
  return out;
}

/**
 * Ghostwire writes every DNS field, empty when unknown. /etc/hosts: one entry per name and
 * address (Ghostwire's map keeps only a name's last address; we lose none).
 */
function dns(t: Tenant | undefined): GwDns {
  const d = t?.dns;
  return {
    "uts-hostname": d?.utsHostname ?? "",
    "etc-hostname": d?.hostname ?? "",
    domainname: d?.domainname ?? "",
    nameservers: [...(d?.resolver?.nameservers ?? [])],
    searchlist: [...(d?.resolver?.search ?? [])],
    "etc-hosts": (d?.hosts ?? []).flatMap((h) => h.addresses.map((address) => ({ name: h.name, address }))),
  };
}

/**
 * The PID namespace tree from its roots: each with the containers whose init leads it (its
 * parent process lives in another PID namespace), as Ghostwire's container-idrefs.
 */
export function gwPidNamespaces(lookup: Lookup): GwPidns[] {
  const children = new Map<string | null, PidNamespace[]>();
  const known = new Set(lookup.topology.pidNamespaces.map((n) => n.key));
  for (const n of lookup.topology.pidNamespaces) {
    const parent = n.parent !== null && known.has(n.parent) ? n.parent : null;
    const list = children.get(parent);
    if (list) list.push(n);
    else children.set(parent, [n]);
  }
  const containersOf = new Map<string, string[]>();
  for (const c of lookup.topology.containers) {
    const p = c.process ? lookup.processes.get(c.process) : undefined;
    if (!p?.pidns) continue;
    const parent = lookup.byPid.get(p.ppid);
    if (parent?.pidns === p.pidns) continue; // not a leader of its PID namespace
    const list = containersOf.get(p.pidns);
    if (list) list.push(containeeId(p.pid));
    else containersOf.set(p.pidns, [containeeId(p.pid)]);
  }
  const node = (n: PidNamespace): GwPidns => ({
    id: pidnsId(n.inode),
    pidnsid: n.inode,
    children: (children.get(n.key) ?? []).map(node),
    "container-idrefs": containersOf.get(n.key) ?? [],
  });
  return (children.get(null) ?? []).map(node);
}

/**
 * /mobyshark's targets of one namespace: one per container, one per stand-alone process, one per
 * Kubernetes pod instead of its containers, or the bind mount; each with the namespace's
 * interfaces that are not DOWN (Ghostwire skips those: dumpcap refuses some of them).
 */
export function captureTargets(ns: NetworkNamespace, containees: Containee[]): GwCaptureTarget[] {
  const names = ns.interfaces.filter((i) => i.operState !== "DOWN").map((i) => i.name);
  const targets: GwCaptureTarget[] = [];
  const pods = new Set<string>();
  for (const c of containees) {
    if (c.pod !== null && pods.has(c.pod)) continue;
    if (c.pod !== null) pods.add(c.pod);
    targets.push({
      name: c.pod ?? c.entry.name,
      type: c.pod !== null ? "pod" : c.entry.type,
      netns: ns.inode,
      "network-interfaces": names,
      pid: c.entry.pid,
      starttime: c.process?.startTime ?? 0,
      prefix: c.pod !== null ? "" : c.entry.prefix,
    });
  }
  return targets;
}
