// The alert engine on hand-made topologies recorded in a real store (no kernel needed): state
// transitions, persistence across a reopen, history pruning, the health self-alert, containers
// leaving a network, webhooks (wiresight's, Alertmanager's and an Alertmanager's API formats,
// signed, with headers, to a receiver on loopback; failing without blocking), rule management errors.

import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { createHmac } from "node:crypto";
import { AlertEngine, AlertRuleError, BUILT_IN_HEALTH_RULE, SIGNATURE_HEADER, signature, TIMESTAMP_HEADER, type Alert, type AlertmanagerWebhookPayload, type PostableAlert, type WebhookPayload, type WebhookTarget } from "../../src/alerts/index.ts";
import { containerKey, containerNetworkKey, engineKey } from "../../src/model/containers.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Store } from "../../src/store/index.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { tempDir } from "../store/helpers.ts";
import { later, SYNTHETIC_TIME as T0, syntheticTopology } from "../store/synthetic.ts";

const dirs: { cleanup(): void }[] = [];
const open: { engine: AlertEngine; store: Store }[] = [];

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.engine.close();
    o.store.close();
  }
});
afterAll(() => {
  for (const d of dirs) d.cleanup();
});

/** A fresh store with the synthetic topology as revision 1, an engine on it, and a hand-driven clock. */
function setup(opts: { first?: Topology; warn?: string[]; history?: { maxAgeMs?: number; maxCount?: number } } = {}) {
  const tmp = tempDir();
  dirs.push(tmp);
  const clock = { now: T0 };
  const store = Store.open(tmp.db);
  const live = new LiveDouble(store, opts.first ?? syntheticTopology(T0));
  const warnings = opts.warn ?? [];
  const engine = AlertEngine.open({ store, live, now: () => clock.now, tickMs: null, warn: (m) => warnings.push(m), history: opts.history, webhookRetryDelayMs: 1 });
  const seen: Alert[] = [];
  engine.subscribe((e) => seen.push(e.alert));
  open.push({ engine, store });
  return { tmp, clock, store, live, engine, seen, warnings };
}

const SOCKET = "netns:00000000-0000-4000-8000-000000000001:4097/sock:77";

/** The synthetic topology with its blue namespace's listener gone. */
function withoutListener(t: Topology): Topology {
  const c = structuredClone(t);
  c.namespaces[1]!.sockets = [];
  return c;
}

