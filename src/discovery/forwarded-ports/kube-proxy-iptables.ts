// kube-proxy in iptables mode (through iptables-nft): its `nat` table has one rule per service
// frontend in KUBE-SERVICES (`-d CLUSTER-IP --dport PORT`, commented "ns/name:port cluster IP",
// "... external IP", "... loadbalancer IP") and per NodePort in KUBE-NODEPORTS (`--dport
// NODEPORT`, commented "ns/name:port"), each jumping to the service's chains (KUBE-SVC-*,
// KUBE-EXT-*, KUBE-FW-*, KUBE-SVL-*) that end in one KUBE-SEP-* chain per endpoint with its DNAT.
// Each frontend × endpoint becomes a forwarding named after the service.

import { NFPROTO_IPV4, NFPROTO_IPV6 } from "../../netlink/index.ts";
import type { ServiceAccess } from "../../model/kube-services.ts";
import { dnatTarget, ruleSource } from "./nat-rules.ts";
import { ruleComment, type RuleGraph } from "./rule-graph.ts";
import type { KubeProxyForwarding } from "./kube-proxy.ts";

const ACCESS: Record<string, ServiceAccess> = { "cluster IP": "clusterIP", "external IP": "externalIP", "loadbalancer IP": "loadBalancerIP" };
/** "ns/name:port cluster IP" (the port part absent for an unnamed port). */
const FRONTEND = /^([^/\s]+)\/([^\s:]+)(?::(\S+))? (cluster IP|external IP|loadbalancer IP)$/;
/** "ns/name:port" */
const NODEPORT = /^([^/\s]+)\/([^\s:]+)(?::(\S+))?$/;

export function kubeProxyIptables(graph: RuleGraph): KubeProxyForwarding[] {
  const out: KubeProxyForwarding[] = [];
  for (const family of [NFPROTO_IPV4, NFPROTO_IPV6]) {
    for (const [chain, pattern] of [["KUBE-SERVICES", FRONTEND], ["KUBE-NODEPORTS", NODEPORT]] as const) {
      for (const entry of graph.chain(family, "nat", chain)) {
        const m = pattern.exec(ruleComment(entry.rule) ?? "");
        const target = entry.reading.jumps[0];
        if (!m || target === undefined) continue;
        const access = chain === "KUBE-NODEPORTS" ? "nodePort" : ACCESS[m[4]!]!;
        for (const { rule, reading } of graph.dnatsFrom(family, "nat", target)) {
          const protocol = entry.reading.protocol ?? reading.protocol;
          out.push({
            candidate: {
              ...dnatTarget({ ...entry.reading, protocol }, reading.dnat),
              hostAddress: access === "nodePort" ? null : entry.reading.hostAddress,
              hostPorts: entry.reading.ports,
              source: ruleSource(rule, reading.dnat.form, "kube-proxy"),
            },
            entry: ruleSource(entry.rule, reading.dnat.form, "kube-proxy"),
            service: { namespace: m[1]!, name: m[2]!, port: m[3] ?? "", protocol: protocol ?? "tcp", access, proxyMode: "iptables" },
            dnatRule: rule,
          });
        }
      }
    }
  }
  return out;
}
