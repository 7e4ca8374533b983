// All forwarded ports of one discovery: DNAT rules of every namespace, docker-proxy processes
// (in the namespace they run in), merged without duplicates, ordered by namespace then key.

import type { ForwardedPort } from "../../model/forwarded-ports.ts";
import type { NetnsKey } from "../../model/keys.ts";
import type { Process } from "../../model/topology.ts";
import type { NftRule } from "../../netlink/index.ts";
import { forwardingFromProxy } from "./docker-proxy.ts";
import { mergeForwardings } from "./merge.ts";
import { forwardingFromRule, type ForwardingCandidate } from "./nat-rules.ts";

export function findForwardedPorts(
  rulesets: { netns: NetnsKey; rules: NftRule[] }[],
  processes: Process[],
  warn: (subject: string, message: string) => void,
): ForwardedPort[] {
  const found: { netns: NetnsKey; candidate: ForwardingCandidate }[] = [];
  for (const { netns, rules } of rulesets) {
    for (const rule of rules) {
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
  return mergeForwardings(found);
}
