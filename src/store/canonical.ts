// Canonical JSON: object keys sorted at every level, so that the same attributes always give the
// same string however the object was built, and "did it change?" is a string comparison.

import type { Attrs } from "./kind.ts";

export function canonical(value: unknown): string {
  return write(value) ?? "null";
}

/**
 * JSON.stringify's output with sorted keys, written directly (a replacer that rebuilds every
 * object sorted costs several times more: this runs for every new or changed entity). Same rules:
 * undefined, functions and symbols leave a property out (and are null in arrays); scalars go
 * through JSON.stringify itself.
 */
function write(v: unknown): string | undefined {
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(v);
    case "object":
      break;
    case "bigint":
      return JSON.stringify(v); // throws, as JSON.stringify does
    default:
      return undefined;
  }
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return write(toJSON.call(v));
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) out += (i > 0 ? "," : "") + (write(v[i]) ?? "null");
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  let out = "{";
  let first = true;
  for (const k of sortedKeys(o)) {
    const item = write(o[k]);
    if (item === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${item}`;
    first = false;
  }
  return `${out}}`;
}

const INDEX = /^(?:0|[1-9]\d{0,9})$/;

/**
 * Keys in the order the replacer-built sorted object serialised them in (which every stored row
 * was written with, so it must not change): a JS object lists integer-like keys first, ascending,
 * then the others in the order they were added — sorted.
 */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  let indexes: string[] | null = null;
  for (const k of keys) if (INDEX.test(k) && Number(k) < 4294967295) (indexes ??= []).push(k);
  if (indexes === null) return keys.sort();
  const taken = new Set(indexes);
  return [...indexes.sort((a, b) => Number(a) - Number(b)), ...keys.filter((k) => !taken.has(k)).sort()];
}

export interface FieldChange {
  /** Dotted path into the entity (`relations.peer`, `details.vni`, `mtu`). */
  field: string;
  before: unknown;
  after: unknown;
}

/**
 * Field-level differences between two versions of an entity. Nested plain objects are walked
 * (so a new veth peer shows as `relations.peer`, not as all of `relations`); arrays and scalars
 * are compared whole. `ignore` lists top-level fields not to compare (a kind's volatile ones).
 */
export function fieldChanges(before: Attrs, after: Attrs, ignore: readonly string[] = []): FieldChange[] {
  const out: FieldChange[] = [];
  walk(before, after, "", new Set(ignore), out);
  return out;
}

function walk(a: Attrs, b: Attrs, prefix: string, ignore: Set<string>, out: FieldChange[]): void {
  const ka = Object.keys(a);
  const fields = ka.concat(Object.keys(b).filter((k) => !(k in a))).sort();
  for (const f of fields) {
    if (prefix === "" && ignore.has(f)) continue;
    const x = a[f];
    const y = b[f];
    const path = prefix + f;
    if (isPlainObject(x) && isPlainObject(y)) walk(x, y, `${path}.`, ignore, out);
    else if (!same(x ?? null, y ?? null)) out.push({ field: path, before: x ?? null, after: y ?? null });
  }
}

/** Deep equality of JSON values (what canonical() would say, without building strings). */
function same(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!same(x[i], y[i])) return false;
    return true;
  }
  const a = x as Attrs;
  const b = y as Attrs;
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => k in b && same(a[k], b[k]));
}

function isPlainObject(v: unknown): v is Attrs {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
