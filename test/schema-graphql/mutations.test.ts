// Mutations: discoverNow records what changed in the lab and the live topology follows it; alert
// rules are created, updated and deleted through the service, and bad conditions are refused
// with messages naming the field.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { requireRoot } from "../helpers/lab.ts";
import { alertOf } from "./alerts-double.ts";
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
    const p = data(await f.run(`mutation { discoverNow { revision { revision time cause { kind } changes { key op } } userErrors { message } } }`)).discoverNow;
    expect(p.userErrors).toEqual([]);
    const d = { ...p.revision, revision: p.revision.revision };
    expect(f.live.discoverCalls).toBe(1);
    expect(d.revision).toBeGreaterThan(before);
    expect(d.cause).toEqual({ kind: "REQUEST" });
    expect(d.changes.length).toBeGreaterThan(0);
    const mtu = data(await f.run(`query($ns: String) { interfaces(filter: { namespace: $ns, name: "vb0" }) { edges { node { mtu } } } }`, { ns: f.ns.b }));
    expect(mtu.interfaces.edges[0].node.mtu).toBe(1300);
    const changed = data(await f.run(`query($r: Moment!, $ns: String) { changes(from: $r, filter: { kinds: [INTERFACE], namespace: $ns }) { nodes { key kind revision time ... on EntityChanged { fields { field before after } } } } }`, { r: before, ns: f.ns.b }));
    const vb0 = changed.changes.nodes.find((c: any) => c.fields?.some((x: any) => x.field === "mtu" && x.after === 1300));
    expect(vb0).toMatchObject({ kind: "INTERFACE", revision: d.revision, time: d.time });
    expect(changed.changes.nodes.every((c: any) => c.kind === "INTERFACE" && c.key.startsWith(`${f.keys.b}/`))).toBe(true);
  });

  const RULE = `alertRule { id ruleId name enabled severity forMs condition { __typename ... on WildcardListenerCondition { allowPorts protocols } ... on InterfaceDownCondition { name kinds } } webhook { url format headerNames signed } scope { namespaces containers } }`;
  const ERRORS = `userErrors { field message code }`;

  test("alert rules: create, read, update, delete through payloads; built-in rules cannot be deleted", async () => {
    const created = data(
      await f.run(`mutation { createAlertRule(input: { name: "open ports", condition: { wildcardListener: { allowPorts: [22, 80], protocols: [TCP] } }, severity: CRITICAL, forMs: 5000,
        webhook: { url: "http://ops:pa55@127.0.0.1:9/hook", format: ALERTMANAGER, headers: [{ name: "Authorization", value: "Bearer s3cret" }], secret: "0123456789abcdef" }, scope: { namespaces: ["web-*"] } }) { ${RULE} ${ERRORS} } }`),
    ).createAlertRule;
    expect(created.userErrors).toEqual([]);
    expect(created.alertRule).toMatchObject({
      name: "open ports",
      enabled: true,
      severity: "CRITICAL",
      forMs: 5000,
      condition: { __typename: "WildcardListenerCondition", allowPorts: [22, 80], protocols: ["TCP"] },
      // Header values and the secret are never shown.
      webhook: { url: "http://ops:***@127.0.0.1:9/hook", format: "ALERTMANAGER", headerNames: ["Authorization"], signed: true },
      scope: { namespaces: ["web-*"], containers: null },
    });
    const id = created.alertRule.id;
    expect(Buffer.from(id, "base64url").toString()).toBe(`AlertRule:${created.alertRule.ruleId}`);
    expect(f.alerts.rule(created.alertRule.ruleId)!.condition).toEqual({ type: "wildcardListener", allowPorts: [22, 80], protocols: ["tcp"] });
    expect(f.alerts.rule(created.alertRule.ruleId)!.webhook).toEqual({ url: "http://ops:pa55@127.0.0.1:9/hook", format: "alertmanager", headers: { Authorization: "Bearer s3cret" }, secret: "0123456789abcdef" });
    // A rule is a Node.
    expect(data(await f.run(`query($id: ID!) { node(id: $id) { id ... on AlertRule { name } } }`, { id })).node).toEqual({ id, name: "open ports" });

    const updated = data(await f.run(`mutation($id: ID!) { updateAlertRule(input: { id: $id, enabled: false, condition: { interfaceDown: { name: "eth*", kinds: [VETH] } }, webhook: null }) { ${RULE} ${ERRORS} } }`, { id })).updateAlertRule;
    expect(updated.userErrors).toEqual([]);
    expect(updated.alertRule).toMatchObject({ enabled: false, condition: { __typename: "InterfaceDownCondition", name: "eth*", kinds: ["VETH"] }, webhook: null, name: "open ports", scope: { namespaces: ["web-*"] } });
    expect(data(await f.run(`{ alertRules { id } }`)).alertRules.map((r: any) => r.id)).toContain(id);

    const deleted = data(await f.run(`mutation($id: ID!) { deleteAlertRule(input: { id: $id }) { deletedAlertRuleId ${ERRORS} } }`, { id })).deleteAlertRule;
    expect(deleted).toEqual({ deletedAlertRuleId: id, userErrors: [] });
    expect(f.alerts.rule(created.alertRule.ruleId)).toBeNull();
    const builtIn = data(await f.run(`mutation { deleteAlertRule(input: { id: "builtin-discovery" }) { deletedAlertRuleId ${ERRORS} } }`)).deleteAlertRule;
    expect(builtIn).toEqual({ deletedAlertRuleId: null, userErrors: [{ field: ["input", "id"], code: "BUILT_IN", message: expect.stringContaining("is built in") }] });
    const missing = data(await f.run(`mutation { deleteAlertRule(input: { id: "nope" }) { ${ERRORS} } }`)).deleteAlertRule;
    expect(missing.userErrors).toEqual([{ field: ["input", "id"], code: "NOT_FOUND", message: "no alert rule 'nope'" }]);
  });

  test("bad rule inputs come back as userErrors naming the field, with a code; nothing is created", async () => {
    const cases: [string, string[], string, string][] = [
      [`condition: { wildcardListener: { allowPorts: [22, 99999] } }`, ["input", "condition", "wildcardListener", "allowPorts", "1"], "must be a port from 1 to 65535", "INVALID"],
      [`condition: { change: { kinds: [] } }`, ["input", "condition", "change", "kinds"], "must not be empty", "INVALID"],
      [`condition: { interfaceDown: { name: "" } }`, ["input", "condition", "interfaceDown", "name"], "must be a non-empty string", "INVALID"],
      [`condition: { change: { kinds: [INTERFACE] } }, forMs: 1000`, ["input", "forMs"], "must be 0 for a 'change' condition", "INVALID"],
      [`condition: { promiscuous: {} }, webhook: { url: "ftp://x" }`, ["input", "webhook", "url"], "must use http or https", "INVALID"],
      [`condition: { promiscuous: {} }, webhook: { url: "http://x", secret: "short" }`, ["input", "webhook", "secret"], "16 to 512 characters", "INVALID"],
      [`condition: { promiscuous: {} }, webhook: { url: "http://x", headers: [{ name: "Content-Type", value: "text/plain" }] }`, ["input", "webhook", "headers", "Content-Type"], "is set by wiresight itself", "INVALID"],
      [`condition: { promiscuous: {} }, scope: { namespaces: [] }`, ["input", "scope", "namespaces"], "must not be empty", "INVALID"],
    ];
    for (const [fields, path, message, code] of cases) {
      const r = await f.run(`mutation { createAlertRule(input: { name: "x", ${fields} }) { alertRule { id } ${ERRORS} } }`);
      expect(errorsOf(r)).toEqual([]);
      const p = data(r).createAlertRule;
      expect(p.alertRule).toBeNull();
      expect(p.userErrors).toHaveLength(1);
      expect(p.userErrors[0]).toMatchObject({ field: path, code });
      expect(p.userErrors[0].message).toContain(message);
    }
    // A name in use is TAKEN.
    const ok = `condition: { promiscuous: {} }`;
    expect(data(await f.run(`mutation { createAlertRule(input: { name: "dup", ${ok} }) { ${ERRORS} } }`)).createAlertRule.userErrors).toEqual([]);
    expect(data(await f.run(`mutation { createAlertRule(input: { name: "dup", ${ok} }) { ${ERRORS} } }`)).createAlertRule.userErrors).toEqual([{ field: ["input", "name"], code: "TAKEN", message: "name: a rule named 'dup' already exists" }]);
    // Two conditions at once (or none) is not a valid document: @oneOf.
    expect(errorsOf(await f.run(`mutation { createAlertRule(input: { name: "y", condition: { promiscuous: {}, interfaceDown: {} } }) { ${ERRORS} } }`)).join()).toContain(`OneOf Input Object "AlertConditionInput" must specify exactly one key`);
    expect(f.alerts.rules().filter((r) => r.name === "x" || r.name === "y")).toEqual([]);
  });

  test("alerts: a connection of Nodes, filtered, with labels and the subject as a Node", async () => {
    const subject = f.keys.b;
    f.alerts.emit(alertOf({ id: "x1", state: "resolved", subject, revision: 3 }));
    f.alerts.emit(alertOf({ id: "x2", state: "firing", subject, revision: 3 }));
    f.alerts.emit(alertOf({ id: "x3", state: "firing", subject: "discovery", revision: 4 }));
    const d = data(await f.run(`{ alerts(filter: { states: [FIRING] }, first: 10) { totalCount nodes { id state revision subjectKey fingerprint labels { name value } subject { id ... on NetworkNamespace { key } } } } }`));
    expect(d.alerts.totalCount).toBe(2);
    const x2 = d.alerts.nodes.find((a: any) => a.subjectKey === subject);
    expect(x2).toMatchObject({ id: Buffer.from("Alert:x2").toString("base64url"), state: "FIRING", revision: 3, subject: { key: subject } });
    expect(x2.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(x2.labels).toContainEqual({ name: "subject", value: subject });
    expect(d.alerts.nodes.find((a: any) => a.subjectKey === "discovery").subject).toBeNull();
    expect(data(await f.run(`query($id: ID!) { node(id: $id) { ... on Alert { state } } }`, { id: x2.id })).node).toEqual({ state: "FIRING" });
  });
});
