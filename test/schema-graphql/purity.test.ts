// Resolvers read the context only, never the kernel (design.md, "Layers"): src/schema imports
// nothing from ffi, discovery, netlink or capture, and nothing that does I/O by itself.

import { expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../src");
const ROOT = join(SRC, "schema");
const FORBIDDEN = ["ffi", "discovery", "netlink", "capture", "server", "cli"];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

test("src/schema imports no kernel-facing layer, and no fs, child_process or bun:ffi", () => {
  const problems: string[] = [];
  const all = files(ROOT);
  for (const file of all) {
    const text = readFileSync(file, "utf8");
    for (const [, spec] of text.matchAll(/(?:import|export)[^"';]*?from\s*["']([^"']+)["']|import\s*["']([^"']+)["']/g)) {
      if (!spec) continue;
      const name = relative(ROOT, file);
      if (spec.startsWith(".")) {
        const top = relative(SRC, resolve(dirname(file), spec)).split("/")[0]!;
        if (FORBIDDEN.includes(top)) problems.push(`${name}: imports ${spec}`);
      } else if (/^(bun:ffi|node:fs|fs|node:child_process|child_process|bun:sqlite)$/.test(spec)) problems.push(`${name}: imports ${spec}`);
    }
    for (const [m] of text.matchAll(/\b(?:require\(|import\(|Bun\.spawn|Bun\.file)/g)) problems.push(`${relative(ROOT, file)}: uses ${m}`);
  }
  expect(all.length).toBeGreaterThan(5);
  expect(problems).toEqual([]);
});
