// Rule inputs from users: every mistake gets a message naming the field (and, in a rules file,
// the rule), and a rules file is upserted by name at start.

import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { AlertEngine, checkRuleInput, parseRuleFile, RuleFileError } from "../../src/alerts/index.ts";
import { Store } from "../../src/store/index.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { tempDir } from "../store/helpers.ts";
import { SYNTHETIC_TIME as T0, syntheticTopology } from "../store/synthetic.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const base = { name: "r", condition: { type: "promiscuous" } };

describe("rule validation", () => {
  test("defaults for what may be left out", () => {
    expect(checkRuleInput(base)).toEqual({ name: "r", enabled: true, condition: { type: "promiscuous" }, forMs: 0, severity: "warning", webhook: null, scope: null });
  });

  test.each([
    [null, "a rule must be an object, got null"],
    [{ condition: { type: "promiscuous" } }, "name: is required"],
    [{ name: "r" }, "condition: is required"],
    [{ ...base, nmae: "x" }, "nmae: unknown field (expected 'name', 'enabled', 'condition', 'forMs', 'severity', 'webhook', 'scope')"],
    [{ ...base, name: "  " }, 'name: must be a non-empty string, got "  "'],
    [{ ...base, enabled: "yes" }, 'enabled: must be true or false, got "yes"'],
    [{ ...base, forMs: 1.5 }, "forMs: must be a duration in ms from 0 to 604800000, got 1.5"],
    [{ ...base, severity: "high" }, "severity: must be one of 'info', 'warning', 'critical', got \"high\""],
    [{ ...base, webhook: "javascript:alert(1)" }, "webhook: must use http or https, not javascript"],
    [{ ...base, webhook: "not a url" }, 'webhook: is not a valid URL: "not a url"'],
    [{ ...base, webhook: { url: "http://x", format: "pagerduty" } }, "webhook.format: must be one of 'wiresight', 'alertmanager', 'alertmanager-api', got \"pagerduty\""],
    [{ ...base, webhook: { url: "http://x", headers: { "Bad Name": "v" } } }, "webhook.headers.Bad Name: is not a valid header name"],
    [{ ...base, webhook: { url: "http://x", headers: { "X-A": "a\r\nInjected: 1" } } }, "webhook.headers.X-A: must be a string of at most 4096 characters without line breaks"],
    [{ ...base, webhook: { url: "http://x", headers: { Host: "evil" } } }, "webhook.headers.Host: is set by wiresight itself"],
    [{ ...base, webhook: { url: "http://x", secret: "short" } }, "webhook.secret: must be a string of 16 to 512 characters"],
    [{ ...base, webhook: { url: "http://x", hmac: "x" } }, "webhook.hmac: unknown field (expected 'url', 'format', 'headers', 'secret')"],
    [{ ...base, scope: { pods: ["x"] } }, "scope.pods: unknown field (expected 'namespaces', 'containers')"],
    [{ ...base, scope: { namespaces: [""] } }, "scope.namespaces[0]: must be a non-empty string"],
    [{ ...base, condition: { type: "wildcard" } }, "condition.type: must be one of 'wildcardListener', 'interfaceDown', 'promiscuous', 'containerLeftBridge', 'namespaceWithoutTenant', 'change', 'discoveryHealth', got \"wildcard\""],
    [{ ...base, condition: { type: "wildcardListener", allowPorts: [22, 70000] } }, "condition.allowPorts[1]: must be a port from 1 to 65535, got 70000"],
    [{ ...base, condition: { type: "wildcardListener", allowPorts: [], protocols: ["sctp"] } }, "condition.protocols[0]: must be one of 'tcp', 'udp', got \"sctp\""],
    [{ ...base, condition: { type: "interfaceDown", kinds: ["wifi"] } }, "condition.kinds[0]: must be one of 'loopback', 'physical', 'veth', 'bridge', 'macvlan', 'vlan', 'vxlan', 'tuntap', 'ipvlan', 'bond', 'team', 'vrf', 'wireguard', 'geneve', 'gre', 'iptunnel', 'netkit', 'other', got \"wifi\""],
    [{ ...base, condition: { type: "promiscuous", nme: "eth*" } }, "condition.nme: unknown field (expected 'type', 'name', 'kinds')"],
    [{ ...base, condition: { type: "change", kinds: [] } }, "condition.kinds: must not be empty"],
    [{ ...base, condition: { type: "change", kinds: ["link"] } }, "condition.kinds[0]: must be one of 'namespace', 'interface', 'address', 'route', 'socket', 'process', 'PID namespace', 'forwarded port', 'engine', 'container', 'container network', 'pod', 'service', got \"link\""],
    [{ ...base, condition: { type: "change", kinds: ["interface"], ops: ["moved"] } }, "condition.ops[0]: must be one of 'added', 'removed', 'changed', got \"moved\""],
    [{ ...base, forMs: 5, condition: { type: "change", kinds: ["interface"] } }, "forMs: must be 0 for a 'change' condition"],
    [{ ...base, condition: { type: "namespaceWithoutTenant", ignoreBindMounted: 1 } }, "condition.ignoreBindMounted: must be true or false, got 1"],
    [{ ...base, condition: { type: "discoveryHealth" } }, "condition.stalledAfterMs: must be a duration in ms from 1000 to 604800000, got nothing"],
  ])("%j → %s", (input, message) => {
    expect(() => checkRuleInput(input)).toThrow(message);
  });

  test("the error names its field", () => {
    try {
      checkRuleInput({ ...base, condition: { type: "wildcardListener", allowPorts: ["80"] } });
      throw new Error("no error");
    } catch (err) {
      expect(err).toMatchObject({ name: "AlertRuleError", field: "condition.allowPorts[0]" });
    }
  });
});

