// Kubernetes services as kube-proxy's rules forward them (model/kube-services.ts): each service
// port with its frontends (ClusterIP, external and load-balancer IPs, NodePort), its endpoints
// resolved to a namespace, pod and listening sockets, and the forwardings that carry it. The
// `services` list takes a ServiceFilter and an orderBy; a ForwardedPort says which service it
// belongs to.

import { servicePortName, type KubeService, type ServiceEndpoint } from "../../model/kube-services.ts";
import type { Moment } from "../../store/index.ts";
import { builder } from "../builder.ts";
import { connection, type ConnectionArgs } from "../connection.ts";
import { connectionType } from "../connection-types.ts";
import { AddressFamilyEnum, KubeProxyModeEnum, ServiceAccessEnum, ServiceProtocol } from "../enums.ts";
import { canonicalIp, findPod, GLOB, nameMatcher } from "../filters.ts";
import { topologyAt } from "../moment.ts";
import { orderBy } from "../ordering.ts";
import { indexOf, type SchemaIndex } from "../topology-index.ts";
import { byKey, byKeys } from "./lookup.ts";
import { ForwardedPortRef, NamespaceRef, PodRef, ServiceRef, SocketRef, TopologyRef } from "./refs.ts";

const FrontendRef = builder.objectRef<KubeService["frontends"][number]>("ServiceFrontend").implement({
  description: "An address and port a service is reached at.",
  fields: (t) => ({
    access: t.field({ type: ServiceAccessEnum, description: "What kind of frontend it is.", resolve: (f) => f.access }),
    address: t.exposeString("address", { nullable: true, description: "The address; null for a NodePort (any local address)." }),
    port: t.exposeInt("port", { nullable: true, description: "The port; null when the rule matches every port." }),
  }),
});

const EndpointRef = builder.objectRef<ServiceEndpoint & { owner: KubeService }>("ServiceEndpoint").implement({
  description: "Where kube-proxy sends the service's traffic, and who is there.",
  fields: (t) => ({
    address: t.exposeString("address", { description: "The endpoint's address." }),
    port: t.exposeInt("port", { nullable: true, description: "The endpoint's port; null when packets keep theirs." }),
    netns: t.exposeString("netns", { nullable: true, description: "The key of the namespace holding the address; null when not found." }),
    networkNamespace: t.field({ type: NamespaceRef, nullable: true, description: "The namespace holding the address.", resolve: (e) => byKey(indexOf(e.owner).namespaces, e.netns) }),
    pod: t.field({ type: PodRef, nullable: true, description: "The pod whose namespace that is; null when no CRI runtime reported one.", resolve: (e) => byKey(indexOf(e.owner).pods, e.pod) }),
    listeners: t.field({ type: [SocketRef], description: "Sockets listening there for this traffic.", resolve: (e) => byKeys(indexOf(e.owner).sockets, e.listeners) }),
  }),
});

builder.node(ServiceRef, {
  description: "A Kubernetes service port as kube-proxy's rules (iptables or nftables mode) in one namespace forward it. `kubernetesNamespace` is the Kubernetes namespace.",
  id: { resolve: (s) => s.key },
  fields: (t) => ({
    key: t.exposeString("key", { description: "Identity key: `<namespace key>/svc:<namespace>/<name>:<port name>/<protocol>`." }),
    kubernetesNamespace: t.exposeString("namespace", { description: "The Kubernetes namespace (`namespace` on other types is the network namespace)." }),
    name: t.exposeString("name", { description: "The service's name." }),
    portName: t.string({ description: "The service port's name (empty for an unnamed port).", resolve: (s) => s.port }),
    servicePortName: t.string({ description: "The service port as kube-proxy spells it: `namespace/name:port`.", resolve: (s) => servicePortName(s) }),
    protocol: t.field({ type: ServiceProtocol.ref, description: "The service port's protocol.", resolve: (s) => ServiceProtocol.of(s.protocol) }),
    family: t.field({ type: AddressFamilyEnum, description: "The IP version of the rules (kube-proxy writes one set per family).", resolve: (s) => s.family }),
    proxyMode: t.field({ type: KubeProxyModeEnum, description: "The kube-proxy mode that wrote the rules.", resolve: (s) => s.proxyMode }),
    netns: t.exposeString("netns", { description: "The key of the namespace whose rules hold it." }),
    networkNamespace: t.field({ type: NamespaceRef, description: "The namespace whose rules hold it (the node's).", resolve: (s) => indexOf(s).namespaces.get(s.netns)! }),
    frontends: t.field({ type: [FrontendRef], description: "Every address and port it is reached at, in rule order.", resolve: (s) => s.frontends }),
    clusterIPs: t.stringList({ description: "Its ClusterIPs.", resolve: (s) => s.frontends.filter((f) => f.access === "clusterIP").map((f) => f.address!) }),
    nodePorts: t.intList({ description: "Its NodePorts.", resolve: (s) => s.frontends.filter((f) => f.access === "nodePort" && f.port !== null).map((f) => f.port!) }),
    endpoints: t.field({ type: [EndpointRef], description: "Where its traffic goes.", resolve: (s) => s.endpoints.map((e) => ({ ...e, owner: s })) }),
    pods: t.field({ type: [PodRef], description: "The pods its endpoints are in.", resolve: (s) => byKeys(indexOf(s).pods, [...new Set(s.endpoints.flatMap((e) => (e.pod ? [e.pod] : [])))]) }),
    forwardedPorts: t.field({ type: [ForwardedPortRef], description: "The forwardings that carry it (one per frontend and endpoint).", resolve: (s) => byKeys(indexOf(s).forwardedPorts, s.forwardedPorts) }),
  }),
});

