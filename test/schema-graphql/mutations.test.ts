// Mutations: discoverNow records what changed in the lab and the live topology follows it; alert
// rules are created, updated and deleted through the service, and bad conditions are refused
// with messages naming the field.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { requireRoot } from "../helpers/lab.ts";
import { data, errorsOf, makeFixture, type Fixture } from "./fixture.ts";

const root = requireRoot();
let f: Fixture;

beforeAll(async () => {
  if (!root) return;
  f = await makeFixture();
}, 60_000);

afterAll(() => f?.cleanup());

describe.if(root)("mutations", () => {
  test("discoverNow records a new revision with the change, and queries see it", async () => {
    const before = data(await f.run(`{ revision }`)).revision;
    f.lab.ip(f.ns.b, "link", "set", "vb0", "mtu", "1300");
    const d = data(await f.run(`mutation { discoverNow { revision time changes cause } }`)).discoverNow;
    expect(f.live.discoverCalls).toBe(1);
    expect(d.revision).toBeGreaterThan(before);
    expect(d.cause).toEqual({ kind: "request" });
    expect(d.changes).toBeGreaterThan(0);
    const mtu = data(await f.run(`query($ns: String) { interfaces(filter: { namespace: $ns, name: "vb0" }) { edges { node { mtu } } } }`, { ns: f.ns.b }));
    expect(mtu.interfaces.edges[0].node.mtu).toBe(1300);
    const changed = data(await f.run(`query($r: Moment!, $ns: String) { changes(from: $r, filter: { kinds: [INTERFACE], namespace: $ns }) { nodes { key kind revision time ... on EntityChanged { fields { field before after } } } } }`, { r: before, ns: f.ns.b }));
    const vb0 = changed.changes.nodes.find((c: any) => c.fields?.some((x: any) => x.field === "mtu" && x.after === 1300));
    expect(vb0).toMatchObject({ kind: "INTERFACE", revision: d.revision, time: d.time });
    expect(changed.changes.nodes.every((c: any) => c.kind === "INTERFACE" && c.key.startsWith(`${f.keys.b}/`))).toBe(true);
  });

  test("alert rules: create, read, update, delete; built-in rules cannot be deleted", async () => {
    const created = data(
      await f.run(`mutation { createAlertRule(input: { name: "open ports", condition: { type: WILDCARD_LISTENER, allowPorts: [22, 80], protocols: [TCP] }, severity: CRITICAL, forMs: 5000 }) { id name enabled severity forMs condition { type allowPorts protocols name } } }`),
    ).createAlertRule;
    expect(created).toMatchObject({ name: "open ports", enabled: true, severity: "CRITICAL", forMs: 5000, condition: { type: "WILDCARD_LISTENER", allowPorts: [22, 80], protocols: ["TCP"], name: null } });
    expect(f.alerts.rule(created.id)!.condition).toEqual({ type: "wildcardListener", allowPorts: [22, 80], protocols: ["tcp"] });

    const updated = data(await f.run(`mutation($id: ID!) { updateAlertRule(id: $id, patch: { enabled: false, condition: { type: INTERFACE_DOWN, name: "eth*" } }) { enabled condition { type name } } }`, { id: created.id })).updateAlertRule;
    expect(updated).toEqual({ enabled: false, condition: { type: "INTERFACE_DOWN", name: "eth*" } });
    expect(data(await f.run(`{ alertRules { id } }`)).alertRules.map((r: any) => r.id)).toContain(created.id);

    expect(data(await f.run(`mutation($id: ID!) { deleteAlertRule(id: $id) }`, { id: created.id })).deleteAlertRule).toBe(true);
    expect(f.alerts.rule(created.id)).toBeNull();
    expect(errorsOf(await f.run(`mutation { deleteAlertRule(id: "builtin-discovery") }`))[0]).toContain("is built in");
    expect(errorsOf(await f.run(`mutation { deleteAlertRule(id: "nope") }`))[0]).toContain("no alert rule 'nope'");
  });

  test("bad rule inputs get errors naming what is wrong", async () => {
    const cases: [string, string][] = [
      [`{ type: WILDCARD_LISTENER }`, "condition wildcardListener needs allowPorts"],
      [`{ type: WILDCARD_LISTENER, allowPorts: [99999] }`, "allowPorts: 99999 not a port"],
      [`{ type: PROMISCUOUS, allowPorts: [1] }`, "condition promiscuous does not take allowPorts"],
      [`{ type: CHANGE, kinds: ["banana"] }`, "change.kinds: unknown banana"],
      [`{ type: DISCOVERY_HEALTH, stalledAfterMs: -1 }`, "stalledAfterMs must be positive"],
    ];
    for (const [condition, message] of cases) {
      const r = await f.run(`mutation { createAlertRule(input: { name: "x", condition: ${condition} }) { id } }`);
      expect(errorsOf(r).join("; ")).toContain(message);
    }
    const hook = await f.run(`mutation { createAlertRule(input: { name: "x", condition: { type: PROMISCUOUS }, webhook: "ftp://x" }) { id } }`);
    expect(errorsOf(hook)[0]).toContain("not an http(s) URL");
    expect(f.alerts.rules().filter((r) => r.name === "x")).toEqual([]);
  });

  test("alerts query filters what the service holds", async () => {
    const base = { ruleId: "r1", ruleName: "r", severity: "info" as const, subject: "s", entities: ["s"], message: "m", since: new Date().toISOString(), firedAt: null, resolvedAt: null, revision: 3 };
    f.alerts.emit({ ...base, id: "x1", state: "resolved" });
    f.alerts.emit({ ...base, id: "x2", state: "firing" });
    const d = data(await f.run(`{ alerts(filter: { state: [FIRING] }) { id state revision } }`));
    expect(d.alerts).toEqual([{ id: "x2", state: "FIRING", revision: 3 }]);
  });
});
