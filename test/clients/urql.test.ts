// urql (core 6) over HTTP (fetchExchange) and graphql-ws (subscriptionExchange) against the real
// server: every example of docs/graphql.md runs, with no error.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "@urql/core";
import { createClient, type Client as WsClient } from "graphql-ws";
import { docsOperations } from "../../src/server/playground.ts";
import { exampleVariables, makeWorld, type World } from "./world.ts";

const ops = docsOperations(readFileSync(join(import.meta.dir, "../../docs/graphql.md"), "utf8"));

let world: World;
let ws: WsClient;
let client: Client;
beforeAll(async () => {
  world = await makeWorld();
  ws = createClient({ url: world.url.replace(/^http/, "ws") + "/graphql", lazy: true, retryAttempts: 0 });
  client = new Client({
    url: `${world.url}/graphql`,
    exchanges: [
      cacheExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink) }),
        }),
      }),
      fetchExchange,
    ],
  });
}, 30_000);
afterAll(async () => {
  await ws?.dispose();
  await world?.close();
});

/** The first result of a subscription, which then ends (urql's toPromise waits for the last). */
function firstResult<T>(source: { subscribe(cb: (r: T) => void): { unsubscribe(): void } }): Promise<T> {
  return new Promise((resolve) => {
    let done = false;
    let sub: { unsubscribe(): void } | null = null;
    sub = source.subscribe((r) => {
      if (done) return;
      done = true;
      resolve(r);
      queueMicrotask(() => sub?.unsubscribe());
    });
    if (done) sub.unsubscribe();
  });
}

describe("urql", () => {
  test("every example of the docs: queries and mutations over HTTP, subscriptions over graphql-ws", async () => {
    for (const op of ops) {
      const variables = exampleVariables(op.name, world);
      let result;
      if (op.kind === "query") result = await client.query(op.source, variables, { requestPolicy: "network-only" }).toPromise();
      else if (op.kind === "mutation") result = await client.mutation(op.source, variables).toPromise();
      else {
        const since = op.name === "AlertEvents" ? { since: 0 } : op.name === "TopologyChanges" ? { since: world.live.current().revision } : {};
        const first = firstResult(client.subscription(op.source, { ...variables, ...since }));
        // The next change (or, for alerts, a rule that fires at once) once the server holds the subscription.
        const before = world.live.subscriberCount;
        const trigger = () => {
          if (op.name === "AlertEvents") world.alerts.createRule({ name: `urql ${Date.now()}`, enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "info", webhook: null });
          else if (world.live.subscriberCount > before) world.change();
          else setTimeout(trigger, 5);
        };
        trigger();
        result = await first;
      }
      expect(`${op.name}: ${result.error?.message ?? "ok"}`).toBe(`${op.name}: ok`);
      expect(result.data).toBeTruthy();
    }
  }, 120_000);

  test("a subscription over graphql-ws sees each change and stops when unsubscribed", async () => {
    const seen: number[] = [];
    const { unsubscribe } = client.subscription(`subscription Revs { revisions { revision changes { id op } } }`, {}).subscribe((r) => void seen.push(r.data.revisions.revision));
    const listeners = world.live.subscriberCount;
    while (world.live.subscriberCount === listeners) await Bun.sleep(5);
    world.change();
    world.change();
    while (seen.length < 2) await Bun.sleep(5);
    expect(seen[1]).toBeGreaterThan(seen[0]!);
    unsubscribe();
    while (world.live.subscriberCount > listeners) await Bun.sleep(5);
  }, 30_000);
});
