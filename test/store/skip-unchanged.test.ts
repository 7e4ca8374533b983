// record(t, { skipUnchanged: true }): a discovery in which no entity changed leaves the history
// as it was (no snapshots row, no revision) and returns null; a real change after it is recorded
// against the right current versions (the cache kept across the rolled-back transaction), and
// changes() from revision 0 replays everything since the first recording.

import { afterAll, describe, expect, test } from "bun:test";
import { Store } from "../../src/store/index.ts";
import { later, syntheticTopology } from "./synthetic.ts";
import { tempDir } from "./helpers.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = () => Store.open(`${tmp.dir}/skip${n++}.db`);

describe("skipUnchanged", () => {
  test("an unchanged discovery is not recorded; a changed one is, with only its change", () => {
    const s = fresh();
    const t = syntheticTopology();
    expect(s.record(t, { skipUnchanged: true })?.revision).toBe(1);
    const again = later(t, 10);
    again.stats.durationMs += 5; // run information alone is no change
    again.warnings.push({ subject: "procfs", message: "something transient" });
    expect(s.record(again, { skipUnchanged: true })).toBeNull();
    expect(s.record(later(t, 20), { skipUnchanged: true })).toBeNull();
    expect(s.history().length).toBe(1);
    expect(s.latest()).toBe(1);

    const t3 = later(t, 30);
    t3.namespaces[1]!.interfaces[0]!.mtu = 9000;
    const r = s.record(t3, { skipUnchanged: true });
    expect(r).toEqual({ revision: 2, added: 0, removed: 0, changed: 1 });
    expect(s.info().rows.snapshots).toBe(2);
    expect(s.at({ revision: 2 }).namespaces[1]!.interfaces[0]!.mtu).toBe(9000);
    const events = s.changes({ revision: 1 }, { revision: 2 });
    expect(events.map((e) => [e.revision, e.kind, e.op])).toEqual([[2, "interface", "changed"]]);
    s.close();
  });

  test("after a skipped recording, a fresh Store on the same file agrees (nothing half-written)", () => {
    const path = `${tmp.dir}/skip-reopen.db`;
    const a = Store.open(path);
    const t = syntheticTopology();
    a.record(t);
    expect(a.record(later(t, 5), { skipUnchanged: true })).toBeNull();
    a.close();
    const b = Store.open(path);
    expect(b.latest()).toBe(1);
    expect(b.record(later(t, 6), { skipUnchanged: true })).toBeNull();
    const t2 = later(t, 7);
    t2.namespaces.pop();
    t2.stats.namespaces = 1;
    const r = b.record(t2, { skipUnchanged: true });
    expect(r?.revision).toBe(2);
    expect(r!.removed).toBeGreaterThan(0);
    b.close();
  });

  test("without the option an unchanged recording still adds its snapshot (unchanged behaviour)", () => {
    const s = fresh();
    const t = syntheticTopology();
    s.record(t);
    expect(s.record(later(t, 10))).toEqual({ revision: 2, added: 0, removed: 0, changed: 0 });
    s.close();
  });

  test("changes from revision 0 replay the first recording as additions", () => {
    const s = fresh();
    const t = syntheticTopology();
    const r = s.record(t);
    const events = s.changes({ revision: 0 }, { revision: r.revision });
    expect(events.length).toBe(r.added);
    expect(events.every((e) => e.op === "added" && e.revision === 1)).toBe(true);
    s.close();
  });
});
