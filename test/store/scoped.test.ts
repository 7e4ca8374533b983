// record(t, { scope }): a recording told which namespaces and lists may have changed compares only
// those — what changed elsewhere is not seen (the caller vouches it did not change) — and gives
// the same history as a whole recording for what is in scope; without a cache of its own last
// recording the store ignores the scope. record(t, { events }) returns exactly what changes()
// reads back for that revision.

import { afterAll, describe, expect, test } from "bun:test";
import { Store, type RecordScope } from "../../src/store/index.ts";
import type { NetworkNamespace, Topology } from "../../src/model/topology.ts";
import { later, syntheticTopology } from "./synthetic.ts";
import { tempDir } from "./helpers.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = () => Store.open(`${tmp.dir}/scoped${n++}.db`);

function scopeOf(t: Topology, namespaces: string[], lists: RecordScope["lists"] = new Set()): RecordScope {
  const byKey = new Map(t.namespaces.map((ns) => [ns.key, ns]));
  return { namespaces: new Map(namespaces.map((k) => [k, byKey.get(k) ?? (null as NetworkNamespace | null)])), lists };
}

describe("scoped recordings", () => {
  test("only the namespaces in scope are compared; their changes are recorded as a whole recording would", () => {
    const s = fresh();
    const t = syntheticTopology();
    s.record(t);
    const [a, b] = t.namespaces.map((ns) => ns.key) as [string, string];
    const t2 = later(t, 10);
    t2.namespaces[0]!.interfaces[0]!.mtu = 1234; // in a
    t2.namespaces[1]!.interfaces[0]!.mtu = 4321; // in b: out of scope, so not seen
    const r = s.record(t2, { skipUnchanged: true, scope: scopeOf(t2, [a]), events: true })!;
    expect(r.changed).toBe(1);
    expect(r.events!.map((e) => [e.kind, e.op, e.key])).toEqual([["interface", "changed", t2.namespaces[0]!.interfaces[0]!.key]]);
    expect(s.at({ revision: r.revision }).namespaces.find((x) => x.key === b)!.interfaces[0]!.mtu).toBe(t.namespaces[1]!.interfaces[0]!.mtu);
    // A namespace in scope but not read again: its addresses and routes are not compared.
    const t2b = later(t2, 5);
    t2b.namespaces[0]!.routes = [];
    t2b.namespaces[0]!.interfaces[0]!.alias = "dressed anew";
    const unread = s.record(t2b, { skipUnchanged: true, scope: { ...scopeOf(t2b, [a]), unread: new Set([a]) }, events: true })!;
    expect(unread.events!.map((e) => [e.kind, e.op])).toEqual([["interface", "changed"]]);
    // A namespace gone (null in scope): everything in it is closed.
    const t3 = later(t2, 10);
    t3.namespaces = t3.namespaces.filter((x) => x.key !== a);
    t3.processes = t3.processes.map((p) => (p.netns === a ? { ...p, netns: null } : p));
    const gone = s.record(t3, { skipUnchanged: true, scope: scopeOf(t3, [a], new Set(["processes"])), events: true })!;
    expect(gone.events).toEqual(s.changes({ revision: unread.revision }, { revision: gone.revision }));
    expect(gone.events!.some((e) => e.kind === "namespace" && e.op === "removed" && e.key === a)).toBe(true);
    expect(s.at({ revision: gone.revision }).namespaces.map((x) => x.key)).toEqual([b]);
    s.close();
  });

  test("a store that did not write the last recording compares everything", () => {
    const path = `${tmp.dir}/scoped-reopen.db`;
    const first = Store.open(path);
    const t = syntheticTopology();
    first.record(t);
    first.close();
    const again = Store.open(path);
    const t2 = later(t, 10);
    t2.namespaces[1]!.interfaces[0]!.mtu = 4321;
    const r = again.record(t2, { skipUnchanged: true, scope: scopeOf(t2, []) })!;
    expect(r.changed).toBe(1); // seen though out of scope: the scope is only a promise about this store's own last recording
    again.close();
  });

  test("the events a recording returns are what changes() reads back", () => {
    const s = fresh();
    const t = syntheticTopology();
    const r1 = s.record(t, { events: true })!;
    expect(r1.events).toEqual(s.changes({ revision: 0 }, { revision: r1.revision }));
    const t2 = later(t, 10);
    t2.namespaces[0]!.interfaces.pop();
    t2.namespaces[1]!.interfaces[0]!.alias = "renamed";
    t2.processes.pop();
    const r2 = s.record(t2, { events: true })!;
    expect(r2.events!.length).toBeGreaterThan(2);
    expect(r2.events).toEqual(s.changes({ revision: r1.revision }, { revision: r2.revision }));
    s.close();
  });
});
