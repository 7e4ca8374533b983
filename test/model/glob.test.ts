// The name glob (src/model/glob.ts): shell semantics on flat names (`*` and `?` match `/` too),
// checked case by case and against Bun.Glob as an independent oracle on slash-free names; and
// the adversarial patterns that froze the server with a backtracking RegExp (issue 14) finish,
// with the right answer, at the longest length allowed.

import { describe, expect, test } from "bun:test";
import { compileGlob, GlobError, MAX_GLOB_LENGTH } from "../../src/model/glob.ts";

const m = (pattern: string, name: string) => compileGlob(pattern)(name);

describe("glob semantics", () => {
  test.each([
    ["eth0", "eth0", true],
    ["eth0", "eth01", false],
    ["eth*", "eth0", true],
    ["eth*", "eth", true],
    ["eth*", "veth0", false],
    ["*eth*", "veth0@if3", true],
    ["?eth?", "veth0", true],
    ["?eth?", "eth0", false],
    ["kworker*", "kworker/0:1", true], // names are flat: * crosses '/'
    ["*/0:?", "kworker/0:1", true],
    ["eth[0-3]", "eth2", true],
    ["eth[0-3]", "eth4", false],
    ["eth[!0-3]", "eth4", true],
    ["eth[^0-3]", "eth2", false],
    ["[]x]", "]", true],
    ["[!]]", "]", false],
    ["[a-]", "-", true],
    ["br-[0-9a-f]*", "br-3f2a", true],
    ["br-[0-9a-f]*", "br-zz", false],
    ["a\\*b", "a*b", true],
    ["a\\*b", "axb", false],
    ["\\[x]", "[x]", true],
    ["[\\]]", "]", true],
    ["?", "🦀", true], // one character, not one UTF-16 unit
    ["??", "🦀", false],
    ["*", "", true],
    ["", "", true],
    ["", "x", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYbZc", true],
    ["a*b*c", "aXbYcZ", false],
  ] as const)("%p ~ %p is %p", (pattern, name, expected) => {
    expect(m(pattern, name)).toBe(expected);
  });

  test("agrees with Bun.Glob on slash-free names (random patterns over a small alphabet)", () => {
    // A fixed-seed generator, so a failure is reproducible.
    let seed = 14;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const pieces = ["a", "b", "*", "?", "[ab]", "[!a]", "[a-b]", "\\*"];
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      const pattern = Array.from({ length: 1 + rand(6) }, () => pieces[rand(pieces.length)]).join("");
      const name = Array.from({ length: rand(7) }, () => "ab*"[rand(3)]).join("");
      expect({ pattern, name, ours: m(pattern, name) }).toEqual({ pattern, name, ours: new Bun.Glob(pattern).match(name) });
      compared++;
    }
    expect(compared).toBe(3000);
  });

  test("bad patterns are refused with a message that says what is wrong", () => {
    expect(() => compileGlob("eth[0-3")).toThrow(/'\[' at position 4 is never closed/);
    expect(() => compileGlob("eth[3-0]")).toThrow(/range 3-0 .* is backwards/);
    expect(() => compileGlob("eth\\")).toThrow(/lone '\\'/);
    expect(() => compileGlob("x".repeat(MAX_GLOB_LENGTH + 1))).toThrow(new GlobError(`a glob may be at most ${MAX_GLOB_LENGTH} characters long, not ${MAX_GLOB_LENGTH + 1}`));
    expect(m("x".repeat(MAX_GLOB_LENGTH), "x".repeat(MAX_GLOB_LENGTH))).toBe(true);
  });
});

describe("adversarial patterns finish (a backtracking RegExp takes minutes on each)", () => {
  const long = "a".repeat(MAX_GLOB_LENGTH);
  test.each([
    ["stars then a missing character", `${"*".repeat(MAX_GLOB_LENGTH - 1)}x`, long, false],
    ["star-letter pairs then a missing character", `${"*a".repeat(MAX_GLOB_LENGTH / 2 - 1)}*b`, long, false],
    ["question marks and stars", `${"?*".repeat(MAX_GLOB_LENGTH / 2 - 1)}?x`, long, false],
    ["classes and stars", `${"*[a-z]".repeat(MAX_GLOB_LENGTH / 6 - 1)}*[0-9]`, long, false],
    ["star-letter pairs that do match", `${"*a".repeat(MAX_GLOB_LENGTH / 2)}`, long, true],
  ] as const)("%s", (_what, pattern, name, expected) => {
    expect(pattern.length).toBeLessThanOrEqual(MAX_GLOB_LENGTH);
    const match = compileGlob(pattern);
    // Many names, as a query over a big topology would test.
    for (let i = 0; i < 200; i++) expect(match(name)).toBe(expected);
  });
});
