// A topology as wiresight reports and records it: what discovery read, without what changes while
// the network does not. Five recordings of a quiet host record no change.
//   - processes: only those with a part in the network (network-processes.ts), so kernel threads
//     renaming themselves and short-lived commands (the recorder itself) are not changes;
//   - bind mounts: one reference per path (bind-mounts.ts), so mount namespaces coming and going
//     (each `ip netns exec` makes one) are not changes.
// Applied to every topology that leaves discovery (discover(), discoverWithEngines(), the watcher),
// after engines and containers are matched to their processes.

import { oneBindMountPerPath } from "./bind-mounts.ts";
import { keepNetworkProcesses } from "./network-processes.ts";
import type { Topology } from "./topology.ts";

export function withoutNoise(topology: Topology): Topology {
  return oneBindMountPerPath(keepNetworkProcesses(topology));
}