describe("rules file", () => {
  test.each([
    ["{", "rules file f.json is not valid JSON"],
    ['{"name": "x"}', "rules file f.json must hold a JSON array of rules, got object"],
    ['[{"name": "a", "condition": {"type": "promiscuous"}}, {"name": "b", "condition": {"type": "interfaceDown", "kinds": "veth"}}]', "rules file f.json, rule 2 ('b'): condition.kinds: must be a list, got \"veth\""],
    ['[{"name": "a", "condition": {"type": "promiscuous"}}, {"name": "a", "condition": {"type": "promiscuous"}}]', "rules file f.json, rule 2 ('a'): name: 'a' is already the name of rule 1"],
    ['[{"condition": {"type": "promiscuous"}}]', "rules file f.json, rule 1: name: is required"],
  ])("%s → %s", (text, message) => {
    expect(() => parseRuleFile(text, "f.json")).toThrow(message);
  });

  test("upserted by name at start: new rules created, existing ones updated, the built-in one configurable", async () => {
    const store = Store.open(tmp.db);
    const live = new LiveDouble(store, syntheticTopology());
    const first = AlertEngine.open({ store, live, now: () => T0, tickMs: null });
    const kept = first.createRule({ name: "promisc", enabled: true, condition: { type: "promiscuous" }, forMs: 0, severity: "info", webhook: null });
    await first.close();

    const file = join(tmp.dir, "rules.json");
    writeFileSync(
      file,
      JSON.stringify([
        { name: "promisc", condition: { type: "promiscuous", kinds: ["veth"] }, severity: "critical" },
        { name: "open ports", condition: { type: "wildcardListener", allowPorts: [22, 443] }, forMs: 30000, webhook: "http://127.0.0.1:9/hook" },
        { name: "discovery health", condition: { type: "discoveryHealth", stalledAfterMs: 120000 }, webhook: "https://example.invalid/alerts" },
      ]),
    );
    const second = AlertEngine.open({ store, live, now: () => T0, tickMs: null, rulesFile: file, warn: () => {} });
    const byName = new Map(second.rules().map((r) => [r.name, r]));
    expect(byName.get("promisc")).toMatchObject({ id: kept.id, condition: { type: "promiscuous", kinds: ["veth"] }, severity: "critical" });
    expect(byName.get("open ports")).toMatchObject({ forMs: 30000, webhook: { url: "http://127.0.0.1:9/hook", format: "wiresight", headers: {}, secret: null }, builtIn: false });
    expect(byName.get("discovery health")).toMatchObject({ builtIn: true, condition: { stalledAfterMs: 120000 }, webhook: { url: "https://example.invalid/alerts", format: "wiresight" } });
    expect(second.rules()).toHaveLength(3);
    await second.close();

    writeFileSync(file, JSON.stringify([{ name: "health 2", condition: { type: "discoveryHealth", stalledAfterMs: 5000 } }]));
    expect(() => AlertEngine.open({ store, live, now: () => T0, tickMs: null, rulesFile: file })).toThrow(
      "rules file " + file + ", rule 1 ('health 2'): condition.type: 'discoveryHealth' is built in (rule 'discovery health')",
    );
    expect(() => AlertEngine.open({ store, live, now: () => T0, tickMs: null, rulesFile: join(tmp.dir, "missing.json") })).toThrow(RuleFileError);
    store.close();
  });
});
