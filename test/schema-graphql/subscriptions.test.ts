// topologyChanges and alerts subscriptions: replay with sinceRevision then live without gap or
// duplicate (including a revision committed before subscribing but published after), filters,
// and the listener removed when the client goes away.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ExecutionResult } from "graphql";
import { requireRoot } from "../helpers/lab.ts";
import { alertOf } from "./alerts-double.ts";
import { data, errorsOf, makeFixture, subscribeTo, type Fixture } from "./fixture.ts";

const root = requireRoot();
let f: Fixture;

beforeAll(async () => {
  if (!root) return;
  f = await makeFixture();
}, 60_000);

afterAll(() => f?.cleanup());

const CHANGES = `subscription($since: Int, $filter: TopologyChangeFilter) {
  topologyChanges(sinceRevision: $since, filter: $filter) {
    __typename revision kind op key nodeId
    ... on EntityChanged { fields { field } }
    ... on EntityAdded { after }
  }
}`;

type Iter = AsyncIterableIterator<ExecutionResult<any>>;

async function take(it: Iter, n: number): Promise<any[]> {
  const out: any[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(data(r.value).topologyChanges);
  }
  return out;
}

describe.if(root)("topologyChanges", () => {
  test("replays from sinceRevision, then goes live with no gap and no duplicate", async () => {
    const since = f.live.current().revision;
    // r2: recorded and published before anyone subscribes (replay must carry it).
    f.lab.ip(f.ns.a, "link", "add", "s1", "type", "veth", "peer", "name", "s2");
    const b2 = f.rediscover()!;
    // r3: recorded but published only after the subscription starts (in replay AND live).
    f.lab.ip(f.ns.a, "link", "set", "s1", "mtu", "1400");
    const b3 = f.rediscover({ publish: false })!;
    expect(b3.revision).toBeGreaterThan(b2.revision);

    const it = (await subscribeTo(f, CHANGES, { since })) as Iter;
    expect(f.live.subscriberCount).toBe(1);
    f.live.publishHeld(); // r3 arrives live too: must not be sent twice
    // r4: a new batch after the subscription.
    f.lab.ip(f.ns.a, "link", "del", "s1");
    const b4 = f.rediscover()!;

    const expected = f.store.changes({ revision: since }, { revision: b4.revision });
    const got = await take(it, expected.length);
    expect(got.map((e) => `${e.revision} ${e.op} ${e.key}`)).toEqual(expected.map((e) => `${e.revision} ${e.op.toUpperCase()} ${e.key}`));
    const revisions = got.map((e) => e.revision);
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    expect(new Set(revisions)).toEqual(new Set([b2.revision, b3.revision, b4.revision].filter((r) => expected.some((e) => e.revision === r))));
    // Typed per op, with node ids, and the changed fields.
    const mtu = got.find((e) => e.__typename === "EntityChanged" && e.revision === b3.revision && e.fields.some((x: any) => x.field === "mtu"));
    expect(mtu).toBeDefined();
    expect(got.find((e) => e.__typename === "EntityAdded" && e.kind === "INTERFACE" && e.after.name === "s1")).toBeDefined();
    // s1 and s2 (other namespaces of a busy host may lose interfaces meanwhile: not counted).
    expect(got.filter((e) => e.op === "REMOVED" && e.kind === "INTERFACE" && e.key.startsWith(`${f.keys.a}/`)).length).toBe(2);

    // Nothing more is pending; the client leaves: the listener is gone.
    const pending = it.next();
    await it.return!();
    expect((await pending).done).toBe(true);
    expect(f.live.subscriberCount).toBe(0);
  }, 60_000);

  test("filters by kind, op and namespace", async () => {
    const it = (await subscribeTo(f, CHANGES, { filter: { kinds: ["INTERFACE"], ops: ["ADDED"], namespace: f.ns.b } })) as Iter;
    f.lab.ip(f.ns.a, "link", "add", "t1", "type", "veth", "peer", "name", "t2"); // namespace a: filtered out
    f.lab.ip(f.ns.b, "link", "add", "u1", "type", "veth", "peer", "name", "u2");
    f.rediscover();
    const got = await take(it, 2);
    expect(got.map((e) => `${e.kind} ${e.op} ${e.after.name}`).sort()).toEqual(["INTERFACE ADDED u1", "INTERFACE ADDED u2"]);
    expect(got.every((e) => e.key.startsWith(`${f.keys.b}/`))).toBe(true);
    await it.return!();
    expect(f.live.subscriberCount).toBe(0);
  }, 60_000);

  test("bad sinceRevision values are refused with a clear error and leave no listener", async () => {
    const latest = f.live.current().revision;
    for (const [since, message] of [
      [latest + 10, `is after the latest revision ${latest}`],
      [-1, "must be a revision number"],
    ] as const) {
      const r = (await subscribeTo(f, CHANGES, { since })) as ExecutionResult;
      expect(errorsOf(r).join("; ")).toContain(message);
    }
    expect(f.live.subscriberCount).toBe(0);
  });
});

