// The map's only way to the server: GraphQL queries over HTTP (same origin, JSON POSTs, as the
// request guard wants) and subscriptions over graphql-ws on the same path. A subscription that
// breaks (server restart, network, a ping not answered in time) is started again after a pause
// from the last revision (or alert sequence) it delivered, so nothing is missed or seen twice;
// the map shows a banner meanwhile.

import { createClient, type Client } from "graphql-ws";
import { authorization } from "./token.ts";

const ENDPOINT = "/graphql";

/** The server wants a token (or another one). */
export class Unauthorized extends Error {
  override name = "Unauthorized";
}

/** The server answered with GraphQL errors. */
export class GraphqlError extends Error {
  override name = "GraphqlError";
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface GraphqlAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function query<T>(document: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
  const auth = authorization();
  if (auth) headers.authorization = auth;
  const res = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query: document, variables }), signal });
  if (res.status === 401) throw new Unauthorized("the server wants a token");
  const body = (await res.json()) as GraphqlAnswer<T>;
  if (body.errors?.length) throw new GraphqlError(body.errors.map((e) => e.message).join("; "), body.errors[0]!.extensions?.code);
  if (!body.data) throw new GraphqlError(`HTTP ${res.status} without data`, undefined);
  return body.data;
}

export type LinkState = { kind: "connected" } | { kind: "reconnecting"; retryInMs: number; reason: string } | { kind: "unauthorized" };

/** graphql-ws's close code for a refused connection (connectionParams without the right token). */
const FORBIDDEN = 4403;
const PONG_TIMEOUT_MS = 5_000;
const KEEP_ALIVE_MS = 10_000;
const RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000];

/** One websocket for every subscription of the page. */
export class Subscriptions {
  readonly #client: Client;
  readonly #listeners = new Set<(s: LinkState) => void>();
  #forbidden = false;

  constructor() {
    let pongTimer: ReturnType<typeof setTimeout> | undefined;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${ENDPOINT}`;
    this.#client = createClient({
      url,
      lazy: true,
      retryAttempts: 0, // we resubscribe ourselves, with the last revision we saw
      keepAlive: KEEP_ALIVE_MS,
      connectionParams: () => {
        const auth = authorization();
        return auth ? { Authorization: auth } : {};
      },
      on: {
        connected: () => {
          this.#forbidden = false;
          this.#emit({ kind: "connected" });
        },
        ping: (received) => {
          if (!received) pongTimer = setTimeout(() => this.#client.terminate(), PONG_TIMEOUT_MS);
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
        closed: (event) => {
          clearTimeout(pongTimer);
          if ((event as CloseEvent | undefined)?.code === FORBIDDEN) {
            this.#forbidden = true;
            this.#emit({ kind: "unauthorized" });
          }
        },
      },
    });
  }

  onState(listener: (s: LinkState) => void): void {
    this.#listeners.add(listener);
  }

  #emit(s: LinkState): void {
    for (const l of this.#listeners) l(s);
  }

  /**
   * Keeps `document` subscribed: `variables(cursor)` builds its variables from the last cursor
   * seen (`cursorOf` of the last event; `initial` at first), so a broken subscription resumes
   * where it stopped. Returns a function that ends it.
   */
  resumable<T>(document: string, o: { initial: number | null; variables: (cursor: number | null) => Record<string, unknown>; cursorOf: (event: T) => number; next: (event: T) => void }): () => void {
    let cursor = o.initial;
    let stopped = false;
    let attempt = 0;
    let dispose: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const start = () => {
      if (stopped) return;
      dispose = this.#client.subscribe<T>(
        { query: document, variables: o.variables(cursor) },
        {
          next: (value) => {
            attempt = 0;
            if (value.errors?.length) return broken(value.errors.map((e) => e.message).join("; "));
            const event = value.data as T;
            cursor = o.cursorOf(event);
            o.next(event);
          },
          error: (e) => broken(e instanceof Error ? e.message : (e as CloseEvent)?.reason || "connection closed"),
          complete: () => broken("the server ended the subscription"),
        },
      );
    };
    const broken = (reason: string) => {
      dispose?.();
      if (stopped) return;
      if (this.#forbidden) {
        timer = setTimeout(start, RETRY_MS.at(-1)!); // the token dialog saves a new token meanwhile
        return;
      }
      const retryInMs = RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]!;
      this.#emit({ kind: "reconnecting", retryInMs, reason });
      timer = setTimeout(start, retryInMs);
    };
    start();
    return () => {
      stopped = true;
      clearTimeout(timer);
      dispose?.();
    };
  }

  /** Closes the socket now (a new token: reconnect with it). */
  restart(): void {
    this.#client.terminate();
  }
}
