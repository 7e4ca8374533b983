// The map's pure parts over the hand-built host (test/model/sample-host.ts): the diff drawn on
// the picture, the kind filter, the search, a capture cut to whole pcapng blocks, and the ELK
// layout problem (laid out by elkjs itself: boxes never overlap, every wire between boxes is
// routed orthogonally from its row to its row).

import { describe, expect, test } from "bun:test";
import ELK from "elkjs/lib/elk.bundled.js";
import { interfaceKey } from "../../src/model/keys.ts";
import type { Topology } from "../../src/model/topology.ts";
import { wiringOf } from "../../src/model/wiring.ts";
import { wholeBlocks } from "../../src/web/data/pcapng.ts";
import { diffWiring, type EntityChange } from "../../src/web/graph/diff.ts";
import { visibleWiring } from "../../src/web/graph/filter.ts";
import { isIpAddress, matching } from "../../src/web/graph/search.ts";
import { elkGraph, externalWires, placement, portId, type ElkGraph } from "../../src/web/layout/elk-graph.ts";
import { anchorY, measureGroup } from "../../src/web/layout/geometry.ts";
import { sampleHost } from "../model/sample-host.ts";

const byName = (t: Topology, ns: string, name: string) => t.namespaces.find((n) => n.displayName === ns)!.interfaces.find((i) => i.name === name)!;

describe("diffWiring", () => {
  test("added rows and wires green, removed ones ghosted red, a changed interface amber; nothing else marked", () => {
    const before = sampleHost();
    const after = structuredClone(before);
    const db = after.namespaces.find((n) => n.displayName === "db")!;
    db.interfaces = db.interfaces.filter((i) => i.name !== "mac0"); // removed, with its lower-device wire
    const web = after.namespaces.find((n) => n.displayName === "web")!;
    const added = { ...structuredClone(web.interfaces[0]!), key: interfaceKey(web.key, 99), index: 99, name: "eth1", relations: { ...web.interfaces[0]!.relations, peer: null } };
    web.interfaces.push(added);
    const eth0 = byName(after, "host", "eth0");
    eth0.mtu = 9000;
    const mac0 = byName(before, "db", "mac0");
    const changes: EntityChange[] = [
      { kind: "INTERFACE", op: "REMOVED", key: mac0.key },
      { kind: "INTERFACE", op: "ADDED", key: added.key },
      { kind: "INTERFACE", op: "CHANGED", key: eth0.key, fields: [{ field: "mtu", before: 1500, after: 9000 }] },
      { kind: "ROUTE", op: "CHANGED", key: `${eth0.netns}/route:x` }, // not drawn
    ];
    const { wiring, marks } = diffWiring(wiringOf(before), wiringOf(after), changes);
    const lower = wiringOf(before).wires.find((w) => w.kind === "lower")!;
    expect(Object.fromEntries(marks)).toEqual({ [mac0.key]: "removed", [lower.key]: "removed", [added.key]: "added", [eth0.key]: "changed" });
    // The removed row and wire are still drawn (ghosted).
    expect(wiring.groups.find((g) => g.name === "db")!.rows.map((r) => r.name)).toContain("mac0");
    expect(wiring.wires.map((w) => w.key)).toContain(lower.key);
  });
});

describe("the kind filter and the search", () => {
  const w = wiringOf(sampleHost());

  test("hiding bridges moves their ports up a level and drops the bridge wires", () => {
    const v = visibleWiring(w, new Set(["bridge"]));
    const host = v.groups.find((g) => g.name === "host")!;
    expect(host.rows.map((r) => r.name)).not.toContain("docker0");
    expect(host.rows.find((r) => r.name === "vethweb")).toMatchObject({ parent: null, depth: 0 });
    expect(v.wires.filter((x) => x.kind === "bridge")).toEqual([]);
    expect(v.wires.filter((x) => x.kind === "veth")).toHaveLength(2);
  });

  test("search finds names, addresses and containers' images in any case", () => {
    const names = (keys: Set<string>) => [...keys].map((k) => w.groups.find((g) => g.key === k)?.name ?? w.groups.flatMap((g) => g.rows).find((r) => r.key === k)!.name).sort();
    expect(names(matching(w, "172.17.0.3"))).toEqual(["eth0"]);
    expect(names(matching(w, "NGINX"))).toEqual(["web"]);
    expect(names(matching(w, "  "))).toEqual([]);
    expect(["10.0.0.1", "fe80::1", "::ffff:10.0.0.1"].every(isIpAddress)).toBe(true);
    expect(["10.0.0", "eth0", "10.0.0.1/24", "fe80::1::2"].some(isIpAddress)).toBe(false);
  });
});

test("a capture cut off mid-block keeps its whole pcapng blocks only", () => {
  const block = (type: number, body: number) => {
    const b = new Uint8Array(12 + body);
    const v = new DataView(b.buffer);
    v.setUint32(0, type, true);
    v.setUint32(4, b.length, true);
    v.setUint32(b.length - 4, b.length, true);
    return b;
  };
  const shb = block(0x0a0d0d0a, 16);
  new DataView(shb.buffer).setUint32(8, 0x1a2b3c4d, true);
  const whole = new Uint8Array([...shb, ...block(1, 8), ...block(6, 32)]);
  expect(wholeBlocks(whole)).toBe(whole.length);
  expect(wholeBlocks(whole.subarray(0, whole.length - 5))).toBe(shb.length + 20);
  expect(wholeBlocks(new Uint8Array(40))).toBe(0);
});

test("ELK lays the groups out without overlap and routes every wire between boxes orthogonally, row to row", async () => {
  const w = wiringOf(sampleHost());
  const boxes = new Map(w.groups.map((g) => [g.key, measureGroup(g)]));
  const groupOf = new Map(w.groups.flatMap((g) => [[g.key, g.key] as const, ...g.rows.map((r) => [r.key, g.key] as const)]));
  const routed = externalWires(w.wires, boxes, groupOf);
  expect(routed.map((x) => x.kind).sort()).toEqual(["forward", "lower", "veth", "veth"]);
  const laid = (await new ELK().layout(elkGraph(boxes, routed, groupOf) as never)) as unknown as ElkGraph;
  const place = placement(laid);
  const rects = [...boxes].map(([k, b]) => ({ ...place.groups.get(k)!, w: b.width, h: b.height }));
  for (const a of rects) for (const b of rects) if (a !== b) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
  for (const wire of routed) {
    const points = place.wires.get(wire.key)!;
    for (let i = 1; i < points.length; i++) expect(points[i]!.x === points[i - 1]!.x || points[i]!.y === points[i - 1]!.y).toBe(true);
    const [fromG, toG] = [groupOf.get(wire.from)!, groupOf.get(wire.to)!];
    expect(points[0]!.y).toBeCloseTo(place.groups.get(fromG)!.y + anchorY(boxes.get(fromG)!.byKey.get(wire.from)!), 3);
    expect(points.at(-1)!.y).toBeCloseTo(place.groups.get(toG)!.y + anchorY(boxes.get(toG)!.byKey.get(wire.to)!), 3);
  }
  expect(laid.children.flatMap((c) => c.ports!.map((p) => p.id))).toContain(portId(routed[0]!, "from"));
});
