// Canonical JSON and field-level differences.

import { describe, expect, test } from "bun:test";
import { canonical, fieldChanges } from "../../src/store/canonical.ts";
import { syntheticTopology } from "./synthetic.ts";

describe("canonical JSON", () => {
  test("is JSON with object keys sorted at every level, whatever order they were built in", () => {
    expect(canonical({ b: 1, a: { d: [3, { z: 1, y: null }], c: "x" } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":1}]},"b":1}');
    expect(canonical({ a: 1, b: 2 })).toBe(canonical({ b: 2, a: 1 }));
    expect(canonical({ a: undefined, b: [undefined], c: 'q"\\n' })).toBe(JSON.stringify({ b: [null], c: 'q"\\n' }));
    // Byte for byte what every stored row was written with (a replacer building sorted objects,
    // which list integer-like keys first): unchanged entities must keep comparing equal.
    const replacer = (v: unknown) =>
      JSON.stringify(v, (_k, x: unknown) => {
        if (x === null || typeof x !== "object" || Array.isArray(x)) return x;
        const sorted: Record<string, unknown> = {};
        for (const k of Object.keys(x).sort()) sorted[k] = (x as Record<string, unknown>)[k];
        return sorted;
      });
    const odd = { labels: { "10": "a", "2": "b", z: 1, "01": 2, "4294967295": 3, "-1": 4, "1.5": 5 }, n: [-0, 1e21, 0.1, NaN, Infinity], s: "\u2028\ud800", e: {}, a: [] };
    expect(canonical(odd)).toBe(replacer(odd));
    expect(canonical([])).toBe("[]");
    expect(canonical("é\u2028")).toBe(JSON.stringify("é\u2028"));
  });

  test("parses back to the same value as JSON.stringify gives", () => {
    const t = syntheticTopology();
    expect(JSON.parse(canonical(t))).toEqual(JSON.parse(JSON.stringify(t)));
  });
});

describe("field changes", () => {
  test("nested objects by path, arrays and scalars whole, ignored fields skipped", () => {
    expect(
      fieldChanges(
        { mtu: 1500, relations: { peer: "a", ports: ["x"] }, flags: ["UP"], life: 10, gone: 1 },
        { mtu: 9000, relations: { peer: "b", ports: ["x"] }, flags: ["UP", "LOWER_UP"], life: 5, added: 2 },
        ["life"],
      ),
    ).toEqual([
      { field: "added", before: null, after: 2 },
      { field: "flags", before: ["UP"], after: ["UP", "LOWER_UP"] },
      { field: "gone", before: 1, after: null },
      { field: "mtu", before: 1500, after: 9000 },
      { field: "relations.peer", before: "a", after: "b" },
    ]);
    expect(fieldChanges({ a: { b: 1 } }, { a: { b: 1 } })).toEqual([]);
    expect(fieldChanges({ details: { kind: "none" } }, { details: null })).toEqual([{ field: "details", before: { kind: "none" }, after: null }]);
  });
});

describe("field changes compare values deeply", () => {
  test("equal arrays and objects in any key order are no change; any difference is", () => {
    const v = { list: [1, { a: 1, b: [2, 3] }], obj: { x: [{ p: 1, q: 2 }] } };
    const w = { obj: { x: [{ q: 2, p: 1 }] }, list: [1, { b: [2, 3], a: 1 }] };
    expect(fieldChanges(v, w)).toEqual([]);
    expect(fieldChanges(v, { ...w, list: [1, { b: [2, 4], a: 1 }] }).map((f) => f.field)).toEqual(["list"]);
    expect(fieldChanges({ a: [1] }, { a: { 0: 1 } }).map((f) => f.field)).toEqual(["a"]);
    expect(fieldChanges({ a: [] }, { a: [null] }).map((f) => f.field)).toEqual(["a"]);
    expect(fieldChanges({ a: { k: 1 } }, { a: { k: 1, l: undefined } })).toEqual([]);
  });
});
