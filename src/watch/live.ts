// The contract between the watch loop and everything that serves its results (schema, alerts,
// server): the latest topology, the revisions it was recorded as, and a stream of what each
// revision changed. Types only, so readers of the live topology never depend on how it is kept
// up to date (and never reach the kernel through it).

import type { Topology } from "../model/topology.ts";
import type { ChangeEvent } from "../store/index.ts";

/** Why a revision was recorded. */
export type RevisionCause =
  /** The first full discovery when the watcher started. */
  | { kind: "start" }
  /** Kernel events (link, address, route, NSID) in these namespaces, which alone were re-read and rebuilt (with the relations of their neighbours). */
  | { kind: "netlink"; namespaces: string[] }
  /** Namespaces appeared or vanished (process exits, bind mounts, new fds). */
  | { kind: "namespaces"; appeared: string[]; vanished: string[] }
  /** The periodic full pass (sockets, processes, containers: what sends no event). */
  | { kind: "periodic" }
  /** A container engine reported events for these containers. */
  | { kind: "engine"; containers: string[] }
  /** Somebody asked (GraphQL `discoverNow`). */
  | { kind: "request" };

/** One recording that changed something: every entity event of one revision, in store order. */
export interface RevisionBatch {
  /** The store's revision; strictly increasing from batch to batch. */
  revision: number;
  /** ISO 8601 time of the discovery this revision records. */
  time: string;
  cause: RevisionCause;
  /** Every event has `revision === this.revision`. Never empty. */
  events: ChangeEvent[];
}

/** How the watcher is doing, for /healthz and the self-alerts. */
export interface WatchStatus {
  /** The watcher's own start, ISO 8601. */
  startedAt: string;
  /** The last discovery (full or partial) that succeeded, ISO 8601; null before the first. */
  lastSuccessAt: string | null;
  /** The last failed discovery or recording, with its message; null when none failed since the last success. */
  lastError: { at: string; message: string } | null;
  /** Failures in a row since the last success. */
  consecutiveFailures: number;
  /** Namespaces with an open event socket. */
  namespacesWatched: number;
  /** The period of the full pass, ms. */
  fullPassEveryMs: number;
}

export interface LiveTopology {
  /** The latest topology and the revision it was recorded as (or equals, when a pass changed nothing). */
  current(): { topology: Topology; revision: number };
  /**
   * Called once per revision that changed something, after it is committed to the store, in
   * revision order. One watcher feeds every subscriber whatever they filter. Returns unsubscribe.
   */
  subscribe(listener: (batch: RevisionBatch) => void): () => void;
  /**
   * A full discovery now; resolves after it is recorded and published, with the last revision it
   * recorded (a full pass may record several: what it found new, then what its re-reads changed,
   * in bounded pieces), or null when nothing changed.
   */
  discoverNow(): Promise<RevisionBatch | null>;
  status(): WatchStatus;
}