describe.if(root)("revisions", () => {
  test("one event per revision carrying all its changes (a burst is one event), replayed then live", async () => {
    const since = f.live.current().revision;
    // A burst: three interfaces in one revision.
    f.lab.ip(f.ns.b, "link", "add", "r1", "type", "veth", "peer", "name", "r2");
    f.lab.ip(f.ns.b, "link", "add", "r3", "type", "bridge");
    const burst = f.rediscover()!;
    const it = (await subscribeTo(f, `subscription($s: Int, $ns: String) { revisions(sinceRevision: $s, filter: { kinds: [INTERFACE], namespace: $ns }) { revision time cause { kind } changes { id op key ... on EntityAdded { after } } } }`, { s: since, ns: f.ns.b })) as Iter;
    const replayed = data((await it.next()).value as ExecutionResult<any>).revisions;
    expect(replayed.revision).toBe(burst.revision);
    expect(replayed.cause).toBeNull(); // causes are not stored: a replayed revision has none
    expect(replayed.changes.map((c: any) => `${c.op} ${c.after.name}`).sort()).toEqual(["ADDED r1", "ADDED r2", "ADDED r3"]);
    f.lab.ip(f.ns.b, "link", "del", "r3");
    const live = f.rediscover()!;
    const next = data((await it.next()).value as ExecutionResult<any>).revisions;
    expect(next).toMatchObject({ revision: live.revision, cause: { kind: "PERIODIC" } });
    expect(next.changes.map((c: any) => c.op)).toEqual(["REMOVED"]);
    await it.return!();
    expect(f.live.subscriberCount).toBe(0);
  }, 60_000);
});

describe.if(root)("alerts subscription", () => {
  test("replays the changes after sinceSequence, then goes live without gap or duplicate, and unsubscribes on return", async () => {
    const before = f.alerts.emit(alertOf({ id: "a0", state: "firing" }));
    f.alerts.emit(alertOf({ id: "a0", state: "resolved" }));
    // Stored but not yet told: both the replay and the live stream carry it; it must come once.
    const held = f.alerts.emit(alertOf({ id: "a1", state: "firing" }), { silent: true });
    const it = (await subscribeTo(f, `subscription($s: Int) { alerts(sinceSequence: $s, filter: { states: [FIRING, RESOLVED] }) { sequence state alert { id state subjectKey } } }`, { s: before.sequence })) as Iter;
    expect(f.alerts.subscriberCount).toBe(1);
    f.alerts.publish(held);
    f.alerts.emit(alertOf({ id: "a2", state: "pending" })); // filtered out
    f.alerts.emit(alertOf({ id: "a2", state: "firing" }));
    const got: any[] = [];
    for (let i = 0; i < 3; i++) got.push(data((await it.next()).value as ExecutionResult<any>).alerts);
    expect(got.map((e) => [e.sequence, e.state, e.alert.id])).toEqual([
      [before.sequence + 1, "RESOLVED", Buffer.from("Alert:a0").toString("base64url")],
      [held.sequence, "FIRING", Buffer.from("Alert:a1").toString("base64url")],
      [held.sequence + 2, "FIRING", Buffer.from("Alert:a2").toString("base64url")],
    ]);
    await it.return!();
    expect(f.alerts.subscriberCount).toBe(0);
  });
});
