// The processes that matter to the network, and only those, in a Topology. A host runs hundreds
// of processes that never touch it: kernel threads (which rename themselves as their work
// changes: kworker/0:1-mm_percpu_wq → kworker/0:1-events), shells, cron jobs, the `wiresight
// record` taking the recording. Listing them made every recording of a quiet host a change. A
// process is kept when it has a part in the network:
//   - a tenant of a namespace (its topmost process: a container's init, what `ip netns exec` ran),
//   - the owner of a socket (an fd on it),
//   - a user of a tun/tap device,
//   - a forwarded port's proxy (docker-proxy), a container engine, a container's init,
//   - a holder of a namespace (an fd on it, or a thread in another namespace than its own),
//   - the init of a nested PID namespace (a sandbox's first process).
// Everything a Topology says about processes follows: the namespaces' `processes` and their
// `process` references list kept processes only, so nothing points at a process that is not
// listed. A namespace is never left without a way it was found: if none of its processes were
// kept (its tenants could not be read), its process references and their processes stay.

import type { ProcessKey } from "./keys.ts";
import type { Process, Topology } from "./topology.ts";

/** Narrows `topology.processes` (and what lists them) to the processes with a network role. Changes `topology` in place. */
export function keepNetworkProcesses(topology: Topology): Topology {
  const keys = new Set<ProcessKey>();
  const pids = new Set<number>();
  for (const ns of topology.namespaces) {
    for (const t of ns.tenants) keys.add(t.process);
    for (const s of ns.sockets) for (const p of s.processes) keys.add(p);
    for (const i of ns.interfaces) for (const p of i.users) keys.add(p);
    for (const r of ns.references) if (r.kind === "fd" || r.kind === "thread") pids.add(r.pid);
  }
  for (const f of topology.forwardedPorts) for (const s of f.sources) if (s.kind === "proxy") keys.add(s.process);
  for (const e of topology.engines) keys.add(e.process);
  for (const c of topology.containers) if (c.process !== null) keys.add(c.process);
  // A nested PID namespace's init is a sandbox's first process (a container's, unshare's): it
  // is what the PID namespace is listed by, and it lives as long as the namespace does.
  for (const n of topology.pidNamespaces) if (n.level > 0 && n.init !== null) keys.add(n.init);

  const keep = (p: { key: ProcessKey; pid: number }) => keys.has(p.key) || pids.has(p.pid);
  // A namespace whose processes would all go (its tenants could not be read) keeps them: they
  // are how it was found.
  const members = new Map<string, Process[]>();
  for (const p of topology.processes) {
    if (p.netns === null) continue;
    const list = members.get(p.netns);
    if (list) list.push(p);
    else members.set(p.netns, [p]);
  }
  for (const ns of topology.namespaces) {
    const own = members.get(ns.key) ?? [];
    if (!own.some(keep) && !ns.references.some((r) => r.kind !== "process")) for (const p of own) keys.add(p.key);
  }
  const kept = topology.processes.filter(keep);
  const keptKeys = new Set(kept.map((p) => p.key));
  const keptPids = new Set(kept.map((p) => p.pid));
  topology.processes = kept;
  for (const ns of topology.namespaces) {
    ns.processes = ns.processes.filter((k) => keptKeys.has(k));
    ns.references = ns.references.filter((r) => r.kind !== "process" || keptPids.has(r.pid));
  }
  topology.stats.processes = kept.length;
  return topology;
}
