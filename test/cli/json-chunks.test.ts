// writeJsonChunks must write exactly what JSON.stringify returns, compact and indented, for the
// shapes dump renders and for the corner cases of JSON.stringify's own rules.

import { describe, expect, test } from "bun:test";
import { writeJsonChunks } from "../../src/cli/render/json-chunks.ts";

function chunked(value: unknown, indent?: number): { text: string; pieces: number } {
  const pieces: string[] = [];
  writeJsonChunks(value, indent, (t) => pieces.push(t));
  return { text: pieces.join(""), pieces: pieces.length };
}

const topologyLike = {
  formatVersion: 7,
  host: { bootId: "b", hostname: "h\nwith a newline", kernelRelease: "6.1" },
  namespaces: [
    { key: "netns:1", interfaces: [{ name: "lo", addresses: ["127.0.0.1"], alias: undefined }], routes: [] },
    { key: "netns:2", interfaces: [], nested: [[1, 2], [], [{ a: null }]] },
  ],
  processes: [],
  skipped: undefined,
  fn: () => 1,
  holes: [undefined, () => 2, 3],
  when: new Date(0),
  warnings: [{ subject: "procfs", message: 'quote " and \\ and \u2028' }],
};

describe("writeJsonChunks", () => {
  for (const indent of [undefined, 2, 4]) {
    test(`equals JSON.stringify (indent ${indent ?? "none"}), in one piece per array element`, () => {
      const { text, pieces } = chunked(topologyLike, indent);
      expect(text).toBe(JSON.stringify(topologyLike, null, indent));
      expect(pieces).toBeGreaterThan(topologyLike.namespaces.length + 4);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(topologyLike)));
    });
  }

  test("values that are not plain objects are written whole", () => {
    for (const v of [null, 1, "s", [1, { a: 2 }], [], {}, new Date(5), { toJSON: () => ({ x: 1 }) }, true])
      for (const indent of [undefined, 2]) {
        const { text, pieces } = chunked(v, indent);
        expect(text).toBe(JSON.stringify(v, null, indent));
        if (Array.isArray(v) || v === null || typeof v !== "object" || "toJSON" in v) expect(pieces).toBe(1);
      }
  });

  test("an object whose members are all left out is {}", () => {
    expect(chunked({ a: undefined, b: () => 0 }, 2).text).toBe(JSON.stringify({ a: undefined, b: () => 0 }, null, 2));
  });
});
