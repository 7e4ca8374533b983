// The store's semantics on hand-made topologies: versions only for what changed, diffs by field
// in both directions, a change undone is no difference, replay order, moments by time, volatile
// fields, twin keys, processes starting without new namespace versions, and retention.

import { afterAll, describe, expect, test } from "bun:test";
import { Store } from "../../src/store/index.ts";
import { later, syntheticTopology } from "./synthetic.ts";
import { tempDir } from "./helpers.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = () => Store.open(`${tmp.dir}/s${n++}.db`);

describe("recording", () => {
  test("the first recording adds every entity; an unchanged one adds nothing but its snapshot", () => {
    const s = fresh();
    const t = syntheticTopology();
    expect(s.record(t)).toEqual({ revision: 1, added: 2 + 2 + 2 + 2 + 1 + 2, removed: 0, changed: 0 });
    expect(s.record(later(t, 10))).toEqual({ revision: 2, added: 0, removed: 0, changed: 0 });
    const rows = s.info().rows;
    expect(rows).toEqual({
      snapshots: 2,
      namespaces: 2,
      interfaces: 2,
      addresses: 2,
      routes: 2,
      sockets: 1,
      processes: 2,
      pid_namespaces: 0,
      forwarded_ports: 0,
      engines: 0,
      containers: 0,
      container_networks: 0,
      pods: 0,
      services: 0,
    });
    expect(s.at({ revision: 1 })).toEqual(t);
    expect(s.at({ revision: 2 })).toEqual(later(t, 10));
    s.close();
  });

  test("a process starting or ending changes only the process rows, yet at() gives every list back", () => {
    const s = fresh();
    const t = syntheticTopology();
    s.record(t);
    const t2 = later(t, 10);
    const blue = t2.namespaces[1]!;
    const key = "proc:00000000-0000-4000-8000-000000000001:300:6000";
    t2.processes.push({ key, pid: 300, ppid: 1, comm: "nc", cmdline: ["nc", "-l"], startTime: 6000, uid: 0, netns: blue.key, pidns: null, scheduling: null, cpuAffinity: null });
    blue.processes.push(key);
    blue.references.splice(2, 0, { kind: "process", pid: 300 });
    expect(s.record(t2)).toEqual({ revision: 2, added: 1, removed: 0, changed: 0 });
    expect(s.at({ revision: 2 })).toEqual(t2);
    expect(s.at({ revision: 1 })).toEqual(t);
    s.close();
  });

  test("lists that do not follow from the processes are stored as they are", () => {
    const s = fresh();
    const t = syntheticTopology();
    t.namespaces[1]!.references.push({ kind: "process", pid: 1 }); // out of order, not one of its processes
    s.record(t);
    expect(s.at({ revision: 1 })).toEqual(t);
    s.close();
  });

  test("two entities with one key are both kept", () => {
    const s = fresh();
    const t = syntheticTopology();
    const ns = t.namespaces[0]!;
    ns.routes.push({ ...ns.routes[0]!, gateway: "10.0.2.254" }); // `ip route append` makes such twins
    s.record(t);
    expect(s.at({ revision: 1 })).toEqual(t);
    s.close();
  });

  test("volatile fields (an address's remaining lifetime) make no new version", () => {
    const s = fresh();
    const t = syntheticTopology();
    const addr = t.namespaces[0]!.interfaces[0]!.addresses[0]!;
    addr.validLifetime = 3600;
    s.record(t);
    const t2 = later(t, 10);
    t2.namespaces[0]!.interfaces[0]!.addresses[0]!.validLifetime = 3590;
    expect(s.record(t2).changed).toBe(0);
    expect(s.diff({ revision: 1 }, { revision: 2 }).entities).toEqual([]);
    s.close();
  });
});