describe("state transitions", () => {
  test("a wildcard listener fires at once, names its address and process, and resolves when it goes", () => {
    const { engine, live, clock, seen } = setup();
    const rule = engine.createRule({ name: "open ports", enabled: true, condition: { type: "wildcardListener", allowPorts: [22] }, forMs: 0, severity: "warning", webhook: null });
    const [a] = engine.alerts({ ruleId: rule.id });
    expect(a).toMatchObject({ state: "firing", subject: SOCKET, ruleName: "open ports", severity: "warning", firedAt: new Date(T0).toISOString(), revision: 1 });
    expect(a!.message).toBe("tcp 0.0.0.0:80 (http) listens on every address in namespace blue, owned by sleep[200]");
    expect(a!.entities).toEqual([SOCKET, "netns:00000000-0000-4000-8000-000000000001:4097", "proc:00000000-0000-4000-8000-000000000001:200:5000"]);

    clock.now += 5000;
    live.record(withoutListener(later(syntheticTopology(T0), 5)));
    const [r] = engine.alerts({ ruleId: rule.id });
    expect(r).toMatchObject({ id: a!.id, state: "resolved", resolvedAt: new Date(T0 + 5000).toISOString(), revision: 2 });
    expect(seen.filter((x) => x.ruleId === rule.id).map((x) => x.state)).toEqual(["firing", "resolved"]);
    expect(engine.transitions(a!.id).map((t) => [t.state, t.revision])).toEqual([["firing", 1], ["resolved", 2]]);
  });

  test("an allowed port or a protocol left out does not fire", () => {
    const { engine } = setup();
    const allowed = engine.createRule({ name: "allow 80", enabled: true, condition: { type: "wildcardListener", allowPorts: [80] }, forMs: 0, severity: "info", webhook: null });
    const udp = engine.createRule({ name: "udp only", enabled: true, condition: { type: "wildcardListener", allowPorts: [], protocols: ["udp"] }, forMs: 0, severity: "info", webhook: null });
    expect(engine.alerts({ ruleId: allowed.id })).toEqual([]);
    expect(engine.alerts({ ruleId: udp.id })).toEqual([]);
  });

  test("with `for`, an alert is pending until the condition held that long, then fires", () => {
    const { engine, clock, seen } = setup();
    const rule = engine.createRule({ name: "slow", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 60_000, severity: "critical", webhook: null });
    expect(engine.alerts({ ruleId: rule.id })).toMatchObject([{ state: "pending", firedAt: null }]);
    clock.now += 59_999;
    engine.tick();
    expect(engine.alerts({ ruleId: rule.id })).toMatchObject([{ state: "pending" }]);
    clock.now += 1;
    engine.tick();
    expect(engine.alerts({ ruleId: rule.id })).toMatchObject([{ state: "firing", since: new Date(T0).toISOString(), firedAt: new Date(T0 + 60_000).toISOString() }]);
    expect(seen.filter((x) => x.ruleId === rule.id).map((x) => x.state)).toEqual(["pending", "firing"]);
  });

  test("a pending alert whose condition stops holding is resolved without ever firing", () => {
    const { engine, clock, live } = setup();
    const rule = engine.createRule({ name: "slow", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 60_000, severity: "critical", webhook: null });
    clock.now += 10_000;
    live.record(withoutListener(later(syntheticTopology(T0), 10)));
    expect(engine.alerts({ ruleId: rule.id })).toMatchObject([{ state: "resolved", firedAt: null }]);
  });

  test("a change rule fires and resolves at the revision that made the change, with the fields", () => {
    const { engine, live, seen } = setup();
    const rule = engine.createRule({ name: "mtu", enabled: true, condition: { type: "change", kinds: ["interface"], ops: ["changed"], fields: ["mtu"] }, forMs: 0, severity: "info", webhook: null });
    const t = later(syntheticTopology(T0), 1);
    t.namespaces[1]!.interfaces[0]!.alias = "only the alias";
    live.record(t);
    expect(engine.alerts({ ruleId: rule.id })).toEqual([]); // a field not asked for
    const t2 = later(t, 1);
    t2.namespaces[1]!.interfaces[0]!.mtu = 9000;
    live.record(t2);
    const mine = seen.filter((a) => a.ruleId === rule.id);
    expect(mine.map((a) => a.state)).toEqual(["firing", "resolved"]);
    expect(mine[0]!.message).toBe("interface veth-b in blue changed (mtu: 1500 → 9000)");
    expect(mine[0]!.revision).toBe(3);
  });

  test("disabling a rule resolves its alerts; enabling it again fires anew", () => {
    const { engine } = setup();
    const rule = engine.createRule({ name: "open ports", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "warning", webhook: null });
    engine.updateRule(rule.id, { enabled: false });
    expect(engine.alerts({ ruleId: rule.id }).map((a) => a.state)).toEqual(["resolved"]);
    engine.updateRule(rule.id, { enabled: true });
    expect(engine.alerts({ ruleId: rule.id }).map((a) => a.state).sort()).toEqual(["firing", "resolved"]);
  });
});

