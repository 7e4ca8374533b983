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
//
// In pieces, so that the assembly (discovery/assembly.ts) keeps them up to date per namespace:
// what one namespace and what the top-level lists give a role, and which of a namespace's own
// processes are kept.

import type { ProcessKey } from "./keys.ts";
import type { NetnsReference, NetworkNamespace, Process, Topology } from "./topology.ts";

/** The processes one namespace gives a network role: by key (tenants, socket owners, tun/tap users) and by PID (holders). */
export function rolesIn(ns: NetworkNamespace): { keys: ProcessKey[]; pids: number[] } {
  const keys: ProcessKey[] = [];
  const pids: number[] = [];
  for (const t of ns.tenants) keys.push(t.process);
  for (const s of ns.sockets) keys.push(...s.processes);
  for (const i of ns.interfaces) keys.push(...i.users);
  for (const r of ns.references) if (r.kind === "fd" || r.kind === "thread") pids.push(r.pid);
  return { keys, pids };
}

/** The processes the top-level lists give a network role: proxies, engines, container inits, nested PID namespaces' inits. */
export function rolesInLists(t: Pick<Topology, "forwardedPorts" | "engines" | "containers" | "pidNamespaces">): ProcessKey[] {
  const keys: ProcessKey[] = [];
  for (const f of t.forwardedPorts) for (const s of f.sources) if (s.kind === "proxy") keys.push(s.process);
  for (const e of t.engines) keys.push(e.process);
  for (const c of t.containers) if (c.process !== null) keys.push(c.process);
  // A nested PID namespace's init is a sandbox's first process (a container's, unshare's): it
  // is what the PID namespace is listed by, and it lives as long as the namespace does.
  for (const n of t.pidNamespaces) if (n.level > 0 && n.init !== null) keys.push(n.init);
  return keys;
}

/**
 * Of a namespace's own processes (`members`), those it lists: the ones with a role, or all of
 * them when none has one and its process references are the only way it was found.
 */
export function keptMembers(members: readonly Process[], references: readonly NetnsReference[], hasRole: (p: Process) => boolean): Process[] {
  const kept = members.filter(hasRole);
  if (kept.length === 0 && !references.some((r) => r.kind !== "process")) return [...members];
  return kept;
}
