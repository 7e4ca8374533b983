// The map's data path without a browser: every GraphQL operation the page sends is valid against
// the real schema and answers without errors from the real server; the topology query, turned
// into a WiringTopology (src/web/data/to-wiring.ts), gives exactly the wiring that
// `dump --format dot|mermaid` exports from the Topology itself.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parse, validate } from "graphql";
import { wiringOf } from "../../src/model/wiring.ts";
import { encodeNodeId } from "../../src/model/node-id.ts";
import { buildSchema } from "../../src/schema/index.ts";
import * as queries from "../../src/web/data/queries.ts";
import { nodeIds, toWiringTopology, type TopologyAnswer } from "../../src/web/data/to-wiring.ts";
import { makeWorld, type World } from "../clients/world.ts";

let world: World;

beforeAll(async () => {
  world = await makeWorld();
  world.change(); // a second revision, for history and diff
}, 60_000);

afterAll(async () => {
  await world?.close();
}, 30_000);

async function ask<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${world.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

describe("the map's GraphQL", () => {
  test("every operation is valid against the schema", () => {
    const schema = buildSchema();
    const operations = Object.entries(queries).filter(([, v]) => typeof v === "string");
    expect(operations.length).toBe(9);
    for (const [name, text] of operations) expect({ name, errors: validate(schema, parse(text as string)).map((e) => e.message) }).toEqual({ name, errors: [] });
  });

  test("the topology query gives the wiring the exports draw from the Topology itself", async () => {
    const answer = await ask<TopologyAnswer>(queries.MAP_TOPOLOGY, { at: null });
    const fromPage = wiringOf(toWiringTopology(answer));
    const fromModel = wiringOf(world.live.current().topology);
    expect(fromPage).toEqual(fromModel);
    // The world has what the map draws: veth wires, VLAN lower devices, a pod caption, a forwarded port.
    expect(new Set(fromModel.wires.map((w) => w.kind))).toEqual(new Set(["veth", "lower", "forward"]));
    expect(fromModel.groups.some((g) => g.caption?.includes("pod shop/web"))).toBe(true);
    // Node ids for the detail queries are the server's own.
    const ns = world.live.current().topology.namespaces[0]!;
    expect(nodeIds(answer).get(ns.key)).toBe(encodeNodeId("NetworkNamespace", ns.key));
  });

  test("history, diff, alerts, details and whereis answer without errors", async () => {
    const h = await ask(queries.MAP_HISTORY, { first: 1000 });
    expect(h.history.nodes.length).toBeGreaterThanOrEqual(2);
    const [to, from] = h.history.nodes.map((n: { revision: number }) => n.revision);
    const d = await ask(queries.MAP_DIFF, { from, to, after: null });
    expect(d.diff.entities.nodes.some((c: { op: string; fields?: { field: string }[] }) => c.op === "CHANGED" && c.fields?.some((f) => f.field === "mtu"))).toBe(true);
    await ask(queries.MAP_ALERTS);
    const topo = await ask<TopologyAnswer>(queries.MAP_TOPOLOGY, { at: from });
    const ns = topo.topology.namespaces[1]!;
    const i = await ask(queries.INTERFACE_DETAILS, { id: ns.interfaces[0]!.id, at: from });
    expect(i.node.name).toBe(ns.interfaces[0]!.name);
    const n = await ask(queries.NAMESPACE_DETAILS, { id: ns.id, key: ns.key, at: null });
    expect(n.node.key).toBe(ns.key);
    const w = await ask(queries.WHERE_IS, { ip: "10.0.2.2", from: "initial", at: null });
    expect(w.whereIs.found).toBe(true);
  });
});