describe("persistence", () => {
  test("rules survive a reopen; a firing alert resumes (same alert, no second firing) and resolves later", async () => {
    const { engine, store, live, clock, tmp } = setup();
    const rule = engine.createRule({ name: "open ports", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "warning", webhook: null });
    const pend = engine.createRule({ name: "pending one", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 60_000, severity: "warning", webhook: null });
    const before = engine.alerts({ state: ["firing", "pending"] });
    await engine.close();
    open.length = 0;

    const warnings: string[] = [];
    clock.now += 30_000;
    const again = AlertEngine.open({ store, live, now: () => clock.now, tickMs: null, warn: (m) => warnings.push(m) });
    open.push({ engine: again, store });
    const seen: Alert[] = [];
    again.subscribe((e) => seen.push(e.alert));
    expect(again.rules().map((r) => r.name)).toEqual([BUILT_IN_HEALTH_RULE, "open ports", "pending one"]);
    expect(again.rule(rule.id)).toEqual(rule);
    expect(again.alerts({ state: ["firing", "pending"] })).toEqual(before);
    live.record(later(syntheticTopology(T0), 30));
    expect(seen).toEqual([]);
    // The pending one kept its start: 60 s after it began (not after the reopen), it fires.
    clock.now += 30_000;
    again.tick();
    expect(seen.map((a) => [a.ruleId, a.state])).toEqual([[pend.id, "firing"]]);
    // The unique index allows one unresolved alert per rule and subject.
    const db = new Database(tmp.db, { readonly: true });
    expect(db.query("SELECT count(*) AS n FROM alerts WHERE state <> 'resolved'").get()).toEqual({ n: 2 });
    db.close();
    live.record(withoutListener(later(syntheticTopology(T0), 60)));
    expect(again.alerts({ ruleId: rule.id }).map((a) => a.state)).toEqual(["resolved"]);
  });

  test("resolved history is pruned by age and by count; active alerts are never pruned", () => {
    const { engine, live, clock } = setup({ history: { maxAgeMs: 3600_000, maxCount: 2 } });
    const rule = engine.createRule({ name: "any", enabled: true, condition: { type: "change", kinds: ["interface"] }, forMs: 0, severity: "info", webhook: null });
    const active = engine.createRule({ name: "open ports", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "info", webhook: null });
    let t = syntheticTopology(T0);
    for (let i = 0; i < 4; i++) {
      clock.now += 1000;
      t = later(t, 1);
      t.namespaces[0]!.interfaces[0]!.mtu = 1000 + i;
      live.record(t);
    }
    expect(engine.alerts({ ruleId: rule.id }).length).toBe(4);
    expect(engine.prune()).toBe(2);
    expect(engine.alerts({ ruleId: rule.id }).length).toBe(2);
    clock.now += 3600_001;
    expect(engine.prune()).toBe(2);
    expect(engine.alerts({ ruleId: rule.id })).toEqual([]);
    expect(engine.alerts({ ruleId: active.id }).map((a) => a.state)).toEqual(["firing"]);
  });
});

describe("storage failures", () => {
  test("a write that fails (file locked) tells nobody, keeps the stored state, and the next evaluation catches up", async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const clock = { now: T0 };
    const store = Store.open(tmp.db, { busyTimeoutMs: 0 });
    const live = new LiveDouble(store, syntheticTopology(T0));
    const warnings: string[] = [];
    const engine = AlertEngine.open({ store, live, now: () => clock.now, tickMs: null, warn: (m) => warnings.push(m) });
    open.push({ engine, store });
    const seen: Alert[] = [];
    engine.subscribe((e) => seen.push(e.alert));
    const rule = engine.createRule({ name: "slow", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 60_000, severity: "info", webhook: null });
    const other = new Database(tmp.db);
    other.run("BEGIN IMMEDIATE");
    try {
      clock.now += 60_000;
      engine.tick();
      expect(warnings).toEqual([expect.stringContaining("alert state could not be stored")]);
      expect(() => engine.updateRule(rule.id, { severity: "critical" })).toThrow(`${tmp.db} is locked by another writer`);
      expect(engine.rule(rule.id)!.severity).toBe("info");
    } finally {
      other.run("ROLLBACK");
      other.close();
    }
    expect(seen.map((a) => a.state)).toEqual(["pending"]);
    expect(engine.alerts({ ruleId: rule.id }).map((a) => a.state)).toEqual(["pending"]);
    engine.tick();
    expect(seen.map((a) => a.state)).toEqual(["pending", "firing"]);
    expect(engine.alerts({ ruleId: rule.id }).map((a) => a.state)).toEqual(["firing"]);
  });
});

