// How long the name glob (src/model/glob.ts) can hold the event loop: the worst patterns of the
// longest length allowed, over 10 000 names of each length a topology holds (15: interface and
// process names, IFNAMSIZ and TASK_COMM_LEN; 64: container names; 255: the longest display
// names), against an exact-name filter over the same names in the same run. Not a test: it prints
// figures. `bun bench/glob.ts`

import { compileGlob, MAX_GLOB_LENGTH } from "../src/model/glob.ts";

const NAMES = 10_000;
const P = MAX_GLOB_LENGTH;
const patterns: [string, string][] = [
  ["exact name", "eth0-not-there"],
  ["stars, then a missing x", `${"*".repeat(P - 1)}x`],
  ["*a pairs, then *b", `${"*a".repeat(P / 2 - 1)}*b`],
  ["?* pairs, then ?x", `${"?*".repeat(P / 2 - 1)}?x`],
  ["*[a-z] pairs, then *[0-9]", `${"*[a-z]".repeat(Math.floor(P / 6) - 1)}*[0-9]`],
];

function timeOne(pattern: string, names: string[]): number {
  const match = compileGlob(pattern);
  let hits = 0;
  const t = process.cpuUsage();
  for (const n of names) if (match(n)) hits++;
  const used = process.cpuUsage(t);
  const ms = (used.user + used.system) / 1000;
  if (hits !== 0) throw new Error(`'${pattern.slice(0, 20)}…' matched ${hits} names; none should match`);
  return ms;
}

for (const length of [15, 64, 255]) {
  const names = Array.from({ length: NAMES }, (_, i) => `${"a".repeat(length - 6)}${String(i).padStart(6, "a")}`.replace(/\d/g, "a"));
  for (const [, p] of patterns) timeOne(p, names); // warm-up
  const base = timeOne(patterns[0]![1], names);
  console.log(`${NAMES} names of ${length} characters, patterns of up to ${P}:`);
  for (const [what, p] of patterns) {
    const ms = timeOne(p, names);
    console.log(`  ${what.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms  (${(ms / base).toFixed(0)}× exact)`);
  }
}
