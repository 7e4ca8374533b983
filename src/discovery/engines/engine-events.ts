// A container engine's event stream (Docker Engine API `GET /events`, which Podman's compatible
// API serves too): one long-lived response of newline-delimited JSON objects, read as they come.
// Only container and network events that change what discovery reports are passed on; exec_*
// events (health checks run one every few seconds) and the like are not.

/** One event that may change a container's namespace, state, name or networks. */
export interface EngineEvent {
  type: "container" | "network";
  action: string;
  /** The container's id (for network events: Actor.Attributes.container, when given). */
  containerId: string | null;
}

/** Container actions that change what discovery reports (state, name, namespace, networks). */
const CONTAINER_ACTIONS = new Set(["create", "start", "restart", "die", "stop", "kill", "pause", "unpause", "rename", "destroy", "update", "died", "remove", "cleanup"]);
/** Network actions: a container attached or detached, a network made or removed (bridge decorations). */
const NETWORK_ACTIONS = new Set(["connect", "disconnect", "create", "destroy", "remove"]);

const FILTERS = encodeURIComponent(JSON.stringify({ type: ["container", "network"] }));

/** The event an engine's JSON line describes, or null when it is none we act on (or not JSON at all). */
export function parseEngineEvent(line: string): EngineEvent | null {
  let e: unknown;
  try {
    e = JSON.parse(line);
  } catch {
    return null;
  }
  if (e === null || typeof e !== "object") return null;
  const r = e as Record<string, unknown>;
  const type = r.Type ?? r.type;
  // Docker sends "health_status: healthy" style actions; the part before ':' is the action.
  const action = typeof (r.Action ?? r.status) === "string" ? String(r.Action ?? r.status).split(":")[0]!.trim() : "";
  const actor = (r.Actor ?? {}) as { ID?: unknown; Attributes?: Record<string, unknown> };
  if (type === "container" && CONTAINER_ACTIONS.has(action)) {
    const id = typeof actor.ID === "string" ? actor.ID : typeof r.id === "string" ? r.id : null;
    return { type, action, containerId: id };
  }
  if (type === "network" && NETWORK_ACTIONS.has(action)) {
    const c = actor.Attributes?.container;
    return { type, action, containerId: typeof c === "string" ? c : null };
  }
  return null;
}

export class EngineEventStream {
  readonly #abort = new AbortController();
  #closed = false;

  private constructor(
    readonly socket: string,
    onEvent: (e: EngineEvent) => void,
    onEnd: (why: string) => void,
  ) {
    void this.#read(onEvent, onEnd);
  }

  /**
   * Starts reading `socket`'s event stream. `onEvent` gets each relevant event; `onEnd` is called
   * once when the stream ends or fails (the engine stopped or restarted), never after close().
   */
  static open(socket: string, onEvent: (e: EngineEvent) => void, onEnd: (why: string) => void): EngineEventStream {
    return new EngineEventStream(socket, onEvent, onEnd);
  }

  close(): void {
    this.#closed = true;
    this.#abort.abort();
  }

  async #read(onEvent: (e: EngineEvent) => void, onEnd: (why: string) => void): Promise<void> {
    let why = "the engine closed its event stream";
    try {
      const res = await fetch(`http://localhost/events?filters=${FILTERS}`, { unix: this.socket, signal: this.#abort.signal });
      if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          const e = line === "" ? null : parseEngineEvent(line);
          if (e && !this.#closed) onEvent(e);
        }
        // A line that never ends is not an event stream: do not buffer without bound.
        if (buffer.length > 1 << 20) throw new Error("an event line longer than 1 MiB");
      }
    } catch (err) {
      why = `${this.socket} GET /events: ${(err as Error).message}`;
    }
    if (!this.#closed) onEnd(why);
  }
}