describe("reading", () => {
  const s = fresh();
  const t1 = syntheticTopology();
  const t2 = later(t1, 60);
  t2.namespaces[0]!.interfaces[0]!.mtu = 9000;
  t2.namespaces[0]!.interfaces[0]!.relations.peer = null;
  const t3 = later(t2, 60);
  t3.namespaces[0]!.interfaces[0]!.mtu = 1500; // back as it was at 1…
  t3.namespaces.pop(); // …and blue is gone
  t3.processes.pop();
  t3.namespaces[0]!.nsids = [];
  for (const t of [t1, t2, t3]) s.record(t);
  const veth = t1.namespaces[0]!.interfaces[0]!.key;
  const blue = t1.namespaces[1]!.key;

  test("diff gives field-level before and after, nested fields by path", () => {
    const d = s.diff({ revision: 1 }, { revision: 2 });
    expect(d.entities.map((e) => [e.op, e.kind, e.key])).toEqual([["changed", "interface", veth]]);
    expect(d.entities[0]!.fields).toEqual([
      { field: "mtu", before: 1500, after: 9000 },
      { field: "relations.peer", before: t1.namespaces[1]!.interfaces[0]!.key, after: null },
    ]);
  });

  test("a change undone is no difference; a removal removes the children too", () => {
    const d = s.diff({ revision: 1 }, { revision: 3 });
    const summary = d.entities.map((e) => `${e.op} ${e.kind} ${e.key}${e.fields ? ` ${e.fields.map((f) => f.field)}` : ""}`);
    expect(summary).toEqual([
      `changed namespace ${t1.namespaces[0]!.key} nsids`,
      `removed namespace ${blue}`,
      `changed interface ${veth} relations.peer`,
      `removed interface ${t1.namespaces[1]!.interfaces[0]!.key}`,
      `removed address ${t1.namespaces[1]!.interfaces[0]!.addresses[0]!.key}`,
      `removed route ${t1.namespaces[1]!.routes[0]!.key}`,
      `removed socket ${t1.namespaces[1]!.sockets[0]!.key}`,
      `removed process ${t1.processes[1]!.key}`,
    ]);
    const back = s.diff({ revision: 3 }, { revision: 1 });
    expect(back.entities.filter((e) => e.op === "added").length).toBe(6);
    expect(back.entities.find((e) => e.key === veth)!.fields).toEqual([{ field: "relations.peer", before: null, after: t1.namespaces[1]!.interfaces[0]!.key }]);
  });

  test("changes() replays every version in order", () => {
    const c = s.changes({ revision: 1 }, { revision: 3 });
    expect(c.map((e) => `${e.revision} ${e.op} ${e.kind}`)).toEqual([
      "2 changed interface",
      "3 changed namespace",
      "3 removed namespace",
      "3 changed interface",
      "3 removed interface",
      "3 removed address",
      "3 removed route",
      "3 removed socket",
      "3 removed process",
    ]);
    expect(c[3]!.fields).toEqual([{ field: "mtu", before: 9000, after: 1500 }]);
    expect(() => s.changes({ revision: 3 }, { revision: 1 })).toThrow(/after/);
  });

  test("a time means the last recording at or before it", () => {
    const t = Date.parse(t2.discoveredAt);
    expect(s.resolve({ time: t })).toBe(2);
    expect(s.resolve({ time: t + 59_000 })).toBe(2);
    expect(s.resolve({ time: t + 60_000 })).toBe(3);
    expect(() => s.resolve({ time: t - 120_000 })).toThrow(/nothing recorded at or before .*first kept recording is at/);
    expect(() => s.resolve({ revision: 9 })).toThrow(/no revision 9 \(revisions 1–3 are kept\)/);
    expect(s.at({ time: t + 1000 })).toEqual(t2);
  });

  test("history lists each recording with its change counts, newest first", () => {
    expect(s.history().map((h) => [h.revision, h.added, h.removed, h.changed, h.warnings])).toEqual([
      [3, 0, 6, 2],
      [2, 0, 0, 1],
      [1, 11, 0, 0],
    ].map((r) => [...r, 1]));
  });
});

