// All forwarded ports of one discovery: DNAT rules of every namespace (kube-proxy's services read
// as a whole, see kube-proxy.ts), docker-proxy processes (in the namespace they run in), merged
// without duplicates, ordered by namespace then key; and kube-proxy's services.

import type { ForwardedPort } from "../../model/forwarded-ports.ts";
import type { NetnsKey } from "../../model/keys.ts";
import type { KubeService } from "../../model/kube-services.ts";
import type { Process } from "../../model/topology.ts";
import type { NftRule } from "../../netlink/index.ts";
import { forwardingFromProxy } from "./docker-proxy.ts";
import { kubeProxyServices, ruleId } from "./kube-proxy.ts";
import { mergeForwardings } from "./merge.ts";
import { forwardingFromRule, type ForwardingCandidate } from "./nat-rules.ts";
import { RuleGraph, type NftSetWithElements } from "./rule-graph.ts";

export function findForwardedPorts(
  rulesets: { netns: NetnsKey; rules: NftRule[]; sets: NftSetWithElements[] }[],
  processes: Process[],
  warn: (subject: string, message: string) => void,
): { forwardedPorts: ForwardedPort[]; services: KubeService[] } {
  const found: { netns: NetnsKey; candidate: ForwardingCandidate }[] = [];
  const services: KubeService[] = [];
  for (const { netns, rules, sets } of rulesets) {
    const kube = kubeProxyServices(netns, new RuleGraph(rules, sets));
    for (const candidate of kube.candidates) found.push({ netns, candidate });
    services.push(...kube.services);
    for (const rule of rules) {
      if (kube.claimed.has(ruleId(rule))) continue;
      const candidate = forwardingFromRule(rule);
      if (candidate) found.push({ netns, candidate });
    }
  }
  for (const p of processes) {
    const candidate = forwardingFromProxy(p, (m) => warn(p.key, m));
    if (!candidate) continue;
    if (p.netns === null) {
      warn(p.key, `docker-proxy pid ${p.pid}: its network namespace is unknown, forwarding skipped`);
      continue;
    }
    found.push({ netns: p.netns, candidate });
  }
  const forwardedPorts = mergeForwardings(found);
  const byService = new Map<string, string[]>();
  for (const p of forwardedPorts) if (p.service) byService.set(p.service.key, [...(byService.get(p.service.key) ?? []), p.key]);
  for (const s of services) s.forwardedPorts = byService.get(s.key) ?? [];
  return { forwardedPorts, services };
}
