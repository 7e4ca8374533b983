// A LiveTopology for the alert tests: no watcher, the test hands it topologies (discovered from a
// lab, or hand-made). Each one is recorded in a real Store and published as the watcher would:
// a batch of the store's own change events for that revision, after the commit. The status is
// whatever the test sets, so the health self-alert can be driven without breaking discovery.

import type { Topology } from "../../src/model/topology.ts";
import type { Store } from "../../src/store/index.ts";
import type { LiveTopology, RevisionBatch, RevisionCause, WatchStatus } from "../../src/watch/live.ts";

export class LiveForAlerts implements LiveTopology {
  private topology: Topology;
  private revision: number;
  private readonly listeners = new Set<(batch: RevisionBatch) => void>();
  private state: WatchStatus;

  /** Records `first` as the starting revision (as the watcher's first full discovery). */
  constructor(
    private readonly store: Store,
    first: Topology,
    private readonly discover?: () => Topology,
  ) {
    this.topology = first;
    this.revision = store.record(first).revision;
    this.state = {
      startedAt: first.discoveredAt,
      lastSuccessAt: first.discoveredAt,
      lastError: null,
      consecutiveFailures: 0,
      namespacesWatched: first.namespaces.length,
      fullPassEveryMs: 30_000,
    };
  }

  current(): { topology: Topology; revision: number } {
    return { topology: this.topology, revision: this.revision };
  }

  subscribe(listener: (batch: RevisionBatch) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Records a new topology; publishes its batch (null when nothing changed, as the watcher does). */
  push(t: Topology, cause: RevisionCause = { kind: "request" }): RevisionBatch | null {
    const before = this.revision;
    const r = this.store.record(t);
    this.topology = t;
    this.revision = r.revision;
    this.state = { ...this.state, lastSuccessAt: t.discoveredAt, lastError: null, consecutiveFailures: 0 };
    const events = this.store.changes({ revision: before }, { revision: r.revision });
    if (events.length === 0) return null;
    const batch: RevisionBatch = { revision: r.revision, time: t.discoveredAt, cause, events };
    for (const l of this.listeners) l(batch);
    return batch;
  }

  async discoverNow(): Promise<RevisionBatch | null> {
    if (!this.discover) throw new Error("this test's live topology has no discover function");
    return this.push(this.discover(), { kind: "request" });
  }

  status(): WatchStatus {
    return { ...this.state };
  }

  /** Sets what status() reports (failures, stalls). */
  setStatus(patch: Partial<WatchStatus>): void {
    this.state = { ...this.state, ...patch };
  }

  subscribers(): number {
    return this.listeners.size;
  }
}
