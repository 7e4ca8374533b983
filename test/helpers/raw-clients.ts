// Clients on a plain TCP socket (node:net), for what browser-style clients cannot do: stop
// reading. pause() stops reading from the kernel, so its receive buffer fills, then the server's
// send buffer, and the server sees a client that does not keep up; resume() reads again.
//   RawWebSocket   RFC 6455 framing, text messages (the server's pings answered; binary refused)
//   RawGraphqlWs   a graphql-ws (graphql-transport-ws) session on it: init, subscribe, messages
//   rawSse         a GraphQL subscription over SSE: the response body, de-chunked, as a stream

import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

export interface RawClose {
  code: number;
  reason: string;
}

export class RawWebSocket {
  readonly #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #handshaken = false;
  #fragments: Buffer[] = [];
  readonly #messages: string[] = [];
  #waiter: (() => void) | null = null;
  #closed: RawClose | null = null;
  /** Bytes received so far (frames and handshake). */
  received = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Connects and upgrades; `url` is ws://host:port/path. */
  static open(url: string, options: { protocol?: string; headers?: Record<string, string> } = {}): Promise<RawWebSocket> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(u.port || 80), u.hostname);
      const ws = new RawWebSocket(socket);
      const fail = (e: Error) => reject(e);
      socket.once("error", fail);
      socket.on("connect", () => {
        const headers = {
          Host: u.host,
          Upgrade: "websocket",
          Connection: "Upgrade",
          "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
          "Sec-WebSocket-Version": "13",
          ...(options.protocol ? { "Sec-WebSocket-Protocol": options.protocol } : {}),
          ...options.headers,
        };
        socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`);
      });
      socket.on("data", (chunk: Buffer) => {
        ws.received += chunk.length;
        ws.#buffer = ws.#buffer.length === 0 ? chunk : Buffer.concat([ws.#buffer, chunk]);
        if (!ws.#handshaken) {
          const end = ws.#buffer.indexOf("\r\n\r\n");
          if (end < 0) return;
          const head = ws.#buffer.subarray(0, end).toString("latin1");
          ws.#buffer = ws.#buffer.subarray(end + 4);
          if (!/^HTTP\/1\.1 101 /.test(head)) {
            socket.destroy();
            return reject(new Error(`websocket upgrade refused: ${head.split("\r\n")[0]}`));
          }
          ws.#handshaken = true;
          socket.off("error", fail);
          resolve(ws);
        }
        ws.#parse();
      });
      socket.on("close", () => {
        ws.#closed ??= { code: 1006, reason: "connection lost" };
        ws.#notify();
      });
      socket.on("error", () => {});
    });
  }

  get closed(): RawClose | null {
    return this.#closed;
  }

  /** Stops reading from the socket: the kernel's buffers fill, then the server's. */
  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  send(text: string): void {
    this.#frame(0x1, Buffer.from(text));
  }

  close(): void {
    this.#socket.destroy();
  }

  /** The next text message; null once the connection closed with none left. Fails after timeoutMs. */
  async next(timeoutMs = 10_000): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.#messages.length === 0) {
      if (this.#closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no websocket message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return this.#messages.shift()!;
  }

  #notify(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  #parse(): void {
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) return;
      const fin = (b[0]! & 0x80) !== 0;
      const opcode = b[0]! & 0x0f;
      let len = b[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + len) return;
      const payload = b.subarray(at, at + len);
      this.#buffer = b.subarray(at + len);
      if (opcode === 0x9) this.#frame(0xa, payload);
      else if (opcode === 0x8) {
        this.#closed = { code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString() };
        this.#socket.end();
      } else if (opcode === 0x1 || opcode === 0x0) {
        this.#fragments.push(Buffer.from(payload));
        if (fin) {
          this.#messages.push(Buffer.concat(this.#fragments).toString("utf8"));
          this.#fragments = [];
        }
      } else if (opcode === 0x2) throw new Error("binary websocket message: not expected here");
      this.#notify();
    }
  }

  /** A client frame: always masked (RFC 6455 5.3). */
  #frame(opcode: number, payload: Buffer): void {
    const mask = randomBytes(4);
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    if (len >= 126 && len < 65536) {
      head[0] = 0x80 | opcode;
      head[1] = 0x80 | 126;
      head.writeUInt16BE(len, 2);
    } else if (len >= 65536) {
      head[0] = 0x80 | opcode;
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
    const body = Buffer.alloc(len);
    for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
    this.#socket.write(Buffer.concat([head, mask, body]));
  }
}

/** A graphql-ws message as received. */
export interface GraphqlWsMessage {
  type: string;
  id?: string;
  payload?: any;
}

/** graphql-ws (graphql-transport-ws) over a RawWebSocket. */
export class RawGraphqlWs {
  private constructor(readonly ws: RawWebSocket) {}

  /** Connects, sends connection_init (with connectionParams) and waits for the ack. */
  static async connect(httpUrl: string, connectionParams?: Record<string, unknown>): Promise<RawGraphqlWs> {
    const ws = await RawWebSocket.open(httpUrl.replace(/^http/, "ws") + "/graphql", { protocol: "graphql-transport-ws" });
    ws.send(JSON.stringify({ type: "connection_init", ...(connectionParams ? { payload: connectionParams } : {}) }));
    const ack = await ws.next();
    if (ack === null || JSON.parse(ack).type !== "connection_ack") throw new Error(`no connection_ack: ${ack ?? JSON.stringify(ws.closed)}`);
    return new RawGraphqlWs(ws);
  }

  subscribe(id: string, query: string, variables?: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
  }

  complete(id: string): void {
    this.ws.send(JSON.stringify({ id, type: "complete" }));
  }

  /** The next message, parsed; null once the connection closed. */
  async next(timeoutMs?: number): Promise<GraphqlWsMessage | null> {
    const text = await this.ws.next(timeoutMs);
    return text === null ? null : (JSON.parse(text) as GraphqlWsMessage);
  }
}

/** A POST of a GraphQL subscription asking for text/event-stream; its body (chunked encoding undone) as a stream. */
export function rawSse(httpUrl: string, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: ReadableStream<Uint8Array>; pause(): void; resume(): void; close(): void }> {
  const u = new URL(httpUrl);
  const payload = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port || 80), u.hostname);
    let buffer: Buffer = Buffer.alloc(0);
    let status = 0;
    let chunked = false;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    const end = () => {
      try {
        controller.close();
      } catch {
        // already closed
      }
    };
    socket.once("error", reject);
    socket.on("connect", () => {
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
      );
    });
    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      if (status === 0) {
        const at = buffer.indexOf("\r\n\r\n");
        if (at < 0) return;
        const head = buffer.subarray(0, at).toString("latin1");
        buffer = buffer.subarray(at + 4);
        status = Number(head.split(" ")[1]);
        chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
        resolve({ status, body, pause: () => socket.pause(), resume: () => socket.resume(), close: () => socket.destroy() });
      }
      if (!chunked) {
        controller.enqueue(new Uint8Array(buffer));
        buffer = Buffer.alloc(0);
        return;
      }
      for (;;) {
        const line = buffer.indexOf("\r\n");
        if (line < 0) return;
        const size = parseInt(buffer.subarray(0, line).toString("latin1"), 16);
        if (size === 0) return end();
        if (buffer.length < line + 2 + size + 2) return;
        controller.enqueue(new Uint8Array(buffer.subarray(line + 2, line + 2 + size)));
        buffer = buffer.subarray(line + 2 + size + 2);
      }
    });
    socket.on("close", end);
    socket.on("error", () => {});
  });
}
