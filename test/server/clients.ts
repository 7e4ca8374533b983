// Clients for the server tests: graphql-ws over Bun's WebSocket (with or without an
// Authorization header on the upgrade), and a raw SSE reader on fetch.

import { serverAudits } from "graphql-http";
import { createClient, type Client } from "graphql-ws";

export function wsUrl(httpUrl: string, path = "/graphql"): string {
  return httpUrl.replace(/^http/, "ws") + path;
}

/** Bun's WebSocket, sending `headers` on the upgrade (a browser cannot; Bun can). */
function webSocketWith(headers: Record<string, string>): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, { protocols, headers } as unknown as string[]);
    }
  } as typeof WebSocket;
}

export interface WsClientOptions {
  headers?: Record<string, string>;
  connectionParams?: Record<string, unknown>;
}

/** A graphql-ws client that connects at once, never retries, and records how it closed. */
export function wsClient(baseUrl: string, opts: WsClientOptions = {}): { client: Client; closed: Promise<{ code: number; reason: string }> } {
  let onClosed!: (e: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClosed = r));
  const client = createClient({
    url: wsUrl(baseUrl),
    webSocketImpl: webSocketWith(opts.headers ?? {}),
    connectionParams: opts.connectionParams,
    lazy: false,
    retryAttempts: 0,
    shouldRetry: () => false,
    onNonLazyError: () => {},
    on: { closed: (e) => onClosed({ code: (e as CloseEvent).code, reason: (e as CloseEvent).reason }) },
  });
  return { client, closed };
}

/** One query or mutation over graphql-ws; resolves with the single result. */
export async function wsQuery(client: Client, query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }> {
  const it = client.iterate({ query, variables });
  try {
    const r = await it.next();
    return r.value as { data?: any; errors?: any[] };
  } finally {
    await it.return?.();
  }
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Parses a text/event-stream body into events (comments, i.e. keep-alive pings, skipped). */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";
  readonly events: SseEvent[] = [];
  pings = 0;

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** The next event, or null when the stream ended. */
  async next(): Promise<SseEvent | null> {
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        let event = "message";
        const data: string[] = [];
        let comment = true;
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          comment = false;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event = value;
          else if (field === "data") data.push(value);
        }
        if (comment) {
          this.pings++;
          continue;
        }
        const e = { event, data: data.join("\n") };
        this.events.push(e);
        return e;
      }
      const r = await this.#reader.read();
      if (r.done) return null;
      this.#buffer += this.#decoder.decode(r.value, { stream: true });
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/** Opens an SSE subscription (GraphQL over SSE, "distinct connections" mode, as yoga and GraphiQL use it). */
export async function sseSubscribe(baseUrl: string, query: string, headers: Record<string, string> = {}): Promise<{ response: Response; reader: SseReader }> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
    body: JSON.stringify({ query }),
  });
  if (!response.body) throw new Error(`no body (${response.status})`);
  return { response, reader: new SseReader(response.body) };
}

/** graphql-http's server audit suite against `url` (with a bearer token, if given): the failures, as readable lines. */
export async function failedAudits(url: string, token?: string): Promise<{ count: number; failed: string[] }> {
  const fetchFn = (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  const audits = serverAudits({ url, fetchFn });
  const failed: string[] = [];
  for (const audit of audits) {
    const r = await audit.fn();
    if (r.status !== "ok") failed.push(`${r.status} ${r.name}: ${r.reason}`);
  }
  return { count: audits.length, failed };
}
