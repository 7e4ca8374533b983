// The fan-out executes each event once per group of subscribers that asked the same thing (same
// document and variables), whatever transport they came by, and every subscriber still gets
// exactly what its own operation selects and filters. A small schema whose resolvers count their
// calls, over the real server; its events are pushed into each subscriber's Channel as one shared
// object (what topologyChanges does with a revision's changes).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Client } from "graphql-ws";
import { createSchema } from "graphql-yoga";
import { Channel } from "../../src/schema/channel.ts";
import { startServer, type RunningServer } from "../../src/server/server.ts";
import { StoreError } from "../../src/store/index.ts";
import { TestLive } from "../helpers/server-harness.ts";
import { sseSubscribe, wsClient, type SseReader } from "./clients.ts";

interface Tick {
  n: number;
}

const calls = { square: 0, label: 0 };
/** Each subscriber's stream and its filter (every n-th tick). */
const streams = new Map<Channel<Tick>, number>();

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query {
      ok: Boolean
    }
    type Subscription {
      ticks(every: Int): Tick!
    }
    type Tick {
      n: Int!
      square: Int!
      label(prefix: String!): String!
      stored: Int
      broken: Int
    }
  `,
  resolvers: {
    Subscription: {
      ticks: {
        subscribe: (_: unknown, args: { every?: number | null }) => {
          const c = new Channel<Tick>();
          streams.set(c, args.every ?? 1);
          c.onClose(() => streams.delete(c));
          return c;
        },
        resolve: (t: Tick) => t,
      },
    },
    Tick: {
      square: (t: Tick) => {
        calls.square++;
        return t.n * t.n;
      },
      label: (t: Tick, args: { prefix: string }) => {
        calls.label++;
        return `${args.prefix}${t.n}`;
      },
      stored: () => {
        throw new StoreError("database or disk is full (history.db): free some space", "DISK_FULL");
      },
      broken: () => {
        throw new Error("a bug's internals");
      },
    },
  },
});
/** One event, the same object for every subscriber whose filter passes it. */
function publish(n: number): void {
  const tick = { n };
  for (const [c, every] of streams) if (n % every === 0) c.push(tick);
}

let server: RunningServer;
beforeAll(async () => {
  const live = new TestLive();
  server = await startServer({ schema, context: { live, baseUrl: "" }, live, listen: "127.0.0.1:0", logging: false });
});
afterAll(() => server?.stop());

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 2000) throw new Error(`${what}: not after 20 s`);
    await Bun.sleep(10);
  }
}

describe("fan-out", () => {
  test("one execution per event per group, across transports; each subscriber gets its own selection and filter", async () => {
    const squares = "subscription { ticks { n square } }";
    const labels = 'subscription { ticks { n label(prefix: "x") } }';
    const evens = "subscription($every: Int) { ticks(every: $every) { n square } }";
    const received = new Map<string, unknown[]>();
    const clients: Client[] = [];
    const subscribeWs = (name: string, query: string, variables?: Record<string, unknown>) => {
      const { client } = wsClient(server.url);
      clients.push(client);
      const got: unknown[] = [];
      received.set(name, got);
      client.subscribe({ query, variables }, { next: (r) => void got.push(r.data), error: (e) => void got.push({ error: e }), complete: () => void got.push("complete") });
    };
    for (let i = 0; i < 8; i++) subscribeWs(`ws-squares-${i}`, squares);
    for (let i = 0; i < 3; i++) subscribeWs(`ws-labels-${i}`, labels);
    for (let i = 0; i < 2; i++) subscribeWs(`ws-evens-${i}`, evens, { every: 2 });
    const sse: SseReader[] = [];
    for (let i = 0; i < 4; i++) sse.push((await sseSubscribe(server.url, squares)).reader);
    await until("17 subscribers", () => streams.size === 17);

    for (let n = 1; n <= 10; n++) publish(n);
    for (const c of [...streams.keys()]) c.close(); // the streams end: every subscriber gets `complete`

    await until("every websocket subscriber complete", () => [...received.values()].every((got) => got.at(-1) === "complete"));
    const ticks = (from: number, f: (n: number) => unknown) => Array.from({ length: 10 }, (_, i) => i + 1).filter((n) => n % from === 0).map((n) => ({ ticks: f(n) }));
    for (const [name, got] of received) {
      if (name.startsWith("ws-squares")) expect(got).toEqual([...ticks(1, (n) => ({ n, square: n * n })), "complete"]);
      if (name.startsWith("ws-labels")) expect(got).toEqual([...ticks(1, (n) => ({ n, label: `x${n}` })), "complete"]);
      if (name.startsWith("ws-evens")) expect(got).toEqual([...ticks(2, (n) => ({ n, square: n * n })), "complete"]);
    }
    for (const reader of sse) {
      const got = [];
      for (let e = await reader.next(); e !== null && e.event === "next"; e = await reader.next()) got.push(JSON.parse(e.data).data);
      expect(got).toEqual(ticks(1, (n) => ({ n, square: n * n })));
      expect(reader.events.at(-1)?.event).toBe("complete");
    }
    // Without sharing: 12 × 10 + 2 × 5 squares and 3 × 10 labels.
    expect(calls).toEqual({ square: 10 + 5, label: 10 });
    for (const c of clients) await c.dispose();
  });

  test("an event's errors reach subscribers as the server masks them: a database failure with its code, a bug as 'Unexpected error.'", async () => {
    const { client } = wsClient(server.url);
    const got: any[] = [];
    const before = streams.size;
    client.subscribe({ query: "subscription { ticks { n stored broken } }" }, { next: (r) => void got.push(r), error: (e) => void got.push({ error: e }), complete: () => {} });
    await until("the subscriber", () => streams.size === before + 1);
    publish(7);
    await until("the event", () => got.length === 1);
    const [stored, broken] = got[0].errors;
    expect(got[0].data).toEqual({ ticks: { n: 7, stored: null, broken: null } });
    expect(stored).toMatchObject({ message: "database or disk is full (history.db): free some space", path: ["ticks", "stored"], extensions: { code: "DISK_FULL" } });
    expect(broken.message).toBe("Unexpected error.");
    expect(JSON.stringify(got[0])).not.toContain("internals");
    await client.dispose();
  });
});
