// The event streams of the container engines that answered (Docker's GET /events, which Podman
// serves too; containerd's Events.Subscribe; CRI-O has none: full passes catch it), followed while they
// answer: an engine that went away has its stream closed, one that appeared gets one, one whose
// stream ended (stopped, restarted) is opened again by a later engine pass — not before
// STREAM_RETRY_MS, so that a broken one cannot spin. Each event, and each end, is reported with
// the container it names, so the watcher can ask the engines again.

import type { EngineResult } from "../discovery/engines/decorate.ts";
import { ContainerdEventStream } from "../discovery/engines/containerd-events.ts";
import { EngineEventStream } from "../discovery/engines/engine-events.ts";
import { containerKey, type EngineKind } from "../model/containers.ts";

/** An engine's event stream that ended is opened again by a pass at least this much later, ms. */
const STREAM_RETRY_MS = 10_000;

export class EngineStreams {
  /** Called with the container an event names (null: an event without one, or the stream ended). */
  readonly #onEvent: (container: string | null) => void;
  /** Open streams, by API socket. */
  readonly #streams = new Map<string, EngineEventStream | ContainerdEventStream>();
  /** When each socket's stream last ended. */
  readonly #ended = new Map<string, number>();
  #closed = false;

  constructor(onEvent: (container: string | null) => void) {
    this.#onEvent = onEvent;
  }

  /** Follows exactly the engines that answered in `results`. */
  follow(results: readonly EngineResult[]): void {
    if (this.#closed) return;
    const wanted = new Map<string, EngineKind>();
    for (const r of results) if (r.apiSocket && r.status === "ok" && r.candidate.kind !== "cri-o") wanted.set(r.apiSocket, r.candidate.kind);
    for (const [socket, stream] of this.#streams)
      if (!wanted.has(socket)) {
        stream.close();
        this.#streams.delete(socket);
      }
    for (const [socket, kind] of wanted) {
      if (this.#streams.has(socket)) continue;
      if (Date.now() - (this.#ended.get(socket) ?? -Infinity) < STREAM_RETRY_MS) continue; // a later pass retries
      const stream = (kind === "containerd" ? ContainerdEventStream : EngineEventStream).open(
        socket,
        (e) => this.#onEvent(e.containerId ? containerKey(kind, e.containerId) : null),
        () => {
          // The engine stopped or restarted: ask again (a restarted one gets a new stream).
          if (this.#streams.get(socket) === stream) this.#streams.delete(socket);
          this.#ended.set(socket, Date.now());
          this.#onEvent(null);
        },
      );
      this.#streams.set(socket, stream);
    }
  }

  close(): void {
    this.#closed = true;
    for (const stream of this.#streams.values()) stream.close();
    this.#streams.clear();
  }
}
