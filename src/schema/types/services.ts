// Kubernetes services as kube-proxy's rules forward them (model/kube-services.ts): each service
// port with its frontends (ClusterIP, external and load-balancer IPs, NodePort), its endpoints
// resolved to a namespace, pod and listening sockets, and the forwardings that carry it. The
// `services` list takes a ServiceFilter; a ForwardedPort says which service it belongs to.

import { servicePortName, type KubeService, type ServiceEndpoint } from "../../model/kube-services.ts";
import type { Moment } from "../../store/index.ts";
import { builder } from "../builder.ts";
import { keyConnection, withTotal, type ConnectionArgs } from "../connection.ts";
import { canonicalIp, nameMatcher } from "../filters.ts";
import { topologyAt } from "../moment.ts";
import { indexOf, type SchemaIndex } from "../topology-index.ts";
import { byKey, byKeys } from "./lookup.ts";
import { findPod } from "./pods.ts";
import { ForwardedPortRef, NamespaceRef, PodRef, ServiceRef, SocketRef, TopologyRef } from "./refs.ts";

const AccessEnum = builder.enumType("ServiceAccess", {
  description: "How a frontend reaches a service: its ClusterIP, an external IP, a load-balancer IP, a NodePort, or (nftables mode, which does not tell the two apart) an external or load-balancer IP.",
  values: ["clusterIP", "externalIP", "loadBalancerIP", "nodePort", "external"] as const,
});

const FrontendRef = builder.objectRef<KubeService["frontends"][number]>("ServiceFrontend").implement({
  fields: (t) => ({
    access: t.field({ type: AccessEnum, resolve: (f) => f.access }),
    address: t.exposeString("address", { nullable: true, description: "Null for a NodePort (any local address)." }),
    port: t.exposeInt("port", { nullable: true }),
  }),
});

const EndpointRef = builder.objectRef<ServiceEndpoint & { owner: KubeService }>("ServiceEndpoint").implement({
  description: "Where kube-proxy sends the service's traffic, and who is there.",
  fields: (t) => ({
    address: t.exposeString("address"),
    port: t.exposeInt("port", { nullable: true }),
    netns: t.exposeString("netns", { nullable: true }),
    networkNamespace: t.field({ type: NamespaceRef, nullable: true, resolve: (e) => byKey(indexOf(e.owner).namespaces, e.netns) }),
    pod: t.field({ type: PodRef, nullable: true, resolve: (e) => byKey(indexOf(e.owner).pods, e.pod) }),
    listeners: t.field({ type: [SocketRef], description: "Sockets listening there for this traffic.", resolve: (e) => byKeys(indexOf(e.owner).sockets, e.listeners) }),
  }),
});

builder.node(ServiceRef, {
  description: "A Kubernetes service port as kube-proxy's rules (iptables or nftables mode) in one namespace forward it. `namespace` is the Kubernetes namespace.",
  id: { resolve: (s) => s.key },
  fields: (t) => ({
    key: t.exposeString("key"),
    namespace: t.exposeString("namespace", { description: "The Kubernetes namespace." }),
    name: t.exposeString("name"),
    portName: t.string({ description: "The service port's name (empty for an unnamed port).", resolve: (s) => s.port }),
    servicePortName: t.string({ description: "kube-proxy's `namespace/name:port`.", resolve: (s) => servicePortName(s) }),
    protocol: t.exposeString("protocol"),
    family: t.exposeString("family"),
    proxyMode: t.exposeString("proxyMode", { description: "iptables or nftables." }),
    netns: t.exposeString("netns"),
    networkNamespace: t.field({ type: NamespaceRef, description: "The namespace whose rules hold it (the node's).", resolve: (s) => indexOf(s).namespaces.get(s.netns)! }),
    frontends: t.field({ type: [FrontendRef], resolve: (s) => s.frontends }),
    clusterIPs: t.stringList({ resolve: (s) => s.frontends.filter((f) => f.access === "clusterIP").map((f) => f.address!) }),
    nodePorts: t.intList({ resolve: (s) => s.frontends.filter((f) => f.access === "nodePort" && f.port !== null).map((f) => f.port!) }),
    endpoints: t.field({ type: [EndpointRef], resolve: (s) => s.endpoints.map((e) => ({ ...e, owner: s })) }),
    pods: t.field({ type: [PodRef], description: "The pods its endpoints are in.", resolve: (s) => byKeys(indexOf(s).pods, [...new Set(s.endpoints.flatMap((e) => (e.pod ? [e.pod] : [])))]) }),
    forwardedPorts: t.field({ type: [ForwardedPortRef], resolve: (s) => byKeys(indexOf(s).forwardedPorts, s.forwardedPorts) }),
  }),
});

builder.objectFields(ForwardedPortRef, (t) => ({
  service: t.field({ type: ServiceRef, nullable: true, description: "A kube-proxy forwarding: its service.", resolve: (p) => byKey(indexOf(p).services, p.service?.key) }),
  serviceName: t.string({ nullable: true, description: "kube-proxy's `namespace/name:port` of its service.", resolve: (p) => p.service?.name ?? null }),
  serviceAccess: t.field({ type: AccessEnum, nullable: true, resolve: (p) => p.service?.access ?? null }),
}));

builder.objectField(TopologyRef, "services", (t) => t.field({ type: [ServiceRef], resolve: (x) => x.services }));

// ---------------------------------------------------------------------------------------------
// the services list

export interface ServiceFilterInput {
  namespace?: string | null;
  name?: string | null;
  address?: string | null;
  pod?: string | null;
}

export const ServiceFilter = builder.inputType("ServiceFilter", {
  description: "Which services: every given field must match.",
  fields: (t) => ({
    namespace: t.string({ required: false, description: "Kubernetes namespace, exact or a glob (* ?)." }),
    name: t.string({ required: false, description: "Service name, exact or a glob (* ?)." }),
    address: t.string({ required: false, description: "A frontend address (ClusterIP, external or load-balancer IP)." }),
    pod: t.string({ required: false, description: "Services with an endpoint in this pod (NAMESPACE/NAME or a pod key)." }),
  }),
});

export function filterServices(index: SchemaIndex, f: ServiceFilterInput | null | undefined): KubeService[] {
  const ns = f?.namespace != null ? nameMatcher(f.namespace) : null;
  const name = f?.name != null ? nameMatcher(f.name) : null;
  const ip = f?.address != null ? canonicalIp(f.address, "address") : null;
  const pod = f?.pod != null ? findPod(index, f.pod).key : null;
  return index.topology.services.filter(
    (s) =>
      (!ns || ns(s.namespace)) &&
      (!name || name(s.name)) &&
      (ip === null || s.frontends.some((x) => x.address === ip)) &&
      (pod === null || s.endpoints.some((e) => e.pod === pod)),
  );
}


builder.queryFields((t) => ({
  services: t.connection(
    {
      type: ServiceRef,
      description: "Kubernetes service ports from kube-proxy's rules.",
      args: {
        at: t.arg({ type: "Moment", required: false, description: "A past moment (revision or time); the live topology when absent." }),
        filter: t.arg({ type: ServiceFilter, required: false }),
      },
      resolve: (_r, args, ctx) => keyConnection(filterServices(topologyAt(ctx, args.at as Moment | null | undefined), args.filter), args as ConnectionArgs),
    },
    withTotal,
  ),
}));