describe("retention", () => {
  test("by age: older recordings go, every kept one is rebuilt whole, the latest always stays", () => {
    const s = fresh();
    const base = syntheticTopology(Date.UTC(2026, 0, 1));
    const recorded = [];
    for (let i = 0; i < 10; i++) {
      const t = later(base, i * 3600);
      t.namespaces[0]!.interfaces[0]!.alias = i % 3 === 0 ? `v${i}` : null; // versions that end and begin
      s.record(t);
      recorded.push(t);
    }
    const now = Date.parse(recorded[9]!.discoveredAt);
    const r = s.prune({ maxAgeMs: 4.5 * 3600_000 }, now);
    expect(r).toEqual({ removedRevisions: 5, firstKept: 6 });
    for (let rev = 6; rev <= 10; rev++) expect(s.at({ revision: rev })).toEqual(recorded[rev - 1]!);
    expect(() => s.at({ revision: 5 })).toThrow(/no revision 5/);
    expect(s.diff({ revision: 6 }, { revision: 10 }).entities.map((e) => e.op)).toEqual(["changed"]);
    expect(s.prune({ maxAgeMs: 1 }, now + 10 * 3600_000)).toEqual({ removedRevisions: 4, firstKept: 10 });
    expect(s.at({ revision: 10 })).toEqual(recorded[9]!);
    s.close();
  });

  test("by size: the oldest go until the data fits", () => {
    const s = fresh();
    const base = syntheticTopology(Date.UTC(2026, 0, 1));
    for (let i = 0; i < 300; i++) {
      const t = later(base, i);
      t.namespaces[0]!.interfaces[0]!.alias = `x`.repeat(2000) + i; // 2 kB per version
      s.record(t);
    }
    const before = s.info();
    const limit = Math.floor(before.usedBytes / 3);
    const r = s.prune({ maxBytes: limit });
    const after = s.info();
    expect(r.removedRevisions).toBeGreaterThan(100);
    expect(after.usedBytes).toBeLessThanOrEqual(limit);
    expect(after.fileBytes).toBeLessThan(before.fileBytes);
    expect(s.at({ revision: 300 }).namespaces[0]!.interfaces[0]!.alias).toBe("x".repeat(2000) + 299);
    expect(s.at({ revision: r.firstKept! }).namespaces[0]!.interfaces[0]!.alias).toBe("x".repeat(2000) + (r.firstKept! - 1));
    s.close();
  });
});

describe("two writers", () => {
  test("a store that did not write the last recording compares against the database, not its memory", () => {
    const path = `${tmp.dir}/two-writers.db`;
    const a = Store.open(path);
    const b = Store.open(path);
    const t1 = syntheticTopology();
    a.record(t1);
    const t2 = later(t1, 10);
    t2.namespaces[0]!.interfaces[0]!.mtu = 9000;
    b.record(t2); // a's idea of the current versions is now stale
    const t3 = later(t2, 10);
    expect(a.record(t3)).toEqual({ revision: 3, added: 0, removed: 0, changed: 0 });
    expect(a.at({ revision: 3 })).toEqual(t3);
    a.close();
    b.close();
  });
});

describe("per-run fields", () => {
  test("stored only when they change, yet every recording gives its own back, also after pruning", () => {
    const s = fresh();
    const base = syntheticTopology(Date.UTC(2026, 0, 1));
    const recorded = [];
    for (let i = 0; i < 6; i++) {
      const t = later(base, i * 3600);
      t.stats.durationMs = 10 + i;
      if (i === 3) t.warnings = [...t.warnings, { subject: "procfs", message: "only in the fourth" }];
      if (i >= 4) t.host = { ...t.host, hostname: "renamed" };
      s.record(t);
      recorded.push(t);
    }
    for (let rev = 1; rev <= 6; rev++) expect(s.at({ revision: rev })).toEqual(recorded[rev - 1]!);
    expect(s.history().map((h) => [h.revision, h.warnings, h.durationMs])).toEqual([[6, 1, 15], [5, 1, 14], [4, 2, 13], [3, 1, 12], [2, 1, 11], [1, 1, 10]]);
    const growth = s.info().usedBytes;
    for (let i = 6; i < 206; i++) s.record(later(recorded[5]!, i * 3600));
    expect(s.info().usedBytes - growth).toBeLessThan(200 * 100); // an unchanged recording: well under 100 bytes
    s.prune({ maxAgeMs: 1 }, Date.parse(recorded[5]!.discoveredAt)); // keeps 6 onwards; 6 said "as before" of 5
    expect(s.at({ revision: 6 })).toEqual(recorded[5]!);
    expect(s.at({ revision: 7 }).host.hostname).toBe("renamed");
    s.close();
  });
});
