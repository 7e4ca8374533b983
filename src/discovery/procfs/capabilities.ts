// Effective capabilities of this process, and what their absence hides from discovery
// (design.md: "Unprivileged runs degrade, loudly").

import { readFileSync } from "node:fs";

import { decodeCapabilityMask } from "../../model/capabilities.ts";

export { CAPABILITY_NAMES, decodeCapabilityMask } from "../../model/capabilities.ts";

/** The effective capability set of this process, from the CapEff line of /proc/self/status. */
export function readEffectiveCapabilities(procRoot = "/proc"): Set<string> {
  const status = readFileSync(`${procRoot}/self/status`, "utf8");
  const match = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  if (!match?.[1]) throw new Error(`${procRoot}/self/status has no CapEff line`);
  return decodeCapabilityMask(match[1]);
}

/** What discovery cannot see without each capability it relies on, in this order. */
export const DISCOVERY_CAPABILITIES: readonly { capability: string; consequence: string }[] = [
  {
    capability: "CAP_SYS_ADMIN",
    consequence:
      "cannot setns into other network namespaces: only the own namespace's links, addresses, routes and sockets are discovered",
  },
  {
    capability: "CAP_SYS_PTRACE",
    consequence:
      "cannot read other processes' /proc/PID/ns links, fds or roots: namespaces held by other users' processes, their threads, open fds and bind mounts in their mount namespaces are not seen, nor which process owns which socket",
  },
  {
    capability: "CAP_DAC_READ_SEARCH",
    consequence:
      "cannot read /proc files of other users' processes that are not world-readable (e.g. mountinfo of private processes, /run/netns entries with restrictive modes): some processes and bind-mounted namespaces are missed",
  },
  {
    capability: "CAP_NET_ADMIN",
    consequence:
      "some netlink details are withheld (e.g. certain sock_diag and netfilter dumps, peer netns ids of other namespaces)",
  },
];

/** Which capabilities discovery needs are missing from `caps`, and what is therefore not seen. */
export function missingForDiscovery(caps: Set<string>): { capability: string; consequence: string }[] {
  return DISCOVERY_CAPABILITIES.filter((c) => !caps.has(c.capability)).map((c) => ({ ...c }));
}
