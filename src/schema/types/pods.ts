// Kubernetes pods (CRI pod sandboxes) and what the CRI runtimes add to the types they touch: a
// namespace's pod, a container's pod and containerd namespace, an engine's containerd namespaces
// and pods, a CNI network's configuration. The `pods` list takes a PodFilter (Kubernetes
// namespace, name, kubectl-style label selector, state).

import type { CniNetworkInfo, Pod } from "../../model/containers.ts";
import type { Moment } from "../../store/index.ts";
import { builder } from "../builder.ts";
import { keyConnection, withTotal, type ConnectionArgs } from "../connection.ts";
import { badInput } from "../errors.ts";
import { nameMatcher } from "../filters.ts";
import { topologyAt } from "../moment.ts";
import { indexOf, type SchemaIndex } from "../topology-index.ts";
import { byKey, byKeys } from "./lookup.ts";
import { ContainerNetworkRef, ContainerRef, EngineRef, InterfaceRef, NamespaceRef, PodRef, ServiceRef, TopologyRef } from "./refs.ts";

builder.node(PodRef, {
  description:
    "A Kubernetes pod as its CRI runtime (containerd's CRI plugin, CRI-O) reports it: a pod sandbox, the network namespace its containers share, and those containers. `namespace` is the Kubernetes namespace; `networkNamespace` the network one.",
  id: { resolve: (p) => p.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    sandboxId: t.exposeString("sandboxId", { description: "The runtime's pod sandbox id." }),
    namespace: t.exposeString("namespace", { description: "The Kubernetes namespace." }),
    name: t.exposeString("name"),
    uid: t.exposeString("uid"),
    attempt: t.exposeInt("attempt"),
    state: t.exposeString("state", { description: "ready or notready." }),
    createdAt: t.exposeString("createdAt", { nullable: true, description: "ISO 8601." }),
    labels: t.field({ type: "JSON", resolve: (p) => p.labels }),
    annotations: t.field({ type: "JSON", resolve: (p) => p.annotations }),
    runtimeHandler: t.exposeString("runtimeHandler", { description: "The RuntimeClass handler (empty: the default)." }),
    ips: t.exposeStringList("ips", { description: "The pod's addresses, the primary first." }),
    engine: t.field({ type: EngineRef, nullable: true, resolve: (p) => byKey(indexOf(p).engines, p.engine) }),
    netns: t.exposeString("netns", { nullable: true }),
    networkNamespace: t.field({ type: NamespaceRef, nullable: true, resolve: (p) => byKey(indexOf(p).namespaces, p.netns) }),
    interfaces: t.field({ type: [InterfaceRef], description: "Its network namespace's interfaces.", resolve: (p) => byKey(indexOf(p).namespaces, p.netns)?.interfaces ?? [] }),
    sandboxContainer: t.field({ type: ContainerRef, nullable: true, description: "The sandbox's own (pause) container, when the engine lists it.", resolve: (p) => byKey(indexOf(p).containers, p.sandboxContainer) }),
    containers: t.field({ type: [ContainerRef], resolve: (p) => byKeys(indexOf(p).containers, p.containers) }),
    services: t.field({
      type: [ServiceRef],
      description: "Services with an endpoint in this pod.",
      resolve: (p) => indexOf(p).topology.services.filter((s) => s.endpoints.some((e) => e.pod === p.key)),
    }),
  }),
});

builder.objectField(NamespaceRef, "pod", (t) =>
  t.field({
    type: PodRef,
    nullable: true,
    description: "The pod whose network namespace this is (not the node's, for hostNetwork pods).",
    resolve: (ns) => podOfNetns(indexOf(ns), ns.key),
  }),
);

builder.objectFields(ContainerRef, (t) => ({
  pod: t.field({ type: PodRef, nullable: true, description: "A Kubernetes pod's container (or sandbox): the pod.", resolve: (c) => byKey(indexOf(c).pods, c.pod) }),
  containerdNamespace: t.exposeString("containerdNamespace", { nullable: true, description: "containerd: the containerd namespace it is in (moby, k8s.io, default…)." }),
}));

builder.objectFields(EngineRef, (t) => ({
  containerdNamespaces: t.exposeStringList("containerdNamespaces", { description: "containerd: its namespaces; empty for other engines." }),
  cri: t.exposeBoolean("cri", { description: "Whether it serves the Kubernetes CRI runtime service." }),
  pods: t.field({ type: [PodRef], resolve: (e) => indexOf(e).topology.pods.filter((p) => p.engine === e.key) }),
}));

