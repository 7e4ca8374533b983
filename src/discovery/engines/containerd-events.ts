// containerd's event stream (Events.Subscribe over gRPC): task and container events of every
// containerd namespace, read as they come, so that a watcher asks containerd again when a task
// starts or exits, or a container is made or removed, instead of waiting for its next full pass.
// The same contract as the Docker event stream (engine-events.ts): open, onEvent, onEnd once.

import type { EngineEvent } from "./engine-events.ts";
import type * as GrpcApi from "./grpc-api.ts";

/** Topics that change what discovery reports: tasks (PID, state, namespace) and containers. */
const TOPICS = /^\/(tasks\/(create|start|exit|delete|paused|resumed|oom)|containers\/(create|update|delete))$/;

interface Envelope {
  namespace: string;
  topic: string;
  event: { type_url: string; value: Buffer } | null;
}

/** The event an envelope describes, or null when it is none we act on (images, snapshots, exec…). */
export function containerdEvent(e: Envelope, decodeMessage: typeof GrpcApi.decodeMessage): EngineEvent | null {
  if (!TOPICS.test(e.topic)) return null;
  let containerId: string | null = null;
  if (e.event && e.event.value.length > 0) {
    try {
      containerId = decodeMessage<{ id: string }>("containerd.services.events.v1.EventSubject", e.event.value).id || null;
    } catch {
      containerId = null; // an event we cannot read still means "ask again"
    }
  }
  return { type: "container", action: e.topic.slice(1), containerId };
}

export class ContainerdEventStream {
  #client: GrpcApi.GrpcUnixClient | null = null;
  #cancel: (() => void) | null = null;
  #closed = false;

  private constructor(socket: string, onEvent: (e: EngineEvent) => void, onEnd: (why: string) => void) {
    // gRPC is loaded on first use (see discover-with-engines.ts), so the stream opens a moment later.
    void import("./grpc-api.ts").then(({ GrpcUnixClient, decodeMessage }) => {
      if (this.#closed) return;
      const client = (this.#client = new GrpcUnixClient(socket));
      this.#cancel = client.stream<Envelope>(
        "containerd.services.events.v1.Events",
        "Subscribe",
        {},
        (m) => {
          const e = this.#closed ? null : containerdEvent(m, decodeMessage);
          if (e) onEvent(e);
        },
        (why) => {
          client.close();
          if (!this.#closed) onEnd(why);
        },
      );
    });
  }

  /** Subscribes to `socket`'s events; `onEnd` is called once when the stream ends, never after close(). */
  static open(socket: string, onEvent: (e: EngineEvent) => void, onEnd: (why: string) => void): ContainerdEventStream {
    return new ContainerdEventStream(socket, onEvent, onEnd);
  }

  close(): void {
    this.#closed = true;
    this.#cancel?.();
    this.#client?.close();
  }
}
