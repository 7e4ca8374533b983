// The store against a real lab: record, change the lab (add a veth, move an address, delete a
// namespace, add a route, change an alias), record again; the diff must report exactly those
// changes, `at()` must give back each discovery as it was, and a namespace deleted and created
// anew under the same inode must be a removal plus an addition, never a change.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { discover } from "../../src/discovery/discover.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Store, type EntityDiff } from "../../src/store/index.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { netnsKeyOf, tempDir } from "./helpers.ts";

const root = requireRoot();
const lab = new Lab();
const tmp = tempDir();
const ns: Record<string, string> = {};
const keys: Record<string, string> = {};
let store: Store;
let t1: Topology;
let t2: Topology;
let r1 = 0;
let r2 = 0;

beforeAll(() => {
  if (!root) return;
  for (const s of ["a", "c", "d", "e"]) ns[s] = lab.netns(s);
  // a: a veth pair kept down (no addresses, no routes): its alias will change.
  lab.ip(ns.a!, "link", "add", "a0", "type", "veth", "peer", "name", "a1");
  // c: two down interfaces; the address moves from c1 to c2 (down: no routes follow it).
  lab.ip(ns.c!, "link", "add", "c1", "type", "veth", "peer", "name", "c2");
  lab.ip(ns.c!, "addr", "add", "10.50.0.1/24", "dev", "c1");
  // e: an interface up with an address, so that a route via a gateway can be added.
  lab.ip(ns.e!, "link", "add", "e0", "type", "veth", "peer", "name", "e1");
  lab.ip(ns.e!, "addr", "add", "10.61.0.1/24", "dev", "e0");
  lab.ip(ns.e!, "link", "set", "e0", "up");
  lab.ip(ns.e!, "link", "set", "e1", "up");

  store = Store.open(tmp.db);
  t1 = discover();
  r1 = store.record(t1).revision;
  for (const s of Object.keys(ns)) keys[s] = netnsKeyOf(t1, ns[s]!);

  lab.ip(ns.a!, "link", "add", "a2", "type", "veth", "peer", "name", "a3"); // add a veth (both ends in a)
  lab.ip(ns.c!, "addr", "del", "10.50.0.1/24", "dev", "c1"); // move an address
  lab.ip(ns.c!, "addr", "add", "10.50.0.1/24", "dev", "c2");
  sh("ip", ["netns", "del", ns.d!]); // delete a namespace
  lab.forgetNetns(ns.d!);
  lab.ip(ns.e!, "route", "add", "10.62.0.0/16", "via", "10.61.0.2"); // add a route
  lab.ip(ns.a!, "link", "set", "a0", "alias", "renamed by the test"); // change an alias
  t2 = discover();
  r2 = store.record(t2).revision;
}, 60_000);

afterAll(() => {
  store?.close();
  lab.cleanup();
  tmp.cleanup();
});

/** Only what happened in the lab's namespaces (the host around it lives its own life). */
function inLab(entities: EntityDiff[]): EntityDiff[] {
  const prefixes = Object.values(keys);
  return entities.filter((e) => prefixes.some((p) => e.key === p || e.key.startsWith(`${p}/`))).filter((e) => !onlyForeignMounts(e));
}

/**
 * A namespace's bind mount is also seen from the mount namespaces other programs on the host
 * create and drop (every `ip netns exec` makes one): a change of only those references is the
 * host's doing, not the lab's.
 */
function onlyForeignMounts(e: EntityDiff): boolean {
  if (e.op !== "changed" || e.kind !== "namespace") return false;
  return e.fields!.every((f) => f.field === "references");
}

function summary(entities: EntityDiff[]): string[] {
  return entities.map((e) => `${e.op} ${e.kind} ${e.key}${e.fields ? ` ${e.fields.map((f) => f.field).join(",")}` : ""}`).sort();
}

