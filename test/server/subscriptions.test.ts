// Subscriptions over both transports, fed by real kernel changes: a bridge added to and removed
// from a lab namespace reaches a graphql-ws client and an SSE client as typed events. The test
// double of the watcher (server-harness) turns each change into a revision when the test asks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningServer } from "../../src/server/server.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";
import { startTestServer, TestLive } from "../helpers/server-harness.ts";
import { sseSubscribe, wsClient } from "./clients.ts";

const root = requireRoot();
const lab = new Lab();
let ns = "";
let live: TestLive;
let server: RunningServer;

beforeAll(async () => {
  if (!root) return;
  ns = lab.netns("sub");
  live = new TestLive();
  server = await startTestServer(live, { token: "tok" });
});
afterAll(async () => {
  await server?.stop();
  lab.cleanup();
});

describe.if(root)("subscriptions", () => {
  test("a graphql-ws client and an SSE client each receive the addition and the removal of an interface", async () => {
    const bridge = `${lab.prefix}br`;
    const query = `subscription { interfaceChanges(nameContains: "${lab.prefix}") { revision op key name } }`;
    const listenersBefore = live.listenerCount;

    const { client } = wsClient(server.url, { connectionParams: { Authorization: "Bearer tok" } });
    const wsEvents = client.iterate({ query });
    const wsFirst = wsEvents.next();
    const sse = await sseSubscribe(server.url, query, { authorization: "Bearer tok" });
    expect(sse.response.status).toBe(200);
    while (live.listenerCount < listenersBefore + 2) await Bun.sleep(10); // both are subscribed

    lab.ip(ns, "link", "add", bridge, "type", "bridge");
    const added = await live.discoverNow();
    expect(added).not.toBeNull();
    const key = live.current().topology.namespaces.find((n) => n.displayName === ns)!.interfaces.find((i) => i.name === bridge)!.key;
    const expectedAdd = { revision: added!.revision, op: "added", key, name: bridge };

    expect((await wsFirst).value).toEqual({ data: { interfaceChanges: expectedAdd } });
    const sseAdd = await sse.reader.next();
    expect(sseAdd?.event).toBe("next");
    expect(JSON.parse(sseAdd!.data)).toEqual({ data: { interfaceChanges: expectedAdd } });

    lab.ip(ns, "link", "del", bridge);
    const removed = await live.discoverNow();
    const expectedRemove = { revision: removed!.revision, op: "removed", key, name: bridge };
    expect(removed!.revision).toBeGreaterThan(added!.revision);
    expect((await wsEvents.next()).value).toEqual({ data: { interfaceChanges: expectedRemove } });
    expect(JSON.parse((await sse.reader.next())!.data)).toEqual({ data: { interfaceChanges: expectedRemove } });

    // Leaving unsubscribes from the live topology on both transports.
    await wsEvents.return?.(undefined);
    await sse.reader.cancel();
    await client.dispose();
    const deadline = Date.now() + 5000;
    while (live.listenerCount > listenersBefore && Date.now() < deadline) await Bun.sleep(10);
    expect(live.listenerCount).toBe(listenersBefore);
  });
});