describe("discovery health (built-in)", () => {
  test("created on first open; fires when discovery fails, and when it stalls; resolves when it recovers", () => {
    const { engine, live, clock } = setup();
    const health = engine.rules().find((r) => r.builtIn)!;
    expect(health).toMatchObject({ name: BUILT_IN_HEALTH_RULE, enabled: true, condition: { type: "discoveryHealth", stalledAfterMs: 90_000 }, severity: "critical" });
    expect(engine.alerts({ ruleId: health.id })).toEqual([]);

    live.setStatus({ consecutiveFailures: 2, lastError: { at: new Date(T0 + 1000).toISOString(), message: "netlink: EPERM" } });
    clock.now += 2000;
    engine.tick();
    const [failing] = engine.alerts({ ruleId: health.id });
    expect(failing).toMatchObject({ state: "firing", subject: "discovery" });
    expect(failing!.message).toContain("discovery failed 2 time(s) in a row");
    expect(failing!.message).toContain("netlink: EPERM");

    live.setStatus({ consecutiveFailures: 0, lastError: null });
    engine.tick();
    expect(engine.alerts({ ruleId: health.id }).map((a) => a.state)).toEqual(["resolved"]);

    clock.now = T0 + 90_001; // lastSuccessAt is T0
    engine.tick();
    const [stalled] = engine.alerts({ ruleId: health.id, state: ["firing"] });
    expect(stalled!.message).toContain(`no discovery succeeded since ${new Date(T0).toISOString()}`);
  });

  test("cannot be deleted, can be disabled, keeps its condition type; no second one can be made", () => {
    const { engine } = setup();
    const health = engine.rules().find((r) => r.builtIn)!;
    expect(() => engine.deleteRule(health.id)).toThrow("cannot be deleted, only disabled");
    expect(engine.updateRule(health.id, { enabled: false }).enabled).toBe(false);
    expect(() => engine.updateRule(health.id, { condition: { type: "promiscuous" } })).toThrow("its condition stays 'discoveryHealth'");
    expect(() => engine.createRule({ name: "mine", enabled: true, condition: { type: "discoveryHealth", stalledAfterMs: 5000 }, forMs: 0, severity: "info", webhook: null })).toThrow(
      "'discoveryHealth' is built in",
    );
    expect(engine.updateRule(health.id, { condition: { type: "discoveryHealth", stalledAfterMs: 5000 } }).condition).toEqual({ type: "discoveryHealth", stalledAfterMs: 5000 });
  });
});

