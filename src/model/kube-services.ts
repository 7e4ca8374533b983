// Kubernetes services as kube-proxy programs them into a node's netfilter rules (iptables mode
// through iptables-nft, or nftables mode): a service port (namespace/name:port) reached at its
// ClusterIP, external and load-balancer IPs and NodePort, forwarded to each endpoint. One entry
// per service port per namespace whose rules hold it (normally the node's initial namespace);
// the forwardings themselves are ForwardedPorts whose `service` names this entry.

import type { NetnsKey } from "./keys.ts";
import type { PodKey } from "./containers.ts";
import type { SocketKey } from "./socket.ts";
import type { Topology } from "./topology.ts";

/** `<netns key>/svc:<namespace>/<name>:<port name>/<protocol>` */
export type ServiceKey = string;

/**
 * How a forwarding reaches the service: its ClusterIP, an external IP, a load-balancer IP, a
 * NodePort, or (nftables mode, which does not tell the two apart) an external or load-balancer IP.
 */
export type ServiceAccess = "clusterIP" | "externalIP" | "loadBalancerIP" | "nodePort" | "external";

export function serviceKey(netns: NetnsKey, namespace: string, name: string, port: string, protocol: string): ServiceKey {
  return `${netns}/svc:${namespace}/${name}:${port}/${protocol}`;
}

/** kube-proxy's own spelling of a service port: `namespace/name:port`, or `namespace/name` for an unnamed port. */
export function servicePortName(s: { namespace: string; name: string; port: string }): string {
  return `${s.namespace}/${s.name}${s.port === "" ? "" : `:${s.port}`}`;
}

export interface ServiceEndpoint {
  address: string;
  port: number | null;
  /** Where the endpoint address is (see ForwardedPort.destinationNetns). */
  netns: NetnsKey | null;
  /** The pod whose namespace that is, when a CRI runtime reported it. */
  pod: PodKey | null;
  /** The sockets listening there for this service's traffic. */
  listeners: SocketKey[];
}

/** GraphQL's `Service`. */
export interface KubeService {
  key: ServiceKey;
  /** The namespace whose rules hold it (the node's). */
  netns: NetnsKey;
  /** The Kubernetes namespace, name and port name ("" for an unnamed port). */
  namespace: string;
  name: string;
  port: string;
  protocol: string;
  family: "ipv4" | "ipv6";
  /** Which kube-proxy mode wrote the rules. */
  proxyMode: "iptables" | "nftables";
  /** Each address:port it is reached at, NodePorts with a null address, in rule order. */
  frontends: { access: ServiceAccess; address: string | null; port: number | null }[];
  endpoints: ServiceEndpoint[];
  /** The ForwardedPorts that carry it (one per frontend and endpoint). */
  forwardedPorts: string[];
}

/**
 * Fills each service endpoint's namespace, listeners and pod, in place, from the forwardings that
 * carry the service (resolved by resolveForwardedPortDestinations) and the pods of the topology.
 * Run again once engines have added the pods.
 */
export function resolveServiceEndpoints(topology: Topology): void {
  if (topology.services.length === 0) return;
  const ports = new Map(topology.forwardedPorts.map((p) => [p.key, p]));
  const podByNetns = new Map<NetnsKey, PodKey>();
  for (const p of topology.pods) if (p.netns !== null && !podByNetns.has(p.netns)) podByNetns.set(p.netns, p.key);
  for (const s of topology.services)
    for (const e of s.endpoints) {
      const carrier = s.forwardedPorts.map((k) => ports.get(k)).find((p) => p && p.destinationAddress === e.address && (p.destinationPorts?.first ?? null) === e.port);
      e.netns = carrier?.destinationNetns ?? null;
      e.listeners = carrier?.listeners ?? [];
      e.pod = e.netns !== null ? (podByNetns.get(e.netns) ?? null) : null;
    }
}
