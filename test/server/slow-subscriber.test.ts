// A subscriber that stops reading is ended with an error naming the last revision it has in full,
// and `sinceRevision` from there gives it the rest: no gap, no duplicate — over graphql-ws and over
// SSE. A subscriber reading normally beside it gets everything. Real kernel changes (the veths of
// a lab namespace change MTU every revision), real discovery, a real store, the real schema and
// server. The paused clients stop reading at the TCP level (test/helpers/raw-clients.ts), so the
// kernel's buffers fill first, then the server's; the server's limits are set small so that a
// few megabytes of changes are enough.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ExecutionResult } from "graphql";
import { discover } from "../../src/discovery/discover.ts";
import { buildSchema, schemaLimits } from "../../src/schema/index.ts";
import { SLOW_SUBSCRIBER_CODE } from "../../src/server/fanout.ts";
import { startServer, type RunningServer } from "../../src/server/server.ts";
import { Store } from "../../src/store/index.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { RawGraphqlWs, rawSse } from "../helpers/raw-clients.ts";
import { AlertsDouble, alertOf } from "../schema-graphql/alerts-double.ts";
import { SseReader, wsClient } from "./clients.ts";

const root = requireRoot();
const PAIRS = 20;
// Each change carries its namespace with every interface: ~10 kB per change, ~40 changes a revision.
const SUBSCRIPTION = `subscription($since: Int) {
  topologyChanges(sinceRevision: $since) {
    revision op key
    ... on EntityChanged { before after fields { field before after } }
    node { id ... on Interface { namespace { key interfaces { key name kind mtu operState mac flags addresses { address prefixLength } } } } }
  }
}`;

const lab = new Lab();
let ns = "";
let store: Store;
let live: LiveDouble;
let server: RunningServer;
let revisionsServer: RunningServer | undefined;
const alerts = new AlertsDouble();
let mtu = 1500;

type Change = { revision: number; op: string; key: string };
const id = (e: Change) => `${e.revision} ${e.op} ${e.key}`;

