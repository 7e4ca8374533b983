// A LiveTopology for tests of what reads it (schema, server, alerts): it holds a topology and its
// revision, records new topologies into a real Store and publishes the batch each one makes,
// the way the watch loop does. `record(t, { publish: false })` then `publishHeld()` lets a test
// put a revision in the store before subscribers hear of it (the race a replay must survive);
// `setStatus` drives what status() says (failures, stalls) without breaking anything.

import type { Topology } from "../../src/model/topology.ts";
import type { Store } from "../../src/store/index.ts";
import type { LiveTopology, RevisionBatch, RevisionCause, WatchStatus } from "../../src/watch/live.ts";

export class LiveDouble implements LiveTopology {
  private topology: Topology;
  private revision: number;
  private readonly listeners = new Set<(batch: RevisionBatch) => void>();
  private readonly held: RevisionBatch[] = [];
  private state: WatchStatus;
  discoverCalls = 0;

  /** Records `initial` (unless the store already holds a revision for it: pass `revision`). */
  constructor(
    private readonly store: Store,
    initial: Topology,
    private readonly discover: () => Topology | Promise<Topology> = () => {
      throw new Error("this LiveDouble has no discover function");
    },
    revision?: number,
  ) {
    this.topology = initial;
    this.revision = revision ?? store.record(initial).revision;
    this.state = {
      startedAt: initial.discoveredAt,
      lastSuccessAt: initial.discoveredAt,
      lastError: null,
      consecutiveFailures: 0,
      namespacesWatched: initial.namespaces.length,
      fullPassEveryMs: 30_000, // the watcher's default
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

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Records a topology; publishes its batch (unless told to hold it). Null when nothing changed. */
  record(t: Topology, options: { publish?: boolean; cause?: RevisionCause } = {}): RevisionBatch | null {
    const before = this.revision;
    const r = this.store.record(t);
    this.topology = t;
    this.revision = r.revision;
    this.state = { ...this.state, lastSuccessAt: t.discoveredAt, lastError: null, consecutiveFailures: 0, namespacesWatched: t.namespaces.length };
    const events = this.store.changes({ revision: before }, { revision: r.revision });
    if (events.length === 0) return null;
    const batch: RevisionBatch = { revision: r.revision, time: t.discoveredAt, cause: options.cause ?? { kind: "periodic" }, events };
    if (options.publish === false) this.held.push(batch);
    else this.publish(batch);
    return batch;
  }

  /** Publishes the batches recorded with `publish: false`, in order. */
  publishHeld(): void {
    for (const b of this.held.splice(0)) this.publish(b);
  }

  publish(batch: RevisionBatch): void {
    for (const l of [...this.listeners]) l(batch);
  }

  async discoverNow(): Promise<RevisionBatch | null> {
    this.discoverCalls++;
    return this.record(await this.discover(), { cause: { kind: "request" } });
  }

  status(): WatchStatus {
    return { ...this.state };
  }

  /** Sets what status() reports (failures, stalls). */
  setStatus(patch: Partial<WatchStatus>): void {
    this.state = { ...this.state, ...patch };
  }
}