const CniRef = builder.objectRef<CniNetworkInfo>("CniConfiguration").implement({
  description: "The CNI configuration file a network was read from.",
  fields: (t) => ({
    file: t.exposeString("file", { description: "As the engine sees it (a path inside its root)." }),
    cniVersion: t.exposeString("cniVersion", { nullable: true }),
    plugins: t.exposeStringList("plugins", { description: "Plugin types in chain order." }),
    subnets: t.exposeStringList("subnets"),
  }),
});

builder.objectField(ContainerNetworkRef, "cni", (t) =>
  t.field({ type: CniRef, nullable: true, description: "A CNI network (containerd, CRI-O, nerdctl): its configuration.", resolve: (n) => n.cni }),
);

builder.objectField(TopologyRef, "pods", (t) => t.field({ type: [PodRef], resolve: (x) => x.pods }));

/** The pod whose own network namespace `netns` is (hostNetwork pods share the node's and are not it). */
function podOfNetns(index: SchemaIndex, netns: string): Pod | null {
  return index.topology.pods.find((p) => p.netns === netns && index.namespaces.get(netns)?.initial === false) ?? null;
}

// ---------------------------------------------------------------------------------------------
// the pods list

export interface PodFilterInput {
  namespace?: string | null;
  name?: string | null;
  labels?: string | null;
  state?: string | null;
}

export const PodFilter = builder.inputType("PodFilter", {
  description: "Which pods: every given field must match.",
  fields: (t) => ({
    namespace: t.string({ required: false, description: "Kubernetes namespace, exact or a glob (* ?)." }),
    name: t.string({ required: false, description: "Pod name, exact or a glob (* ?)." }),
    labels: t.string({ required: false, description: "A kubectl-style label selector: `app=web,tier!=db,canary,!legacy` (=, ==, != and existence)." }),
    state: t.string({ required: false, description: "ready or notready." }),
  }),
});

/** A kubectl equality-based label selector as a predicate; a malformed one is a client error. */
export function labelSelector(selector: string): (labels: Record<string, string>) => boolean {
  const terms = selector.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const checks = terms.map((term) => {
    const m = /^(!)?([A-Za-z0-9][-A-Za-z0-9_./]*)(?:\s*(==|=|!=)\s*([-A-Za-z0-9_.]*))?$/.exec(term);
    if (!m || (m[1] && m[3])) throw badInput(`labels: '${term}' is not a label selector term (key, !key, key=value, key==value, key!=value)`);
    const [, not, key, op, value] = m;
    if (!op) return (l: Record<string, string>) => (key! in l) !== Boolean(not);
    if (op === "!=") return (l: Record<string, string>) => l[key!] !== value;
    return (l: Record<string, string>) => l[key!] === value;
  });
  return (labels) => checks.every((c) => c(labels));
}

/** Pods matching a filter, in topology order. */
export function filterPods(index: SchemaIndex, f: PodFilterInput | null | undefined): Pod[] {
  const ns = f?.namespace != null ? nameMatcher(f.namespace) : null;
  const name = f?.name != null ? nameMatcher(f.name) : null;
  const labels = f?.labels != null ? labelSelector(f.labels) : null;
  return index.topology.pods.filter((p) => (!ns || ns(p.namespace)) && (!name || name(p.name)) && (!labels || labels(p.labels)) && (f?.state == null || p.state === f.state));
}

/** A pod given as NAMESPACE/NAME (or `pod:NAMESPACE/NAME`, as capture takes it), its key, or node id: exactly one. */
export function findPod(index: SchemaIndex, given: string): Pod {
  const byKey = index.pods.get(given) ?? [...index.pods.values()].find((p) => p.key === given);
  if (byKey) return byKey;
  const m = /^(?:pod:)?([^/]+)\/([^/]+)$/.exec(given);
  const found = m ? index.topology.pods.filter((p) => p.namespace === m[1] && p.name === m[2]) : [];
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw badInput(`${found.length} pods are ${given} (a pod recreated, or two runtimes); give its key`);
  throw badInput(`no pod '${given}' in this topology (give NAMESPACE/NAME or a pod key)`);
}


builder.queryFields((t) => ({
  pods: t.connection(
    {
      type: PodRef,
      description: "Kubernetes pods the CRI runtimes reported.",
      args: {
        at: t.arg({ type: "Moment", required: false, description: "A past moment (revision or time); the live topology when absent." }),
        filter: t.arg({ type: PodFilter, required: false }),
      },
      resolve: (_r, args, ctx) => keyConnection(filterPods(topologyAt(ctx, args.at as Moment | null | undefined), args.filter), args as ConnectionArgs),
    },
    withTotal,
  ),
}));
