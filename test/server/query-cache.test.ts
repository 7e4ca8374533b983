// Identical queries against one live topology are executed once: later ones, and those arriving
// while the first runs, get its answer; a new topology (the watcher's next pass) ends that. A
// query that reads anything besides the live topology (the history, the watcher's status), has
// errors, or is a mutation runs every time. A small schema whose resolvers count their calls,
// over the real server and a live topology from real discoveries.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GraphQLError } from "graphql";
import { createSchema } from "graphql-yoga";
import { startServer, type RunningServer } from "../../src/server/server.ts";
import { TestLive } from "../helpers/server-harness.ts";

interface Ctx {
  live: TestLive;
  history: { revisions: number };
  baseUrl: string;
}

const calls = { revision: 0, namespaces: 0, history: 0, status: 0, fails: 0, bump: 0, gated: 0 };
/** What `gated` waits for before it answers (so a test can hold a query in flight). */
let gate: Promise<void> = Promise.resolve();

const schema = createSchema<Ctx>({
  typeDefs: /* GraphQL */ `
    type Query {
      revision: Int!
      namespaces(first: Int): [String!]!
      history: Int!
      status: String!
      fails: Int
      gated: Int!
    }
    type Mutation {
      bump: Int!
    }
  `,
  resolvers: {
    Query: {
      revision: (_: unknown, __: unknown, ctx: Ctx) => (calls.revision++, ctx.live.current().revision),
      namespaces: (_: unknown, a: { first?: number | null }, ctx: Ctx) => (calls.namespaces++, ctx.live.current().topology.namespaces.slice(0, a.first ?? undefined).map((n) => n.key)),
      history: (_: unknown, __: unknown, ctx: Ctx) => (calls.history++, ctx.history.revisions),
      status: (_: unknown, __: unknown, ctx: Ctx) => (calls.status++, ctx.live.status().startedAt),
      gated: async (_: unknown, __: unknown, ctx: Ctx) => {
        calls.gated++;
        const { revision } = ctx.live.current();
        await gate;
        return revision;
      },
      fails: () => {
        calls.fails++;
        throw new GraphQLError("this field always fails");
      },
    },
    Mutation: { bump: (_: unknown, __: unknown, ctx: Ctx) => (calls.bump++, ++ctx.history.revisions) },
  },
});

let live: TestLive;
let server: RunningServer;
/** Calls of live.current(): the server asks it once as each request arrives. */
let currentCalls = 0;
beforeAll(async () => {
  const real = new TestLive();
  live = new Proxy(real, {
    get(target, prop) {
      if (prop === "current") return () => (currentCalls++, target.current());
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  server = await startServer<Ctx>({ schema, context: { live, history: { revisions: 0 }, baseUrl: "" }, live, listen: "127.0.0.1:0", logging: false });
});
afterAll(() => server?.stop());

async function post(query: string, variables?: Record<string, unknown>, accept = "application/json"): Promise<{ type: string; body: any }> {
  const res = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify({ query, variables }) });
  return { type: res.headers.get("content-type") ?? "", body: await res.json() };
}

/** How many times each resolver ran during `fn`. */
async function counted(fn: () => Promise<unknown>): Promise<typeof calls> {
  const before = { ...calls };
  await fn();
  return Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v - before[k as keyof typeof calls]])) as typeof calls;
}

describe("query cache", () => {
  test("an identical query on the same topology runs once; a new topology runs it again", async () => {
    const q = "{ revision namespaces }";
    let first: any;
    const ran = await counted(async () => {
      first = (await post(q)).body;
      for (let i = 0; i < 4; i++) expect((await post(q)).body).toEqual(first);
    });
    expect(first.data.namespaces).toEqual(live.current().topology.namespaces.map((n) => n.key));
    expect(ran).toMatchObject({ revision: 1, namespaces: 1 });
    // The same text with other variables or another media type: its own result, its own type.
    expect((await counted(() => post("query($n: Int) { namespaces(first: $n) }", { n: 1 })))).toMatchObject({ namespaces: 1 });
    expect((await counted(() => post("query($n: Int) { namespaces(first: $n) }", { n: 1 })))).toMatchObject({ namespaces: 0 });
    const typed = await post(q, undefined, "application/graphql-response+json");
    expect(typed.type).toStartWith("application/graphql-response+json");
    expect(typed.body).toEqual(first);

    await live.discoverNow(); // a new topology object, even if nothing changed
    const again = await counted(async () => {
      const r = (await post(q)).body;
      expect(r.data.revision).toBe(live.current().revision);
      expect(r.data.namespaces).toEqual(live.current().topology.namespaces.map((n) => n.key));
    });
    expect(again).toMatchObject({ revision: 1, namespaces: 1 });
  });

  test("requests that arrive while the first one runs wait for its answer", async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const q = "{ gated }";
    const before = currentCalls;
    const first = post(q);
    const others = Array.from({ length: 19 }, () => post(q));
    // Each request asks for the live topology as it arrives; the first one's resolver once more.
    while (currentCalls < before + 20 + 1) await Bun.sleep(5);
    expect(calls.gated).toBe(1);
    open();
    const answers = await Promise.all([first, ...others].map((p) => p.then((r) => r.body)));
    expect(calls.gated).toBe(1);
    for (const a of answers) expect(a).toEqual({ data: { gated: live.current().revision } });
  });

  test("what reads more than the live topology, fails, or mutates runs every time", async () => {
    const ran = await counted(async () => {
      for (let i = 0; i < 3; i++) {
        await post("{ history }");
        await post("{ revision history }");
        await post("{ status }");
        expect((await post("{ revision fails }")).body.errors[0].message).toBe("this field always fails");
        await post("mutation { bump }");
      }
    });
    expect(ran).toEqual({ revision: 6, namespaces: 0, history: 6, status: 3, fails: 3, bump: 3, gated: 0 });
    // And what it read is current: three bumps later the history says so.
    expect((await post("{ history }")).body.data.history).toBe(3);
  });
});