describe("containers", () => {
  const ENGINE = engineKey("docker", "proc:00000000-0000-4000-8000-000000000001:300:6000");
  const NET_A = containerNetworkKey("docker", "a".repeat(64));
  const NET_B = containerNetworkKey("docker", "b".repeat(64));
  const C = containerKey("docker", "c".repeat(64));

  function withContainer(time: number, networks: string[]): Topology {
    const t = syntheticTopology(time);
    const net = (key: string, name: string) => ({ key, engine: ENGINE, id: key.slice(-64), name, driver: "bridge", internal: false, default: false, labels: {}, bridgeName: `br-${name}`, bridge: null, cni: null });
    t.containerNetworks = [net(NET_A, "front"), net(NET_B, "back")];
    const names: Record<string, string> = { [NET_A]: "front", [NET_B]: "back" };
    t.containers = [
      {
        key: C,
        engine: ENGINE,
        id: "c".repeat(64),
        name: "web",
        image: "nginx",
        state: "running",
        enginePid: 200,
        process: null,
        netns: t.namespaces[1]!.key,
        labels: {},
        privileged: false,
        groups: [],
        containerdNamespace: null,
        pod: null,
        networks: networks.map((n) => ({ network: n, name: names[n]!, ipv4: null, ipv6: null, mac: null, aliases: [] })),
      },
    ];
    return t;
  }

  test("a container that leaves a network fires (the named one only, with `network`); re-attaching resolves", () => {
    const { engine, live, clock } = setup({ first: withContainer(T0, [NET_A, NET_B]) });
    const any = engine.createRule({ name: "left any", enabled: true, condition: { type: "containerLeftBridge" }, forMs: 0, severity: "warning", webhook: null });
    const front = engine.createRule({ name: "left front", enabled: true, condition: { type: "containerLeftBridge", network: "front" }, forMs: 0, severity: "warning", webhook: null });
    clock.now += 1000;
    live.record(withContainer(T0 + 1000, [NET_A]));
    const [a] = engine.alerts({ ruleId: any.id });
    expect(a).toMatchObject({ state: "firing", subject: C, message: "container web left network back (bridge br-back)" });
    expect(a!.entities).toEqual([C, NET_B]);
    expect(engine.alerts({ ruleId: front.id })).toEqual([]);
    live.record(withContainer(T0 + 2000, []));
    expect(engine.alerts({ ruleId: front.id })).toMatchObject([{ state: "firing", message: "container web left network front (bridge br-front)" }]);
    expect(engine.alerts({ ruleId: any.id })).toMatchObject([{ state: "firing", message: "container web left network front (bridge br-front), network back (bridge br-back)" }]);
    live.record(withContainer(T0 + 3000, [NET_A, NET_B]));
    expect(engine.alerts({ state: ["firing"] }).filter((x) => x.subject === C)).toEqual([]);
    // Resolved, it says what became right, with the container's name in its labels.
    const [back] = engine.alerts({ ruleId: any.id });
    expect(back).toMatchObject({ state: "resolved", message: "container web is attached to its networks again", labels: { alertname: "left any", container: "web", namespace: "blue" } });
  });

  test("a rule's scope: only findings in matching namespaces (names, keys, globs) and of matching containers", () => {
    const { engine } = setup({ first: withContainer(T0, [NET_A]) });
    const rule = (name: string, scope: { namespaces?: string[]; containers?: string[] }) =>
      engine.createRule({ name, enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "info", webhook: null, scope });
    const firing = (r: { id: string }) => engine.alerts({ ruleId: r.id, state: ["firing"] }).map((a) => a.subject);
    expect(firing(rule("blue by glob", { namespaces: ["bl*"] }))).toEqual([SOCKET]);
    expect(firing(rule("blue by key", { namespaces: [SOCKET.split("/")[0]!] }))).toEqual([SOCKET]);
    expect(firing(rule("other namespaces", { namespaces: ["initial", "red-?"] }))).toEqual([]);
    expect(firing(rule("container web", { containers: ["w?b"] }))).toEqual([SOCKET]);
    expect(firing(rule("container db", { containers: ["db"] }))).toEqual([]);
    expect(firing(rule("both must hold", { namespaces: ["initial"], containers: ["web"] }))).toEqual([]);
  });
});

