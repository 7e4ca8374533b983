// The leaders of a namespace: the topmost processes attached to it, i.e. members whose parent is
// not a member (it lives in another namespace, has exited, or cannot be seen). These are what a
// user would call the namespace's tenants: the shell `ip netns exec` started, a container's init,
// a daemon that unshared itself — not every worker they forked.

import type { ProcessInfo } from "../procfs/processes.ts";

/** PIDs of the members whose parent is not a member, ascending. */
export function namespaceLeaders(members: Set<number>, processes: Map<number, ProcessInfo>): number[] {
  return [...members].filter((pid) => !members.has(processes.get(pid)?.ppid ?? -1)).sort((a, b) => a - b);
}

/**
 * Oldest first (smallest start time: the likeliest owner of the namespace), then by name, then by
 * PID. The first one is the one flagged `oldest`.
 */
export function compareTenants(a: { startTime: number; comm: string; pid: number }, b: { startTime: number; comm: string; pid: number }): number {
  return a.startTime - b.startTime || (a.comm < b.comm ? -1 : a.comm > b.comm ? 1 : 0) || a.pid - b.pid;
}
