// src/netlink is a pure codec (design.md, "Layers"): it may import only its own files — no
// bun:ffi, no node:*, no fs, nothing else of ours — and touches no process or I/O globals.

import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../../src/netlink");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

test("src/netlink imports only src/netlink and uses no I/O", () => {
  const problems: string[] = [];
  for (const file of files(ROOT)) {
    const text = readFileSync(file, "utf8");
    const name = relative(ROOT, file);
    for (const [, spec] of text.matchAll(/(?:import|export)[^"';]*?from\s*["']([^"']+)["']/g)) {
      const target = resolve(dirname(file), spec!);
      if (!spec!.startsWith(".") || relative(ROOT, target).startsWith("..")) problems.push(`${name}: imports ${spec}`);
    }
    for (const [m] of text.matchAll(/\b(?:require\(|import\(|Bun\.|process\.|Deno\.)/g)) problems.push(`${name}: uses ${m}`);
  }
  expect(files(ROOT).length).toBeGreaterThan(10);
  expect(problems).toEqual([]);
});