describe("webhooks", () => {
  /** A receiver on loopback that records every request (path, headers, body) and fails on /fail. */
  function receiver() {
    const requests: { path: string; headers: Headers; body: string }[] = [];
    let failures = 0;
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        const path = new URL(req.url).pathname;
        if (path === "/fail") {
          failures++;
          return new Response("no", { status: 503 });
        }
        requests.push({ path, headers: req.headers, body: await req.text() });
        return new Response("ok");
      },
    });
    return { url: `http://127.0.0.1:${server.port}`, requests, failures: () => failures, stop: () => server.stop(true) };
  }
  const hook = (url: string, more: Partial<WebhookTarget> = {}): WebhookTarget => ({ url, format: "wiresight", headers: {}, secret: null, ...more });

  test("wiresight's format: firing and resolved alerts with labels, annotations, fingerprint and times; a failing webhook is retried, warned about, and blocks nothing", async () => {
    const r = receiver();
    try {
      const warnings: string[] = [];
      const { engine, live, clock } = setup({ warn: warnings });
      const rule = engine.createRule({ name: "hooked", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "critical", webhook: hook(`${r.url}/hook`) });
      const failing = engine.createRule({ name: "broken hook", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "info", webhook: hook(`${r.url}/fail`) });
      // Evaluation went on while deliveries were pending: both rules already fired.
      expect(engine.alerts({ state: ["firing"] }).map((a) => a.ruleId).sort()).toEqual([rule.id, failing.id].sort());
      clock.now += 1000;
      live.record(withoutListener(later(syntheticTopology(T0), 1)));
      await engine.webhooksSettled();
      const received = r.requests.map((q) => JSON.parse(q.body) as WebhookPayload);
      expect(received.map((p) => [p.rule.name, p.alerts.map((a) => a.status)])).toEqual([
        ["hooked", ["firing"]],
        ["hooked", ["resolved"]],
      ]);
      const [fired, resolved] = [received[0]!.alerts[0]!, received[1]!.alerts[0]!];
      expect(received[0]).toMatchObject({ version: 2, source: "wiresight", rule: { id: rule.id, severity: "critical" } });
      expect(fired).toMatchObject({
        subject: SOCKET,
        ruleId: rule.id,
        status: "firing",
        startsAt: new Date(T0).toISOString(),
        endsAt: null,
        labels: { alertname: "hooked", severity: "critical", namespace: "blue", subject: SOCKET },
        annotations: { summary: "tcp 0.0.0.0:80 (http) listens on every address in namespace blue, owned by sleep[200]" },
      });
      expect(fired.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(fired.generatorURL).toStartWith("http://127.0.0.1:5000/graphql?query=");
      expect(decodeURIComponent(fired.generatorURL)).toContain(Buffer.from(`Alert:${fired.id}`).toString("base64url"));
      // Resolved: says what became right, keeps what was wrong, ends when it was resolved.
      expect(resolved).toMatchObject({ id: fired.id, fingerprint: fired.fingerprint, status: "resolved", startsAt: fired.startsAt, endsAt: new Date(T0 + 1000).toISOString() });
      expect(resolved.message).toBe("tcp 0.0.0.0:80 (http) in namespace blue no longer listens on every address");
      expect(resolved.annotations).toEqual({ summary: resolved.message, description: `was: ${fired.message}` });
      expect(r.failures()).toBe(6); // two deliveries, each tried 3 times
      expect(warnings.filter((w) => w.includes("broken hook"))).toHaveLength(2);
      expect(warnings[0]).toContain("failed after 3 attempt(s): HTTP 503");
      expect(engine.webhookCounts()).toEqual({ delivered: 2, failed: 2, dropped: 0 });
      // The next episode of the same rule and subject has the same fingerprint (a new id).
      clock.now += 1000;
      live.record(later(syntheticTopology(T0), 2));
      engine.deleteRule(rule.id);
      await engine.webhooksSettled();
      const later2 = r.requests.slice(2).map((q) => (JSON.parse(q.body) as WebhookPayload).alerts[0]!);
      expect(later2.map((a) => [a.status, a.fingerprint === fired.fingerprint, a.id === fired.id])).toEqual([["firing", true, false], ["resolved", true, false]]);
      // Deleting a rule resolves its alerts, and its webhook hears it, in words that do not say "listens".
      expect(later2[1]!.message).toBe("no longer checked (rule deleted): the socket in namespace blue");
    } finally {
      r.stop();
    }
  });

  test("Alertmanager's webhook format, custom headers and an HMAC signature over the timestamped body", async () => {
    const r = receiver();
    try {
      const { engine, live, clock } = setup();
      const secret = "a-secret-of-some-length";
      const rule = engine.createRule({
        name: "am",
        enabled: true,
        condition: { type: "wildcardListener", allowPorts: [] },
        forMs: 0,
        severity: "warning",
        webhook: hook(`${r.url}/am`, { format: "alertmanager", headers: { Authorization: "Bearer t0k3n", "X-Scope-OrgID": "edge" }, secret }),
      });
      clock.now += 2500;
      live.record(withoutListener(later(syntheticTopology(T0), 2)));
      await engine.webhooksSettled();
      expect(r.requests).toHaveLength(2);
      const [first, second] = r.requests;
      for (const q of [first!, second!]) {
        expect(q.headers.get("authorization")).toBe("Bearer t0k3n");
        expect(q.headers.get("x-scope-orgid")).toBe("edge");
        expect(q.headers.get("content-type")).toBe("application/json");
      }
      // The injected clock signs: the first at T0, the second 2.5 s later.
      expect(first!.headers.get(TIMESTAMP_HEADER)).toBe(String(T0 / 1000));
      expect(second!.headers.get(TIMESTAMP_HEADER)).toBe(String(Math.floor((T0 + 2500) / 1000)));
      for (const q of [first!, second!]) {
        const ts = Number(q.headers.get(TIMESTAMP_HEADER));
        const expected = `sha256=${createHmac("sha256", secret).update(`${ts}.${q.body}`).digest("hex")}`;
        expect(q.headers.get(SIGNATURE_HEADER)).toBe(expected);
        expect(signature(secret, ts, q.body)).toBe(expected);
        expect(signature("another secret, as long", ts, q.body)).not.toBe(expected);
      }
      const firing = JSON.parse(first!.body) as AlertmanagerWebhookPayload;
      expect(firing).toMatchObject({
        version: "4",
        status: "firing",
        receiver: "wiresight",
        groupLabels: { alertname: "am" },
        commonLabels: { alertname: "am", severity: "warning", namespace: "blue", subject: SOCKET },
        externalURL: "http://127.0.0.1:5000",
      });
      expect(firing.alerts).toHaveLength(1);
      expect(firing.alerts[0]).toMatchObject({ status: "firing", startsAt: new Date(T0).toISOString(), endsAt: "0001-01-01T00:00:00Z" });
      const resolved = JSON.parse(second!.body) as AlertmanagerWebhookPayload;
      expect(resolved.status).toBe("resolved");
      expect(resolved.alerts[0]).toMatchObject({ status: "resolved", endsAt: new Date(T0 + 2500).toISOString(), fingerprint: firing.alerts[0]!.fingerprint });
      expect(resolved.alerts[0]!.annotations.summary).not.toContain("listens on every address in");
      void rule;
    } finally {
      r.stop();
    }
  });

  test("an Alertmanager's API: POST /api/v2/alerts, firing alerts sent again before they lapse, resolved ones with their end", async () => {
    const r = receiver();
    try {
      const tmp = tempDir();
      dirs.push(tmp);
      const clock = { now: T0 };
      const store = Store.open(tmp.db);
      const live = new LiveDouble(store, syntheticTopology(T0));
      const engine = AlertEngine.open({ store, live, now: () => clock.now, tickMs: null, warn: () => {}, alertmanagerResendMs: 60_000, externalUrl: "https://wiresight.example:5000/" });
      open.push({ engine, store });
      engine.createRule({ name: "api", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "critical", webhook: hook(r.url, { format: "alertmanager-api" }) });
      await engine.webhooksSettled();
      clock.now += 60_000;
      engine.tick(); // a resend period passed: the firing alert is sent again
      await engine.webhooksSettled();
      clock.now += 1000;
      live.record(withoutListener(later(syntheticTopology(T0), 61)));
      await engine.webhooksSettled();
      expect(r.requests.map((q) => q.path)).toEqual(["/api/v2/alerts", "/api/v2/alerts", "/api/v2/alerts"]);
      const bodies = r.requests.map((q) => JSON.parse(q.body) as PostableAlert[]);
      expect(bodies.map((b) => b.length)).toEqual([1, 1, 1]);
      const [first, again, resolved] = bodies.map((b) => b[0]!);
      expect(first).toMatchObject({ startsAt: new Date(T0).toISOString(), endsAt: new Date(T0 + 4 * 60_000).toISOString(), labels: { alertname: "api", severity: "critical" } });
      expect(first!.generatorURL).toStartWith("https://wiresight.example:5000/graphql?query=");
      expect(again).toMatchObject({ startsAt: first!.startsAt, endsAt: new Date(T0 + 60_000 + 4 * 60_000).toISOString(), labels: first!.labels });
      expect(resolved).toMatchObject({ startsAt: first!.startsAt, endsAt: new Date(T0 + 61_000).toISOString(), labels: first!.labels });
    } finally {
      r.stop();
    }
  });

  test("an unreachable receiver times out or is refused without holding evaluation up", async () => {
    // A listener that accepts and never answers: the time limit ends each attempt.
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const tmp = tempDir();
      dirs.push(tmp);
      const store = Store.open(tmp.db);
      const live = new LiveDouble(store, syntheticTopology(T0));
      const warnings: string[] = [];
      const engine = AlertEngine.open({ store, live, now: () => T0, tickMs: null, webhookTimeoutMs: 200, webhookRetries: 1, webhookRetryDelayMs: 1, warn: (m) => warnings.push(m) });
      open.push({ engine, store });
      engine.createRule({ name: "silent", enabled: true, condition: { type: "wildcardListener", allowPorts: [] }, forMs: 0, severity: "info", webhook: { url: `http://127.0.0.1:${silent.port}/`, format: "wiresight", headers: {}, secret: null } });
      expect(engine.alerts({ state: ["firing"] })).toHaveLength(1);
      await engine.webhooksSettled();
      expect(warnings).toEqual([expect.stringContaining("failed after 2 attempt(s): no answer within 200 ms")]);
    } finally {
      silent.stop(true);
    }
  });
});

