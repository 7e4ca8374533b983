// kube-proxy's services from the rules of one namespace, in either mode (iptables through
// iptables-nft, nftables): each service frontend × endpoint as a forwarding candidate named
// after the service, plus the DNAT rules those claim, so that they are not listed again as
// anonymous forwardings (a KUBE-SEP-* DNAT alone matches no address or port).

import type { NetnsKey } from "../../model/keys.ts";
import { serviceKey, servicePortName, type KubeService, type ServiceAccess } from "../../model/kube-services.ts";
import type { ForwardSource } from "../../model/forwarded-ports.ts";
import type { NftRule } from "../../netlink/index.ts";
import { kubeProxyIptables } from "./kube-proxy-iptables.ts";
import { kubeProxyNftables } from "./kube-proxy-nftables.ts";
import type { ForwardingCandidate } from "./nat-rules.ts";
import type { RuleGraph } from "./rule-graph.ts";

export interface KubeProxyForwarding {
  /** The forwarding, its source the endpoint's DNAT rule. */
  candidate: ForwardingCandidate;
  /** The frontend rule (iptables mode: the KUBE-SERVICES / KUBE-NODEPORTS rule); null in nftables mode (a map element). */
  entry: ForwardSource | null;
  service: { namespace: string; name: string; port: string; protocol: string; access: ServiceAccess; proxyMode: "iptables" | "nftables" };
  dnatRule: NftRule;
}

export const ruleId = (r: Pick<NftRule, "family" | "table" | "chain" | "handle">) => `${r.family}|${r.table}|${r.chain}|${r.handle}`;

/**
 * The services of one namespace: their forwarding candidates (frontend rule first, then the DNAT
 * rule, as two sources of one forwarding), the DNAT rules they claim, and the services themselves
 * (endpoints unresolved: see resolveServiceEndpoints).
 */
export function kubeProxyServices(netns: NetnsKey, graph: RuleGraph): { candidates: ForwardingCandidate[]; claimed: Set<string>; services: KubeService[] } {
  const found = [...kubeProxyIptables(graph), ...kubeProxyNftables(graph)];
  const candidates: ForwardingCandidate[] = [];
  const claimed = new Set<string>();
  const services = new Map<string, KubeService>();
  for (const f of found) {
    const s = f.service;
    const key = serviceKey(netns, s.namespace, s.name, s.port, s.protocol);
    const ref = { key, name: servicePortName(s), access: s.access };
    if (f.entry) candidates.push({ ...f.candidate, source: f.entry, service: ref });
    candidates.push({ ...f.candidate, service: ref });
    claimed.add(ruleId(f.dnatRule));
    let svc = services.get(key);
    if (!svc) {
      svc = { key, netns, namespace: s.namespace, name: s.name, port: s.port, protocol: s.protocol, family: f.candidate.family, proxyMode: s.proxyMode, frontends: [], endpoints: [], forwardedPorts: [] };
      services.set(key, svc);
    }
    const c = f.candidate;
    const frontPort = c.hostPorts?.first ?? null;
    if (!svc.frontends.some((x) => x.access === s.access && x.address === c.hostAddress && x.port === frontPort)) svc.frontends.push({ access: s.access, address: c.hostAddress, port: frontPort });
    const endPort = c.destinationPorts?.first ?? null;
    if (!svc.endpoints.some((x) => x.address === c.destinationAddress && x.port === endPort))
      svc.endpoints.push({ address: c.destinationAddress, port: endPort, netns: null, pod: null, listeners: [] });
  }
  // The kernel dumps map elements in hash order: sorted, a service reads the same every pass.
  const cmp = (a: string | null, b: string | null) => (a ?? "").localeCompare(b ?? "", "en", { numeric: true });
  for (const s of services.values()) {
    s.frontends.sort((a, b) => ACCESS_ORDER.indexOf(a.access) - ACCESS_ORDER.indexOf(b.access) || cmp(a.address, b.address) || (a.port ?? 0) - (b.port ?? 0));
    s.endpoints.sort((a, b) => cmp(a.address, b.address) || (a.port ?? 0) - (b.port ?? 0));
  }
  return { candidates, claimed, services: [...services.values()] };
}

const ACCESS_ORDER: ServiceAccess[] = ["clusterIP", "externalIP", "loadBalancerIP", "external", "nodePort"];
