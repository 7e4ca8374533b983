// Linux capabilities by name and bit: the kernel reports sets as hex masks (/proc/PID/status), we
// show and store names, and Ghostwire's format wants the mask back. Pure, so discovery (decoding)
// and the compatibility export (encoding) share one table.

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

/** The mask of a set of names, as /proc prints it (16 hex digits); "CAP_<n>" names bit n. Unknown names throw. */
export function encodeCapabilityMask(names: Iterable<string>): string {
  let mask = 0n;
  for (const name of names) {
    let bit = CAPABILITY_NAMES.indexOf(name);
    if (bit < 0) {
      const m = /^CAP_(\d+)$/.exec(name);
      if (!m || Number(m[1]) > 63) throw new Error(`unknown capability ${name}`);
      bit = Number(m[1]);
    }
    mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, "0");
}
