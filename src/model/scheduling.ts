// Linux scheduling policies (include/uapi/linux/sched.h) by number and by the kernel's name: the
// model says the name, Ghostwire's shape the number.

const POLICIES: Record<number, string> = {
  0: "SCHED_NORMAL",
  1: "SCHED_FIFO",
  2: "SCHED_RR",
  3: "SCHED_BATCH",
  5: "SCHED_IDLE",
  6: "SCHED_DEADLINE",
};

/** "SCHED_NORMAL" for 0 …; a number the kernel may add later stays readable as "SCHED_<n>". */
export function schedPolicyName(policy: number): string {
  return POLICIES[policy] ?? `SCHED_${policy}`;
}

/** The inverse of schedPolicyName; null for a name it did not make. */
export function schedPolicyNumber(name: string): number | null {
  for (const [n, v] of Object.entries(POLICIES)) if (v === name) return Number(n);
  const m = /^SCHED_(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}
