// Identities as a client cache sees them (issue 20): `id` is only ever an identity — a VLAN's
// number is `vlanId`, so two VLAN-100 interfaces stay two objects — and change events have ids
// that are unique per entity and revision and the same when replayed.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execute, isInterfaceType, isObjectType, parse, subscribe, type ExecutionResult } from "graphql";
import { Store } from "../../src/store/index.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { later, syntheticTopology } from "../store/synthetic.ts";
import { withVlans } from "../clients/world.ts";
import { AlertsDouble } from "./alerts-double.ts";
import { data, schema } from "./fixture.ts";

const dir = mkdtempSync(join(tmpdir(), "wiresight-gql-ids-"));
const store = Store.open(join(dir, "h.db"));
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const live = new LiveDouble(store, withVlans(syntheticTopology()));
const ctx = { live, store, alerts: new AlertsDouble(), baseUrl: "http://127.0.0.1:5000" };
const run = async (q: string, variables?: Record<string, unknown>) => (await execute({ schema, document: parse(q), contextValue: ctx, variableValues: variables })) as ExecutionResult<any>;

describe("identities", () => {
  test("every field called id is an identity: of a Node, or of a change event", () => {
    const holders: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith("__") || !(isObjectType(type) || isInterfaceType(type))) continue;
      const id = type.getFields()["id"];
      if (!id) continue;
      holders.push(type.name);
      expect(`${type.name}.id: ${String(id.type)}`).toBe(`${type.name}.id: ID!`);
      const isNode = type.name === "Node" || type.getInterfaces().some((i) => i.name === "Node");
      const isChange = type.name === "TopologyChange" || type.getInterfaces().some((i) => i.name === "TopologyChange");
      expect(`${type.name}: ${isNode || isChange}`).toBe(`${type.name}: true`);
    }
    expect(holders).toContain("VlanInterface");
    expect(Object.keys((schema.getType("VlanDetails") as any).getFields())).not.toContain("id");
    expect(String((schema.getType("VlanDetails") as any).getFields().vlanId.type)).toBe("Int!");
  });

  test("two VLAN-100 interfaces are two objects, each with vlanId 100", async () => {
    const d = data(await run(`{ interfaces(filter: { kinds: [VLAN] }) { nodes { id name ... on VlanInterface { details { vlanId protocol } } } } }`));
    expect(d.interfaces.nodes).toHaveLength(2);
    expect(new Set(d.interfaces.nodes.map((n: any) => n.id)).size).toBe(2);
    for (const n of d.interfaces.nodes) expect(n.details).toEqual({ vlanId: 100, protocol: "IEEE_802_1Q" });
  });

  test("change events: one id per entity and revision, the same when replayed", async () => {
    const first = live.current().revision;
    const t1 = later(live.current().topology, 5);
    t1.namespaces[1]!.interfaces[0]!.mtu = 1400;
    const b1 = live.record(t1)!;
    const t2 = later(t1, 5);
    t2.namespaces[1]!.interfaces[0]!.mtu = 1300;
    const b2 = live.record(t2)!;
    const listed = data(await run(`query($from: Moment!) { changes(from: $from) { nodes { id revision key } } }`, { from: first })).changes.nodes;
    expect(listed.map((c: any) => c.revision)).toEqual([b1.revision, b2.revision]);
    expect(listed[0].key).toBe(listed[1].key);
    expect(listed[0].id).not.toBe(listed[1].id);
    const it = (await subscribe({ schema, document: parse(`subscription($s: Int) { topologyChanges(sinceRevision: $s) { id } }`), contextValue: ctx, variableValues: { s: first } })) as AsyncIterableIterator<ExecutionResult<any>>;
    const replayed = [(await it.next()).value.data.topologyChanges.id, (await it.next()).value.data.topologyChanges.id];
    await it.return!();
    expect(replayed).toEqual(listed.map((c: any) => c.id));
    // A diff's entry is its own object (it spans revisions), not one of the events.
    const diff = data(await run(`query($from: Moment!) { diff(from: $from) { entities { nodes { id key } } } }`, { from: first })).diff.entities.nodes;
    expect(diff).toHaveLength(1);
    expect(listed.map((c: any) => c.id)).not.toContain(diff[0].id);
  });
});
