// One bind-mount reference per path. Discovery reads the nsfs mounts of every mount namespace, and
// a mount under /run/netns propagates into every mount namespace made after it: each
// `ip netns exec`, each container or service with its own mount namespace sees it again, as one
// more reference (`viaPid`: a process of that mount namespace). Those come and go with the
// processes, and with them the namespace's history would change, while where the namespace is
// mounted did not. So each path keeps the reference of the lowest `viaPid`: the initial mount
// namespace's (pid 1's, or kthreadd's) when it sees the mount, else the longest-lived view of it.

import type { NetnsReference } from "./topology.ts";

/** A namespace's references with all but one bind-mount reference per path dropped (a new list when any is). */
export function oneBindMountPerPath(references: NetnsReference[]): NetnsReference[] {
  const first = new Map<string, number>(); // path → lowest viaPid
  let mounts = 0;
  for (const r of references)
    if (r.kind === "bindmount") {
      mounts++;
      if ((first.get(r.path) ?? Infinity) > r.viaPid) first.set(r.path, r.viaPid);
    }
  if (first.size === mounts) return references;
  // A process is in one mount namespace: (path, viaPid) is one reference.
  return references.filter((r) => r.kind !== "bindmount" || first.get(r.path) === r.viaPid);
}
