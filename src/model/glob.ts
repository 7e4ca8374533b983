// Globs over names (GraphQL's `name:` filters, alert rules' interface names): `*` any run of
// characters, `?` one character, `[abc]` `[a-z]` one of a set, `[!a-z]` (or `[^a-z]`) one not in
// it, `\x` the character x itself. The whole name must match, as in a shell.
//
// Matching is iterative and linear in name × pattern, whatever the pattern: names and patterns
// come from clients and from stored alert rules, and a matcher that backtracks lets one request
// (`***…x`) or one stored rule freeze the server (issue 14). That rules out the glob libraries
// of npm: picomatch, micromatch, minimatch, matcher, wildcard-match, zeptomatch, outmatch, globrex
// and glob-to-regexp all compile to a JavaScript RegExp, and the engines (JSC's in Bun, V8's)
// backtrack, exponentially for `***…x` and polynomially for `*a*a*a…b`. The Glob class of Bun
// matches in linear time but for paths: its `*` and `?` never match `/`, and the names filtered
// here hold slashes (process names such as `kworker/0:1`, container names, bind-mount paths),
// so `kworker*` would miss `kworker/0:1`. A linear-time regex engine (re2js) would still need a
// glob-to-regex translator of ours in front of it, for one syntax this small.
//
// The algorithm is the classic one (Russ Cox, "Glob Matching Can Be Simple And Fast Too"): on a
// mismatch, retry only from the most recent `*`, one character further into the name. Earlier
// stars need no retry: the latest one can absorb whatever they would have. At most
// (name length + 1) × (pattern length + 1) steps, no recursion.

/**
 * Longer patterns are refused. A match then costs at most (name length + 1) × 129 steps: even the
 * worst pattern over 10 000 names of 255 characters holds the event loop for well under 100 ms
 * (bench/glob.ts). Real globs over interface, process and container names are short.
 */
export const MAX_GLOB_LENGTH = 128;

/** The pattern is not a glob this module accepts; the message says where and why. */
export class GlobError extends Error {
  override name = "GlobError";
}

// A pattern as parallel arrays (the matching loop reads them millions of times): per token a code
// point (>= 0: that character), ANY, STAR, or SET - n (the n-th of `sets`).
const ANY = -1;
const STAR = -2;
const SET = -3;

interface CharSet {
  negated: boolean;
  /** Inclusive code point ranges. */
  ranges: [number, number][];
}

interface Compiled {
  tokens: Int32Array;
  sets: CharSet[];
}

const CP = (s: string) => s.codePointAt(0)!;

function parse(pattern: string): Compiled {
  const cps = Array.from(pattern, CP);
  const tokens: number[] = [];
  const sets: CharSet[] = [];
  let i = 0;
  while (i < cps.length) {
    const c = cps[i]!;
    if (c === CP("*")) {
      // Consecutive stars are one: they match nothing more than a single star does.
      if (tokens.at(-1) !== STAR) tokens.push(STAR);
      i++;
    } else if (c === CP("?")) {
      tokens.push(ANY);
      i++;
    } else if (c === CP("\\")) {
      if (i + 1 >= cps.length) throw new GlobError(`glob '${pattern}' ends with a lone '\\' (write '\\\\' for a backslash)`);
      tokens.push(cps[i + 1]!);
      i += 2;
    } else if (c === CP("[")) {
      const start = i;
      i++;
      const negated = cps[i] === CP("!") || cps[i] === CP("^");
      if (negated) i++;
      const ranges: [number, number][] = [];
      // A ']' first in the set is a member, as in a shell: '[]a]' is ']' or 'a'.
      for (let first = true; ; first = false) {
        if (i >= cps.length) throw new GlobError(`glob '${pattern}': the '[' at position ${start + 1} is never closed (write '\\[' for a bracket)`);
        let lo = cps[i]!;
        if (lo === CP("]") && !first) break;
        if (lo === CP("\\") && i + 1 < cps.length) lo = cps[++i]!;
        i++;
        let hi = lo;
        if (cps[i] === CP("-") && i + 1 < cps.length && cps[i + 1] !== CP("]")) {
          hi = cps[i + 1]!;
          if (hi === CP("\\") && i + 2 < cps.length) hi = cps[++i + 1]!;
          i += 2;
          if (hi < lo) throw new GlobError(`glob '${pattern}': the range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)} in the '[' at position ${start + 1} is backwards`);
        }
        ranges.push([lo, hi]);
      }
      i++; // the closing ']'
      tokens.push(SET - sets.length);
      sets.push({ negated, ranges });
    } else {
      tokens.push(c);
      i++;
    }
  }
  return { tokens: Int32Array.from(tokens), sets };
}

function inSet(set: CharSet, cp: number): boolean {
  for (const [lo, hi] of set.ranges) if (cp >= lo && cp <= hi) return !set.negated;
  return set.negated;
}

function matchCodes({ tokens, sets }: Compiled, name: ArrayLike<number>): boolean {
  const end = tokens.length;
  let p = 0; // next token
  let n = 0; // next name character
  // Where to resume after a mismatch: the token after the latest star, and the name position
  // that star will next start absorbing from. -1 while no star has been seen.
  let starP = -1;
  let starN = 0;
  while (n < name.length) {
    const t = p < end ? tokens[p]! : null;
    if (t === STAR) {
      starP = ++p;
      starN = n;
      continue;
    }
    const cp = name[n]!;
    if (t !== null && (t === cp || t === ANY || (t <= SET && inSet(sets[SET - t]!, cp)))) {
      p++;
      n++;
    } else if (starP >= 0) {
      // The latest star takes one more character; everything after it is tried again.
      p = starP;
      n = ++starN;
    } else {
      return false;
    }
  }
  while (p < end && tokens[p] === STAR) p++;
  return p === end;
}

// Names are nearly always ASCII: their UTF-16 units are their code points, read without copying
// into an array first. Only a name with a surrogate pair (an emoji) is split into code points.
const SURROGATE = /[\uD800-\uDFFF]/;

function codesOf(name: string): ArrayLike<number> {
  if (SURROGATE.test(name)) return Array.from(name, CP);
  const codes = new Uint16Array(name.length);
  for (let i = 0; i < name.length; i++) codes[i] = name.charCodeAt(i);
  return codes;
}

/** A matcher for `pattern`, or a GlobError naming what is wrong with it (including the length limit). */
export function compileGlob(pattern: string): (name: string) => boolean {
  if (pattern.length > MAX_GLOB_LENGTH) {
    throw new GlobError(`a glob may be at most ${MAX_GLOB_LENGTH} characters long, not ${pattern.length}`);
  }
  const compiled = parse(pattern);
  if (compiled.tokens.every((t) => t >= 0)) {
    const literal = String.fromCodePoint(...compiled.tokens);
    return (name) => name === literal;
  }
  return (name) => matchCodes(compiled, codesOf(name));
}
