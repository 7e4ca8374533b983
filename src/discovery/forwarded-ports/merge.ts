// One forwarded port per distinct forwarding: the DNAT rule Docker writes and the docker-proxy it
// starts for the same published port are the same forwarding, found twice. Forwardings merge when
// namespace, protocol, host address, host ports and destination agree; an unspecified host
// address (no `ip daddr` match, -host-ip 0.0.0.0 or ::) is the same "any" for both.

import { forwardedPortKey, type ForwardedPort } from "../../model/forwarded-ports.ts";
import type { NetnsKey } from "../../model/keys.ts";
import type { ForwardingCandidate } from "./nat-rules.ts";

export function mergeForwardings(found: { netns: NetnsKey; candidate: ForwardingCandidate }[]): ForwardedPort[] {
  const byKey = new Map<string, ForwardedPort>();
  for (const { netns, candidate: c } of found) {
    const base = {
      netns,
      family: c.family,
      protocol: c.protocol,
      hostAddress: c.hostAddress,
      hostPorts: c.hostPorts,
      destinationAddress: c.destinationAddress,
      destinationAddressLast: c.destinationAddressLast,
      destinationPorts: c.destinationPorts,
    };
    const key = forwardedPortKey(base);
    let port = byKey.get(key);
    if (!port) {
      port = { key, ...base, engine: null, destinationNetns: null, destinationInterface: null, listeners: [], sources: [], service: null };
      byKey.set(key, port);
    }
    port.sources.push(c.source);
    port.engine ??= c.source.engine;
    port.service ??= c.service ?? null;
  }
  for (const p of byKey.values()) p.sources.sort((a, b) => rank(a) - rank(b) || (a.kind === "nft-rule" && b.kind === "nft-rule" ? cmpRule(a, b) : 0) || (a.kind === "proxy" && b.kind === "proxy" ? a.pid - b.pid : 0));
  return [...byKey.values()];
}

const rank = (s: ForwardedPort["sources"][number]) => (s.kind === "nft-rule" ? 0 : 1);
const cmpRule = (a: { family: string; table: string; chain: string; handle: number }, b: typeof a) =>
  a.family.localeCompare(b.family) || a.table.localeCompare(b.table) || a.chain.localeCompare(b.chain) || a.handle - b.handle;
