// A short name for a namespace, for headers and lists: what a user would call it. A bind mount
// under /run/netns is what `ip netns` calls it; otherwise its tenants (the topmost processes
// attached to it, oldest first, then by name — see tenants/leaders.ts); otherwise another bind
// mount path; otherwise how it is kept alive.
//
// Container tenants, once engines are discovered, will name a namespace by the container ahead
// of everything else: a tenant's `kind` is where that rule plugs in.

import type { NetnsReference } from "../model/topology.ts";
import type { Tenant } from "../model/tenants.ts";
import type { ProcessInfo } from "./procfs/processes.ts";

const MAX_NAMES = 3;

export function namespaceDisplayName(
  initial: boolean,
  refs: NetnsReference[],
  tenants: Pick<Tenant, "kind" | "comm">[],
  processes: Map<number, ProcessInfo>,
): string {
  const mounts = refs.filter((r) => r.kind === "bindmount").map((r) => r.path);
  const ipNetns = mounts.find((p) => p.startsWith("/run/netns/") || p.startsWith("/var/run/netns/"));
  if (ipNetns) return ipNetns.slice(ipNetns.lastIndexOf("/") + 1);

  // The initial namespace holds the whole host: its tenants would be a list of daemons.
  if (initial) return "initial";
  const unique = [...new Set(tenants.map((t) => t.comm))];
  if (unique.length > 0) {
    const shown = unique.slice(0, MAX_NAMES).join(", ");
    const more = unique.length > MAX_NAMES ? ` +${unique.length - MAX_NAMES}` : "";
    return shown + more;
  }
  if (mounts[0]) return mounts[0];
  for (const r of refs) {
    if (r.kind === "fd") return `fd ${r.fd} of ${processes.get(r.pid)?.comm ?? "pid"} (${r.pid})`;
    if (r.kind === "thread") return `thread ${r.tid} of ${processes.get(r.pid)?.comm ?? "pid"} (${r.pid})`;
  }
  return "unnamed";
}
