// A short name for a namespace, for headers and lists: what a user would call it. A bind mount
// under /run/netns is what `ip netns` calls it; otherwise the processes at the top of the
// namespace (those whose parent lives elsewhere); otherwise how it is kept alive.

import type { NetnsReference } from "../model/topology.ts";
import type { ProcessInfo } from "./procfs/processes.ts";

const MAX_LEADERS = 3;

export function namespaceDisplayName(
  initial: boolean,
  refs: NetnsReference[],
  members: Set<number>,
  processes: Map<number, ProcessInfo>,
): string {
  const mounts = refs.filter((r) => r.kind === "bindmount").map((r) => r.path);
  const ipNetns = mounts.find((p) => p.startsWith("/run/netns/") || p.startsWith("/var/run/netns/"));
  if (ipNetns) return ipNetns.slice(ipNetns.lastIndexOf("/") + 1);

  // The initial namespace holds the whole host: its "leaders" would be a list of daemons.
  if (initial) return "initial";
  const leaders = [...members]
    .filter((pid) => !members.has(processes.get(pid)?.ppid ?? -1))
    .sort((a, b) => a - b)
    .map((pid) => processes.get(pid)?.comm ?? String(pid));
  const unique = [...new Set(leaders)];
  if (unique.length > 0) {
    const shown = unique.slice(0, MAX_LEADERS).join(", ");
    const more = unique.length > MAX_LEADERS ? ` +${unique.length - MAX_LEADERS}` : "";
    return shown + more;
  }
  if (mounts[0]) return mounts[0];
  for (const r of refs) {
    if (r.kind === "fd") return `fd ${r.fd} of ${processes.get(r.pid)?.comm ?? "pid"} (${r.pid})`;
    if (r.kind === "thread") return `thread ${r.tid} of ${processes.get(r.pid)?.comm ?? "pid"} (${r.pid})`;
  }
  return "unnamed";
}
