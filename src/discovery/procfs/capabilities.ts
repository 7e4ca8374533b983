// Effective capabilities of this process, and what their absence hides from discovery
// (design.md: "Unprivileged runs degrade, loudly").

import { readFileSync } from "node:fs";

/** Capability names by bit number (include/uapi/linux/capability.h), 0 … CAP_LAST_CAP = 40. */
export const CAPABILITY_NAMES: readonly string[] = [
  "CAP_CHOWN", // 0
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL", // 5
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE", // 10
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER", // 15
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT", // 20
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME", // 25
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL", // 30
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM", // 35
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE", // 40
];

/** Names of the bits set in a capability mask as printed in /proc/PID/status (hex). Unknown bits: "CAP_<n>". */
export function decodeCapabilityMask(hex: string): Set<string> {
  const mask = BigInt(`0x${hex.trim() || "0"}`);
  const names = new Set<string>();
  for (let bit = 0; bit < 64; bit++) {
    if ((mask >> BigInt(bit)) & 1n) names.add(CAPABILITY_NAMES[bit] ?? `CAP_${bit}`);
  }
  return names;
}

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