builder.objectFields(ForwardedPortRef, (t) => ({
  service: t.field({ type: ServiceRef, nullable: true, description: "A kube-proxy forwarding: its service; null for others.", resolve: (p) => byKey(indexOf(p).services, p.service?.key) }),
  serviceName: t.string({ nullable: true, description: "Its service as kube-proxy spells it (`namespace/name:port`); null for other forwardings.", resolve: (p) => p.service?.name ?? null }),
  serviceAccess: t.field({ type: ServiceAccessEnum, nullable: true, description: "How it reaches its service; null for other forwardings.", resolve: (p) => p.service?.access ?? null }),
}));

builder.objectField(TopologyRef, "services", (t) => t.field({ type: [ServiceRef], description: "Every service port in kube-proxy's rules.", resolve: (x) => x.services }));

// ---------------------------------------------------------------------------------------------
// the services list

const ServiceFilter = builder.inputType("ServiceFilter", {
  description: "Which services (all given conditions hold).",
  fields: (t) => ({
    kubernetesNamespace: t.string({ description: `Kubernetes namespace, ${GLOB}.` }),
    name: t.string({ description: `Service name, ${GLOB}.` }),
    address: t.string({ description: "A frontend address (ClusterIP, external or load-balancer IP)." }),
    pod: t.string({ description: "Services with an endpoint in this pod (NAMESPACE/NAME, a pod key or node id)." }),
  }),
});

const ServiceOrder = orderBy<KubeService>("Service", "services", {
  KEY: { description: "Identity key (namespace of the rules, then the service port).", values: (s) => [s.key] },
  NAME: { description: "Kubernetes namespace, name and port name, then identity.", values: (s) => [s.namespace, s.name, s.port, s.key] },
});

export const ServiceConnection = connectionType(ServiceRef, "Service", "services");

type ServiceFilterArgs = { kubernetesNamespace?: string | null; name?: string | null; address?: string | null; pod?: string | null } | null | undefined;

function filterServices(index: SchemaIndex, f: ServiceFilterArgs): KubeService[] {
  const ns = f?.kubernetesNamespace != null ? nameMatcher(f.kubernetesNamespace, "filter.kubernetesNamespace") : null;
  const name = f?.name != null ? nameMatcher(f.name, "filter.name") : null;
  const ip = f?.address != null ? canonicalIp(f.address, "filter.address") : null;
  const pod = f?.pod != null ? findPod(index, f.pod, "filter.pod").key : null;
  return index.topology.services.filter(
    (s) =>
      (!ns || ns(s.namespace)) &&
      (!name || name(s.name)) &&
      (ip === null || s.frontends.some((x) => x.address === ip)) &&
      (pod === null || s.endpoints.some((e) => e.pod === pod)),
  );
}

builder.queryFields((t) => ({
  services: t.field({
    type: ServiceConnection,
    description: "Kubernetes service ports from kube-proxy's rules.",
    args: {
      ...t.arg.connectionArgs(),
      at: t.arg({ type: "Moment", required: false, description: "A past moment (revision or time); the live topology when absent." }),
      filter: t.arg({ type: ServiceFilter, required: false, description: "Which services." }),
      orderBy: t.arg({ type: ServiceOrder.input, required: false, description: "Sort order." }),
    },
    resolve: (_r, args, ctx) => connection(filterServices(topologyAt(ctx, args.at as Moment | null | undefined), args.filter), args as ConnectionArgs, ServiceOrder.ordering(args.orderBy)),
  }),
}));
