// Apollo Client 4 over HTTP (queries, mutations) and graphql-ws (subscriptions) against the real
// server, running every example of docs/graphql.md through an InMemoryCache given
// docs/possible-types.json: no warning, no error, and what the cache keeps is complete and
// normalised (two VLAN-100 interfaces stay two objects; change events replace each other by id).
// Without possibleTypes, Apollo cannot match `... on Interface` and says so: the same check
// fails there, which is what issue 20 found.

import "./apollo-dev.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from "@apollo/client";
import { loadDevMessages, loadErrorMessages } from "@apollo/client/dev";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient, type Client } from "graphql-ws";
import { Kind, OperationTypeNode } from "graphql";
import { docsOperations } from "../../src/server/playground.ts";
import { exampleVariables, makeWorld, type World } from "./world.ts";

const ROOT = join(import.meta.dir, "../..");
const possibleTypes = JSON.parse(readFileSync(join(ROOT, "docs/possible-types.json"), "utf8")) as Record<string, string[]>;
const ops = docsOperations(readFileSync(join(ROOT, "docs/graphql.md"), "utf8"));

let world: World;
let ws: Client;
beforeAll(async () => {
  loadDevMessages();
  loadErrorMessages();
  world = await makeWorld();
  ws = createClient({ url: world.url.replace(/^http/, "ws") + "/graphql", lazy: true, retryAttempts: 0 });
}, 30_000);
afterAll(async () => {
  await ws?.dispose();
  await world?.close();
});

/** Everything Apollo says on the console while `fn` runs. */
async function said<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const saved = { warn: console.warn, error: console.error, log: console.log, info: console.info, debug: console.debug };
  for (const k of Object.keys(saved) as (keyof typeof saved)[]) console[k] = (...args: unknown[]) => void lines.push(`${k}: ${args.map(String).join(" ")}`);
  try {
    return { value: await fn(), lines };
  } finally {
    Object.assign(console, saved);
  }
}

function client(withPossibleTypes: boolean): ApolloClient {
  const http = new HttpLink({ uri: `${world.url}/graphql` });
  const link = ApolloLink.split(
    ({ query }) => query.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.SUBSCRIPTION),
    new GraphQLWsLink(ws),
    http,
  );
  return new ApolloClient({ link, cache: new InMemoryCache(withPossibleTypes ? { possibleTypes } : {}) });
}

/** The first event of a subscription, once `trigger` has made one happen (`ready`: the server holds the subscription). */
async function firstEvent(c: ApolloClient, query: string, variables: Record<string, unknown>, trigger: () => void, ready: () => boolean): Promise<any> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event within 20 s for ${query.slice(0, 40)}`)), 20_000);
    const sub = c.subscribe({ query: gql(query), variables }).subscribe({
      next: (r) => {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(r);
      },
      error: (e) => {
        clearTimeout(timer);
        reject(e);
      },
    });
    // graphql-ws subscribes asynchronously: make the change once the server has the listener.
    const wait = () => (ready() ? trigger() : setTimeout(wait, 5));
    wait();
  });
}

describe("Apollo Client 4", () => {
  test("every example of the docs runs through Apollo's cache with possibleTypes: no error, no warning", async () => {
    const c = client(true);
    const { value: results, lines } = await said(async () => {
      const out: Record<string, any> = {};
      for (const op of ops) {
        const variables = exampleVariables(op.name, world);
        if (op.kind === "query") out[op.name] = await c.query({ query: gql(op.source), variables, fetchPolicy: "network-only" });
        else if (op.kind === "mutation") out[op.name] = await c.mutate({ mutation: gql(op.source), variables });
        else {
          if (op.name === "AlertEvents") {
            // A rule that fires at once (the listener on port 80); from sequence 0, whenever it reaches the server.
            const fire = () => void world.alerts.createRule({ name: "any listener", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "info", webhook: null });
            out[op.name] = await firstEvent(c, op.source, { since: 0 }, fire, () => true);
          } else {
            // The change is recorded once the server listens (the engine is the first listener).
            const since = op.name === "TopologyChanges" ? { since: world.live.current().revision } : {};
            out[op.name] = await firstEvent(c, op.source, { ...variables, ...since }, () => world.change(), () => world.live.subscriberCount > 1);
          }
        }
      }
      return out;
    });
    expect(lines).toEqual([]);
    for (const op of ops) {
      expect(`${op.name}: ${JSON.stringify(results[op.name].error ?? null)}`).toBe(`${op.name}: null`);
      expect(results[op.name].data).toBeTruthy();
    }
    expect(results.Topology.data.topology.namespaces).toHaveLength(2);
    expect(results.WhoListens.data.sockets.totalCount).toBe(1);
    expect(results.CreateAlertRule.data.createAlertRule.userErrors).toEqual([]);
    expect(results.LiveChanges.data.revisions.changes.length).toBeGreaterThan(0);
    // The Kubernetes node of the world: pod shop/web behind service shop/web:http's ClusterIP.
    expect(results.Pods.data.pods.nodes).toMatchObject([{ __typename: "Pod", kubernetesNamespace: "shop", name: "web", state: "READY", networkNamespace: { displayName: "blue" }, services: [{ servicePortName: "shop/web:http" }] }]);
    expect(results.Pods.data.services.nodes[0].endpoints[0]).toMatchObject({ address: "10.0.2.2", port: 80, pod: { name: "web" }, listeners: [{ localPort: 80 }] });
    expect(results.ServicePath.data.whereIs.translatedTo).toBe("10.0.2.2:80");
    expect(results.ServicePath.data.whereIs.path[0]).toMatchObject({ kind: "DNAT", dnat: { service: "shop/web:http", from: "10.96.0.10:80", to: "10.0.2.2:80" } });
    expect(results.ServicePath.data.whereIs.reached.namespace).toMatchObject({ displayName: "blue", pod: { kubernetesNamespace: "shop", name: "web" } });
  }, 120_000);

  test("node(id) with inline fragments on interfaces comes back whole; two VLAN-100 interfaces are two cache entries", async () => {
    const c = client(true);
    const node = ops.find((o) => o.name === "Node")!;
    const { value, lines } = await said(() => c.query({ query: gql(node.source), variables: exampleVariables("Node", world) }));
    expect(lines).toEqual([]);
    expect((value.data as any).node).toMatchObject({ __typename: "VlanInterface", name: "veth-b.100", operState: "UP", details: { vlanId: 100, protocol: "IEEE_802_1Q" }, master: { name: "veth-b" } });
    await c.query({ query: gql(ops.find((o) => o.name === "Topology")!.source) });
    const vlans = Object.keys(c.cache.extract() as object).filter((k) => k.startsWith("VlanInterface:"));
    expect(vlans).toHaveLength(2);
    // A VLAN's number is not an identity: no "VlanDetails:100" entry merging both.
    expect(Object.keys(c.cache.extract() as object).filter((k) => k.startsWith("VlanDetails"))).toEqual([]);
  });

  test("without possibleTypes Apollo cannot match the fragments (the check above would fail)", async () => {
    const c = client(false);
    const node = ops.find((o) => o.name === "Node")!;
    const { value, lines } = await said(() => c.query({ query: gql(node.source), variables: exampleVariables("Node", world) }));
    const whole = (value.data as any)?.node?.name === "veth-b.100";
    expect(whole).toBe(false);
    expect(lines.join("\n")).toContain("This indicates a missing `possibleTypes` entry");
  });
});