describe("rule management", () => {
  test("clear errors for bad input, duplicate names, unknown ids; the listed rules are unchanged by a failed call", () => {
    const { engine } = setup();
    const ok = { name: "x", enabled: true, condition: { type: "promiscuous" as const }, forMs: 0, severity: "info" as const, webhook: null };
    engine.createRule(ok);
    const rules = engine.rules();
    expect(() => engine.createRule(ok)).toThrow("name: a rule named 'x' already exists");
    expect(() => engine.createRule({ ...ok, name: "y", webhook: { url: "ftp://example.com/x", format: "wiresight", headers: {}, secret: null } })).toThrow("webhook.url: must use http or https, not ftp");
    expect(() => engine.updateRule("nope", { enabled: false })).toThrow("no alert rule with id 'nope'");
    expect(() => engine.updateRule(rules[1]!.id, { condition: { type: "change", kinds: ["interface"] }, forMs: 1000 })).toThrow("forMs: must be 0 for a 'change' condition");
    expect(() => engine.updateRule(rules[1]!.id, { forMs: -1 })).toThrow(AlertRuleError);
    expect(() => engine.alerts({ limit: 0 })).toThrow("limit: must be an integer from 1 to 10000");
    expect(engine.rules()).toEqual(rules);
    expect(engine.deleteRule("nope")).toBe(false);
    expect(engine.deleteRule(rules[1]!.id)).toBe(true);
    expect(engine.rules().map((r) => r.name)).toEqual([BUILT_IN_HEALTH_RULE]);
  });
});
