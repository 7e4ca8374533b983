// src/model imports nothing of ours (design.md, "Layers"): whereIs and everything it uses work on
// a Topology alone, so GraphQL resolvers and the CLI can run them over a past topology, and no
// model file may reach the kernel, the file system or another layer.

import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../../src/model");

test("src/model imports only src/model and does no I/O", () => {
  const files = readdirSync(ROOT).filter((f) => f.endsWith(".ts"));
  const problems: string[] = [];
  for (const name of files) {
    const text = readFileSync(join(ROOT, name), "utf8");
    for (const [, spec] of text.matchAll(/(?:import|export)[^"';]*?from\s*["']([^"']+)["']/g)) {
      const target = resolve(dirname(join(ROOT, name)), spec!);
      if (!spec!.startsWith(".") || relative(ROOT, target).startsWith("..")) problems.push(`${name}: imports ${spec}`);
    }
    for (const [m] of text.matchAll(/\b(?:require\(|import\(|Bun\.|process\.|Deno\.)/g)) problems.push(`${name}: uses ${m}`);
  }
  expect(files).toContain("where-is.ts");
  expect(problems).toEqual([]);
});
