// Kubernetes pods (CRI pod sandboxes) and what the CRI runtimes add to the types they touch: a
// namespace's pod, a container's pod and containerd namespace, an engine's containerd namespaces
// and pods, a CNI network's configuration. The `pods` list takes a PodFilter (Kubernetes
// namespace, name, kubectl-style label selector, states) and an orderBy.

import type { CniNetworkInfo, Pod } from "../../model/containers.ts";
import type { Moment } from "../../store/index.ts";
import { builder } from "../builder.ts";
import { connection, type ConnectionArgs } from "../connection.ts";
import { connectionType } from "../connection-types.ts";
import { PodStateEnum } from "../enums.ts";
import { badInput } from "../errors.ts";
import { GLOB, nameMatcher } from "../filters.ts";
import { topologyAt } from "../moment.ts";
import { orderBy } from "../ordering.ts";
import { indexOf, type SchemaIndex } from "../topology-index.ts";
import { byKey, byKeys } from "./lookup.ts";
import { ContainerNetworkRef, ContainerRef, EngineRef, InterfaceRef, NamespaceRef, PodRef, ServiceRef, TopologyRef } from "./refs.ts";

builder.node(PodRef, {
  description:
    "A Kubernetes pod as its CRI runtime (containerd's CRI plugin, CRI-O) reports it: a pod sandbox, the network namespace its containers share, and those containers. `kubernetesNamespace` is the Kubernetes namespace; `networkNamespace` the network one.",
  id: { resolve: (p) => p.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `pod:<engine kind>:<sandbox id>`." }),
    sandboxId: t.exposeString("sandboxId", { description: "The runtime's pod sandbox id." }),
    kubernetesNamespace: t.exposeString("namespace", { description: "The Kubernetes namespace (`namespace` on other types is the network namespace)." }),
    name: t.exposeString("name", { description: "The pod's name." }),
    uid: t.exposeString("uid", { description: "The pod's UID (metadata.uid)." }),
    attempt: t.exposeInt("attempt", { description: "The sandbox's attempt (kubelet counts up when it makes the pod's sandbox again)." }),
    state: t.field({ type: PodStateEnum, description: "Ready or not.", resolve: (p) => p.state as "ready" | "notready" }),
    createdAt: t.field({ type: "DateTime", nullable: true, description: "When the sandbox was created; null when the runtime did not say.", resolve: (p) => p.createdAt }),
    labels: t.field({ type: "JSON", description: "Its labels (a JSON object).", resolve: (p) => p.labels }),
    annotations: t.field({ type: "JSON", description: "Its annotations (a JSON object).", resolve: (p) => p.annotations }),
    runtimeHandler: t.exposeString("runtimeHandler", { description: "The RuntimeClass handler (empty: the default)." }),
    ips: t.exposeStringList("ips", { description: "The pod's addresses, the primary first." }),
    engine: t.field({ type: EngineRef, nullable: true, description: "The runtime that runs it.", resolve: (p) => byKey(indexOf(p).engines, p.engine) }),
    netns: t.exposeString("netns", { nullable: true, description: "Its network namespace's key; null when not found (or not ready)." }),
    networkNamespace: t.field({ type: NamespaceRef, nullable: true, description: "The network namespace its containers share.", resolve: (p) => byKey(indexOf(p).namespaces, p.netns) }),
    interfaces: t.field({ type: [InterfaceRef], description: "Its network namespace's interfaces.", resolve: (p) => byKey(indexOf(p).namespaces, p.netns)?.interfaces ?? [] }),
    sandboxContainer: t.field({ type: ContainerRef, nullable: true, description: "The sandbox's own (pause) container, when the engine lists it.", resolve: (p) => byKey(indexOf(p).containers, p.sandboxContainer) }),
    containers: t.field({ type: [ContainerRef], description: "Its containers (not the sandbox's own).", resolve: (p) => byKeys(indexOf(p).containers, p.containers) }),
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
  containerdNamespace: t.exposeString("containerdNamespace", { nullable: true, description: "The containerd namespace it is in (moby, k8s.io, default…); null for other engines." }),
}));

builder.objectFields(EngineRef, (t) => ({
  containerdNamespaces: t.exposeStringList("containerdNamespaces", { description: "Its containerd namespaces (containerd only); empty for other engines." }),
  cri: t.exposeBoolean("cri", { description: "Whether it serves the Kubernetes CRI runtime service." }),
  pods: t.field({ type: [PodRef], description: "The pods it runs (CRI runtimes).", resolve: (e) => indexOf(e).topology.pods.filter((p) => p.engine === e.key) }),
}));