beforeAll(async () => {
  if (!root) return;
  ns = lab.netns("slow");
  const lines = [];
  for (let i = 0; i < PAIRS; i++) lines.push(`link add a${i} type veth peer name b${i}`);
  sh("ip", ["-n", ns, "-batch", "-"], { input: lines.join("\n") + "\n" });
  store = Store.open(`${lab.dir}/history.db`);
  live = new LiveDouble(store, discover());
  server = await startServer({
    schema: buildSchema(),
    plugins: schemaLimits(),
    context: { live, store, alerts, baseUrl: "" },
    live,
    listen: "127.0.0.1:0",
    logging: false,
    subscriberLimits: { socketBytes: 64 * 1024, queuedEvents: 100 },
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await revisionsServer?.stop();
  store?.close();
  lab.cleanup();
});

/** One revision: every veth of the lab namespace gets a new MTU, discovered and recorded. */
function changeMtus(): void {
  mtu = mtu === 1500 ? 1400 : 1500;
  const lines = [];
  for (let i = 0; i < PAIRS; i++) lines.push(`link set a${i} mtu ${mtu}`, `link set b${i} mtu ${mtu}`);
  sh("ip", ["-n", ns, "-batch", "-"], { input: lines.join("\n") + "\n" });
  live.record(discover());
}

/** Revisions until the server has ended one subscriber (the live topology has one listener fewer). */
async function changeUntilOneEnds(): Promise<void> {
  const listeners = live.subscriberCount;
  for (let i = 0; i < 600; i++) {
    changeMtus();
    await Bun.sleep(5); // the server writes between revisions
    if (live.subscriberCount < listeners) return;
  }
  throw new Error("600 revisions and the paused subscriber was never ended");
}

async function waitForListeners(n: number): Promise<void> {
  for (let i = 0; live.subscriberCount !== n; i++) {
    if (i > 1000) throw new Error(`${live.subscriberCount} of ${n} subscribers after 10 s`);
    await Bun.sleep(10);
  }
}

/** Reads a graphql-ws subscription's `next` messages (picked from their data) until the message that ends it. */
async function drainUntilEnd<T>(sub: RawGraphqlWs, pick: (data: any) => T): Promise<{ got: T[]; end: any }> {
  const got: T[] = [];
  for (;;) {
    const m = await sub.next(20_000);
    if (m === null) throw new Error(`the connection closed: ${JSON.stringify(sub.ws.closed)}`);
    if (m.type !== "next") return { got, end: m };
    got.push(pick(m.payload.data));
  }
}

/** The store's changes after `from` up to `to`, as the subscription sends them. */
function recorded(from: number, to: number): string[] {
  return store.changes({ revision: from }, { revision: to }).map((e) => id({ ...e, op: e.op.toUpperCase() }));
}

describe.if(root)("a subscriber that stops reading", () => {
  test("graphql-ws: ended with the last revision it has in full; sinceRevision resumes without gap or duplicate; a reading subscriber loses nothing", async () => {
    const since = live.current().revision;
    const listeners = live.subscriberCount;
    const { client } = wsClient(server.url);
    const reader: Change[] = [];
    let readerError: unknown = null;
    const stopReader = client.subscribe<ExecutionResult<any>["data"]>(
      { query: SUBSCRIPTION, variables: { since } },
      { next: (r) => void reader.push(r.data!.topologyChanges), error: (e) => void (readerError = e), complete: () => {} },
    );
    const slow = await RawGraphqlWs.connect(server.url);
    slow.subscribe("slow", SUBSCRIPTION, { since });
    await waitForListeners(listeners + 2);
    slow.ws.pause();

    await changeUntilOneEnds();
    const latest = live.current().revision;

    slow.ws.resume();
    const { got, end } = await drainUntilEnd<Change>(slow, (data) => data.topologyChanges);
    expect(end.type).toBe("error");
    expect(end.id).toBe("slow");
    const error = end.payload[0];
    expect(error.extensions.code).toBe(SLOW_SUBSCRIBER_CODE);
    const last = error.extensions.lastRevision as number;
    expect(error.message).toContain(`sinceRevision: ${last}`);
    expect(last).toBeGreaterThanOrEqual(since);
    expect(last).toBeLessThan(latest); // it did fall behind
    expect(got.map(id)).toEqual(recorded(since, last));
    slow.ws.close();

    // Resumed from the named revision: exactly the rest.
    const again = await RawGraphqlWs.connect(server.url);
    again.subscribe("again", SUBSCRIPTION, { since: last });
    const rest: Change[] = [];
    const want = recorded(last, latest).length;
    while (rest.length < want) {
      const m = await again.next(20_000);
      if (m?.type !== "next") throw new Error(`resumed subscription ended: ${JSON.stringify(m)}`);
      rest.push(m.payload.data.topologyChanges);
    }
    expect([...got, ...rest].map(id)).toEqual(recorded(since, latest));
    again.ws.close();

    // The subscriber that kept reading got every change, and no error.
    for (let i = 0; reader.length < recorded(since, latest).length && i < 2000; i++) await Bun.sleep(10);
    expect(readerError).toBeNull();
    expect(reader.map(id).slice(0, recorded(since, latest).length)).toEqual(recorded(since, latest));
    stopReader();
    await client.dispose();
    await waitForListeners(listeners); // everyone who left is unsubscribed
  }, 180_000);

  test("SSE: the same error as a last `next`, then `complete`; sinceRevision resumes without gap or duplicate", async () => {
    const since = live.current().revision;
    const listeners = live.subscriberCount;
    const slow = await rawSse(server.url, SUBSCRIPTION, { since });
    expect(slow.status).toBe(200);
    await waitForListeners(listeners + 1);
    slow.pause();

    await changeUntilOneEnds();
    const latest = live.current().revision;

    slow.resume();
    const events = new SseReader(slow.body);
    const got: Change[] = [];
    let failure: any;
    for (;;) {
      const e = await events.next();
      if (e === null) throw new Error("the SSE stream ended without an error");
      expect(e.event).toBe("next");
      const payload = JSON.parse(e.data);
      if (payload.errors) {
        failure = payload.errors[0];
        break;
      }
      got.push(payload.data.topologyChanges);
    }
    expect((await events.next())?.event).toBe("complete");
    expect(await events.next()).toBeNull();
    slow.close();
    expect(failure.extensions.code).toBe(SLOW_SUBSCRIBER_CODE);
    const last = failure.extensions.lastRevision as number;
    expect(last).toBeLessThan(latest);
    expect(got.map(id)).toEqual(recorded(since, last));

    const again = await rawSse(server.url, SUBSCRIPTION, { since: last });
    const rest = new SseReader(again.body);
    const resumed: Change[] = [];
    const want = recorded(last, latest).length;
    while (resumed.length < want) {
      const e = await rest.next();
      if (e?.event !== "next") throw new Error(`resumed stream ended: ${JSON.stringify(e)}`);
      resumed.push(JSON.parse(e.data).data.topologyChanges);
    }
    expect([...got, ...resumed].map(id)).toEqual(recorded(since, latest));
    again.close();
    await waitForListeners(listeners);
  }, 180_000);

  test("revisions over graphql-ws: ended with lastRevision like topologyChanges; sinceRevision resumes without gap or duplicate", async () => {
    // One event per revision, with every change and its namespace: ~400 kB each.
    const REVISIONS = `subscription($since: Int) { revisions(sinceRevision: $since) { revision changes { op key
      node { id ... on Interface { namespace { key interfaces { key name kind mtu operState mac flags addresses { address prefixLength } } } } } } } }`;
    const revisionsOf = (from: number, to: number) => [...new Set(store.changes({ revision: from }, { revision: to }).map((e) => e.revision))];
    // A few waiting revisions are already megabytes: this server ends a subscriber after 4.
    revisionsServer = await startServer({
      schema: buildSchema(),
      plugins: schemaLimits(),
      context: { live, store, alerts, baseUrl: "" },
      live,
      listen: "127.0.0.1:0",
      logging: false,
      subscriberLimits: { socketBytes: 64 * 1024, queuedEvents: 4 },
    });
    const since = live.current().revision;
    const listeners = live.subscriberCount;
    const slow = await RawGraphqlWs.connect(revisionsServer.url);
    slow.subscribe("slow", REVISIONS, { since });
    await waitForListeners(listeners + 1);
    slow.ws.pause();

    await changeUntilOneEnds();
    const latest = live.current().revision;

    slow.ws.resume();
    const { got, end } = await drainUntilEnd<number>(slow, (data) => data.revisions.revision);
    slow.ws.close();
    expect(end.type).toBe("error");
    const error = end.payload[0];
    expect(error.extensions.code).toBe(SLOW_SUBSCRIBER_CODE);
    const last = error.extensions.lastRevision as number;
    expect(last).toBeLessThan(latest);
    expect(got).toEqual(revisionsOf(since, last));

    const again = await RawGraphqlWs.connect(revisionsServer.url);
    again.subscribe("again", REVISIONS, { since: last });
    const rest: number[] = [];
    while (rest.length < revisionsOf(last, latest).length) {
      const m = await again.next(20_000);
      if (m?.type !== "next") throw new Error(`resumed subscription ended: ${JSON.stringify(m)}`);
      rest.push(m.payload.data.revisions.revision);
    }
    again.ws.close();
    expect([...got, ...rest]).toEqual(revisionsOf(since, latest));
    await waitForListeners(listeners);
  }, 180_000);

  test("alerts over graphql-ws: ended with the last alert change it has in full (lastSequence); sinceSequence resumes without gap or duplicate", async () => {
    // Pending alerts are filtered out: they still move the resume point.
    const ALERTS = `subscription($since: Int) { alerts(sinceSequence: $since, filter: { states: [FIRING, RESOLVED] }) { sequence state alert { id message } } }`;
    const message = "x".repeat(16 * 1024);
    const wanted = (from: number, to: number) => alerts.events.filter((e) => e.sequence > from && e.sequence <= to && e.alert.state !== "pending").map((e) => e.sequence);
    alerts.emit(alertOf({ id: "before", state: "firing" }));
    const since = alerts.events.at(-1)!.sequence;
    const listeners = alerts.subscriberCount;
    const slow = await RawGraphqlWs.connect(server.url);
    slow.subscribe("slow", ALERTS, {}); // live only: its resume point comes from the first change it hears of
    for (let i = 0; alerts.subscriberCount === listeners; i++) {
      if (i > 1000) throw new Error("the alerts subscription did not start within 10 s");
      await Bun.sleep(10);
    }
    slow.ws.pause();
    for (let i = 0; alerts.subscriberCount > listeners; i++) {
      if (i > 20_000) throw new Error("20000 alert changes and the paused subscriber was never ended");
      alerts.emit(alertOf({ id: `a${i}`, state: i % 3 === 0 ? "pending" : "firing", message }));
      if (i % 10 === 9) await Bun.sleep(5); // the server writes between changes
    }
    const latest = alerts.events.at(-1)!.sequence;

    slow.ws.resume();
    const { got, end } = await drainUntilEnd<number>(slow, (data) => data.alerts.sequence);
    slow.ws.close();
    expect(end.type).toBe("error");
    const error = end.payload[0];
    expect(error.extensions.code).toBe(SLOW_SUBSCRIBER_CODE);
    expect(error.extensions.lastRevision).toBeUndefined();
    const last = error.extensions.lastSequence as number;
    expect(error.message).toContain(`sinceSequence: ${last}`);
    expect(last).toBeGreaterThanOrEqual(since);
    expect(last).toBeLessThan(latest);
    expect(got).toEqual(wanted(since, last));

    const again = await RawGraphqlWs.connect(server.url);
    again.subscribe("again", ALERTS, { since: last });
    const rest: number[] = [];
    while (rest.length < wanted(last, latest).length) {
      const m = await again.next(20_000);
      if (m?.type !== "next") throw new Error(`resumed subscription ended: ${JSON.stringify(m)}`);
      rest.push(m.payload.data.alerts.sequence);
    }
    again.ws.close();
    expect([...got, ...rest]).toEqual(wanted(since, latest));
  }, 180_000);
});