describe.if(root)("history of a real lab", () => {
  test("at(first revision) is the first discovery, at(second) the second", () => {
    expect(store.at({ revision: r1 })).toEqual(t1);
    expect(store.at({ revision: r2 })).toEqual(t2);
    expect(store.at({ time: Date.parse(t1.discoveredAt) })).toEqual(t1);
  }, 60_000);

  test("every entity of a real discovery has its own key (IPv6 routes per device included)", () => {
    for (const t of [t1, t2]) {
      const routes = t.namespaces.flatMap((n) => n.routes.map((r) => r.key));
      const linkLocal = t.namespaces.find((n) => n.key === keys.e)!.routes.filter((r) => r.family === "ipv6" && r.destination === "fe80::");
      expect(linkLocal.length).toBeGreaterThan(1); // e0 and e1 are up: one fe80::/64 each
      expect(new Set(routes).size).toBe(routes.length);
      const all = [...t.namespaces.map((n) => n.key), ...t.namespaces.flatMap((n) => n.interfaces.flatMap((i) => [i.key, ...i.addresses.map((a) => a.key)])), ...t.processes.map((p) => p.key)];
      expect(new Set(all).size).toBe(all.length);
    }
  });

  test("diff reports exactly the changes made, and nothing else in the lab", () => {
    const d = store.diff({ revision: r1 }, { revision: r2 });
    const ifKey = (t: Topology, s: string, name: string) =>
      t.namespaces.find((n) => n.key === keys[s])!.interfaces.find((i) => i.name === name)!.key;
    const dEntities = t1.namespaces.find((n) => n.key === keys.d)!;
    const removedD = [
      `removed namespace ${keys.d}`,
      ...dEntities.interfaces.map((i) => `removed interface ${i.key}`),
      ...dEntities.interfaces.flatMap((i) => i.addresses.map((a) => `removed address ${a.key}`)),
      ...dEntities.routes.map((r) => `removed route ${r.key}`),
    ];
    expect(removedD.length).toBeGreaterThan(3); // lo, its addresses and local routes
    const newRoute = t2.namespaces.find((n) => n.key === keys.e)!.routes.find((r) => r.destination === "10.62.0.0")!;
    const localRoute = t2.namespaces.find((n) => n.key === keys.c)!.routes.find((r) => r.type === "local" && r.destination === "10.50.0.1")!;
    expect(localRoute.outputInterface).toBe(ifKey(t2, "c", "c2"));
    expect(summary(inLab(d.entities))).toEqual(
      [
        `added interface ${ifKey(t2, "a", "a2")}`,
        `added interface ${ifKey(t2, "a", "a3")}`,
        `removed address ${ifKey(t1, "c", "c1")}/addr:10.50.0.1/24`,
        `added address ${ifKey(t2, "c", "c2")}/addr:10.50.0.1/24`,
        // the kernel's local route for the address follows it to its new interface
        `changed route ${localRoute.key} outputInterface`,
        ...removedD,
        `added route ${newRoute.key}`,
        `changed interface ${ifKey(t1, "a", "a0")} alias`,
      ].sort(),
    );
    const alias = d.entities.find((e) => e.key === ifKey(t1, "a", "a0"))!;
    expect(alias.fields).toEqual([{ field: "alias", before: null, after: "renamed by the test" }]);
    expect(alias.before!.name).toBe("a0");
    expect(newRoute.gateway).toBe("10.61.0.2");
  });

  test("the diff backwards is the same diff inverted; changes() replays it", () => {
    const forward = inLab(store.diff({ revision: r1 }, { revision: r2 }).entities);
    const backward = inLab(store.diff({ revision: r2 }, { revision: r1 }).entities);
    const invert = { added: "removed", removed: "added", changed: "changed" } as const;
    expect(summary(backward)).toEqual(summary(forward.map((e) => ({ ...e, op: invert[e.op] }))));
    const replay = store.changes({ revision: r1 }, { revision: r2 });
    expect(summary(inLab(replay))).toEqual(summary(forward));
    expect(replay.every((e) => e.revision === r2)).toBe(true);
  });

  test("recording the same topology again writes no version", () => {
    const r = store.record(t2);
    expect({ added: r.added, removed: r.removed, changed: r.changed }).toEqual({ added: 0, removed: 0, changed: 0 });
    expect(store.at({ revision: r.revision })).toEqual({ ...t2 });
  }, 60_000);

  test("a namespace deleted and created anew with the same inode is removed + added, not changed", () => {
    const s = Store.open(`${tmp.dir}/identity.db`);
    try {
      const first = lab.netns("x0");
      const before = discover();
      s.record(before);
      const oldKey = netnsKeyOf(before, first);
      const inode = before.namespaces.find((n) => n.key === oldKey)!.inode;
      sh("ip", ["netns", "del", first]);
      lab.forgetNetns(first);
      // The kernel hands a freed namespace inode to a namespace created later, usually the next
      // one; teardown is asynchronous, so create (and drop) a few until one gets it.
      let name = "";
      for (let i = 1; i <= 50 && name === ""; i++) {
        const candidate = lab.netns(`x${i}`);
        if (inodeOf(candidate) === inode) name = candidate;
        else {
          sh("ip", ["netns", "del", candidate]);
          lab.forgetNetns(candidate);
          Bun.sleepSync(20);
        }
      }
      expect(name).not.toBe("");
      const after = discover();
      const rev = s.record(after).revision;
      const newKey = netnsKeyOf(after, name);
      expect(after.namespaces.find((n) => n.key === newKey)!.inode).toBe(inode);
      expect(newKey).not.toBe(oldKey); // same inode, another cookie: another namespace
      const d = s.diff({ revision: rev - 1 }, { revision: rev });
      expect(d.entities.find((e) => e.key === oldKey)?.op).toBe("removed");
      expect(d.entities.find((e) => e.key === newKey)?.op).toBe("added");
      expect(d.entities.filter((e) => e.kind === "namespace" && e.op === "changed" && (e.key === oldKey || e.key === newKey))).toEqual([]);
    } finally {
      s.close();
    }
  }, 60_000);
});

function inodeOf(name: string): number {
  return Number(sh("stat", ["-L", "-c", "%i", `/run/netns/${name}`]).trim());
}