const CniRef = builder.objectRef<CniNetworkInfo>("CniConfiguration").implement({
  description: "The CNI configuration file a network was read from.",
  fields: (t) => ({
    file: t.exposeString("file", { description: "As the engine sees it (a path inside its root)." }),
    cniVersion: t.exposeString("cniVersion", { nullable: true, description: "Its cniVersion; null when it gives none." }),
    plugins: t.exposeStringList("plugins", { description: "Plugin types in chain order (bridge, portmap, firewall…)." }),
    subnets: t.exposeStringList("subnets", { description: "The subnets of its first plugin's host-local IPAM ranges." }),
  }),
});

builder.objectField(ContainerNetworkRef, "cni", (t) =>
  t.field({ type: CniRef, nullable: true, description: "A CNI network (containerd, CRI-O, nerdctl): its configuration; null for Docker and Podman networks.", resolve: (n) => n.cni }),
);

builder.objectField(TopologyRef, "pods", (t) => t.field({ type: [PodRef], description: "Every pod the CRI runtimes reported.", resolve: (x) => x.pods }));

/** The pod whose own network namespace `netns` is (hostNetwork pods share the node's and are not it). */
function podOfNetns(index: SchemaIndex, netns: string): Pod | null {
  return index.topology.pods.find((p) => p.netns === netns && index.namespaces.get(netns)?.initial === false) ?? null;
}

// ---------------------------------------------------------------------------------------------
// the pods list

const PodFilter = builder.inputType("PodFilter", {
  description: "Which pods (all given conditions hold).",
  fields: (t) => ({
    kubernetesNamespace: t.string({ description: `Kubernetes namespace, ${GLOB}.` }),
    name: t.string({ description: `Pod name, ${GLOB}.` }),
    labels: t.string({ description: "A kubectl-style label selector: `app=web,tier!=db,canary,!legacy` (=, ==, != and existence)." }),
    states: t.field({ type: [PodStateEnum], description: "Any of these states." }),
  }),
});

const PodOrder = orderBy<Pod>("Pod", "pods", {
  KEY: { description: "Identity key (engine kind and sandbox id).", values: (p) => [p.key] },
  NAME: { description: "Kubernetes namespace, then name, then identity.", values: (p) => [p.namespace, p.name, p.key] },
  CREATED_AT: { description: "When the sandbox was created (unknown first), then identity.", values: (p) => [p.createdAt === null ? 0 : Date.parse(p.createdAt), p.key] },
});

export const PodConnection = connectionType(PodRef, "Pod", "pods");

/** A kubectl equality-based label selector as a predicate; a malformed one is a client error. */
export function labelSelector(selector: string, arg = "labels"): (labels: Record<string, string>) => boolean {
  const terms = selector.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const checks = terms.map((term) => {
    const m = /^(!)?([A-Za-z0-9][-A-Za-z0-9_./]*)(?:\s*(==|=|!=)\s*([-A-Za-z0-9_.]*))?$/.exec(term);
    if (!m || (m[1] && m[3])) throw badInput(`${arg}: '${term}' is not a label selector term (key, !key, key=value, key==value, key!=value)`);
    const [, not, key, op, value] = m;
    if (!op) return (l: Record<string, string>) => (key! in l) !== Boolean(not);
    if (op === "!=") return (l: Record<string, string>) => l[key!] !== value;
    return (l: Record<string, string>) => l[key!] === value;
  });
  return (labels) => checks.every((c) => c(labels));
}

type PodFilterArgs = { kubernetesNamespace?: string | null; name?: string | null; labels?: string | null; states?: readonly string[] | null } | null | undefined;

/** Pods matching a filter, in topology order. */
function filterPods(index: SchemaIndex, f: PodFilterArgs): Pod[] {
  const ns = f?.kubernetesNamespace != null ? nameMatcher(f.kubernetesNamespace, "filter.kubernetesNamespace") : null;
  const name = f?.name != null ? nameMatcher(f.name, "filter.name") : null;
  const labels = f?.labels != null ? labelSelector(f.labels, "filter.labels") : null;
  return index.topology.pods.filter((p) => (!ns || ns(p.namespace)) && (!name || name(p.name)) && (!labels || labels(p.labels)) && (!f?.states || f.states.includes(p.state)));
}

builder.queryFields((t) => ({
  pods: t.field({
    type: PodConnection,
    description: "Kubernetes pods the CRI runtimes reported.",
    args: {
      ...t.arg.connectionArgs(),
      at: t.arg({ type: "Moment", required: false, description: "A past moment (revision or time); the live topology when absent." }),
      filter: t.arg({ type: PodFilter, required: false, description: "Which pods." }),
      orderBy: t.arg({ type: PodOrder.input, required: false, description: "Sort order." }),
    },
    resolve: (_r, args, ctx) => connection(filterPods(topologyAt(ctx, args.at as Moment | null | undefined), args.filter), args as ConnectionArgs, PodOrder.ordering(args.orderBy)),
  }),
}));
