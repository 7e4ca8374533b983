// What the server tests run against: a LiveTopology test double fed by real discoveries, and a
// small real schema (a Query and a Subscription over that double). The server does not care which
// schema it serves; once the real one (src/schema) is merged, `buildTestSchema` below is the one
// line to swap, and the tests' queries are plain enough to port.

import { GraphQLError } from "graphql";
import { createSchema, Repeater } from "graphql-yoga";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { discover } from "../../src/discovery/discover.ts";
import { decodeNodeId, encodeNodeId } from "../../src/model/node-id.ts";
import type { Topology } from "../../src/model/topology.ts";
import { startServer, type RunningServer, type ServerOptions } from "../../src/server/server.ts";
import type { ChangeEvent } from "../../src/store/index.ts";
import type { LiveTopology, RevisionBatch, RevisionCause, WatchStatus } from "../../src/watch/live.ts";

/**
 * A LiveTopology whose revisions come from real discoveries: discoverNow() discovers, compares
 * the interfaces with the previous topology and publishes what was added or removed. Status is
 * settable, for /healthz.
 */
export class TestLive implements LiveTopology {
  #topology: Topology;
  #revision = 1;
  readonly #listeners = new Set<(b: RevisionBatch) => void>();
  statusValue: WatchStatus;

  constructor(topology: Topology = discover()) {
    this.#topology = topology;
    const now = new Date().toISOString();
    this.statusValue = { startedAt: now, lastSuccessAt: now, lastError: null, consecutiveFailures: 0, namespacesWatched: topology.namespaces.length, fullPassEveryMs: 60_000 };
  }

  current() {
    return { topology: this.#topology, revision: this.#revision };
  }

  subscribe(listener: (batch: RevisionBatch) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async discoverNow(cause: RevisionCause = { kind: "request" }): Promise<RevisionBatch | null> {
    const next = discover();
    const before = new Map(this.#topology.namespaces.flatMap((ns) => ns.interfaces.map((i) => [i.key, i] as const)));
    const after = new Map(next.namespaces.flatMap((ns) => ns.interfaces.map((i) => [i.key, i] as const)));
    const revision = this.#revision + 1;
    const events: ChangeEvent[] = [];
    for (const [key, i] of after) if (!before.has(key)) events.push({ kind: "interface", key, op: "added", after: { name: i.name }, revision });
    for (const [key, i] of before) if (!after.has(key)) events.push({ kind: "interface", key, op: "removed", before: { name: i.name }, revision });
    this.#topology = next;
    if (events.length === 0) return null;
    this.#revision = revision;
    const batch: RevisionBatch = { revision, time: next.discoveredAt, cause, events };
    for (const l of this.#listeners) l(batch);
    return batch;
  }

  status(): WatchStatus {
    return this.statusValue;
  }
}

export interface TestContext {
  live: TestLive;
  baseUrl: string;
}

const typeDefs = /* GraphQL */ `
  type Query {
    revision: Int!
    baseUrl: String!
    namespaces(nameContains: String): [Namespace!]!
    namespace(id: ID!): Namespace
    crash: Int
  }
  type Mutation {
    discoverNow: Int
  }
  type Subscription {
    interfaceChanges(nameContains: String): InterfaceChange!
  }
  type Namespace {
    id: ID!
    name: String!
    inode: Float!
    interfaces: [Interface!]!
  }
  type Interface {
    id: ID!
    name: String!
    namespace: Namespace!
  }
  type InterfaceChange {
    revision: Int!
    op: String!
    key: String!
    name: String!
  }
`;

type Ns = Topology["namespaces"][number];

function nsOf(live: TestLive, key: string): Ns | undefined {
  return live.current().topology.namespaces.find((ns) => ns.key === key);
}

/** The schema under test: swap this for src/schema's builder when it is merged. */
export function buildTestSchema() {
  return createSchema<TestContext>({
    typeDefs,
    resolvers: {
      Query: {
        revision: (_: unknown, __: unknown, ctx: TestContext) => ctx.live.current().revision,
        baseUrl: (_: unknown, __: unknown, ctx: TestContext) => ctx.baseUrl,
        namespaces: (_: unknown, a: { nameContains?: string | null }, ctx: TestContext) =>
          ctx.live.current().topology.namespaces.filter((ns) => !a.nameContains || ns.displayName.includes(a.nameContains)),
        namespace: (_: unknown, a: { id: string }, ctx: TestContext) => {
          const id = decodeNodeId(a.id);
          if (!id || id.typename !== "NetworkNamespace") throw new GraphQLError(`'${a.id}' is not a NetworkNamespace id`, { extensions: { code: "BAD_ID" } });
          return nsOf(ctx.live, id.key) ?? null;
        },
        // An unexpected failure: the server masks it ("Unexpected error.") and keeps serving.
        crash: () => {
          throw new Error("secret internal detail");
        },
      },
      Mutation: {
        discoverNow: async (_: unknown, __: unknown, ctx: TestContext) => (await ctx.live.discoverNow())?.revision ?? null,
      },
      Subscription: {
        interfaceChanges: {
          subscribe: (_: unknown, a: { nameContains?: string | null }, ctx: TestContext) =>
            new Repeater<{ interfaceChanges: { revision: number; op: string; key: string; name: string } }>(async (push, stop) => {
              const unsubscribe = ctx.live.subscribe((batch) => {
                for (const e of batch.events) {
                  const name = String((e.after ?? e.before)?.["name"] ?? "");
                  if (e.kind === "interface" && (!a.nameContains || name.includes(a.nameContains))) {
                    void push({ interfaceChanges: { revision: e.revision, op: e.op, key: e.key, name } });
                  }
                }
              });
              await stop;
              unsubscribe();
            }),
        },
      },
      Namespace: {
        id: (ns: Ns) => encodeNodeId("NetworkNamespace", ns.key),
        name: (ns: Ns) => ns.displayName,
        inode: (ns: Ns) => ns.inode,
        interfaces: (ns: Ns) => ns.interfaces,
      },
      Interface: {
        id: (i: Ns["interfaces"][number]) => encodeNodeId("Interface", i.key),
        namespace: (i: Ns["interfaces"][number], _: unknown, ctx: TestContext) => nsOf(ctx.live, i.netns),
      },
    },
  });
}

/** A real server on 127.0.0.1:<free port> serving the test schema over `live`. */
export async function startTestServer(live: TestLive, opts: Partial<ServerOptions<TestContext>> = {}): Promise<RunningServer> {
  return startServer<TestContext>({
    schema: buildTestSchema(),
    // The depth limit stands for the schema's armour plugins: the server must apply them on every transport.
    plugins: [maxDepthPlugin({ n: 6 })],
    context: { live, baseUrl: "" },
    live,
    listen: "127.0.0.1:0",
    logging: false,
    ...opts,
  });
}
