// Canonical JSON: object keys sorted at every level, so that the same attributes always give the
// same string however the object was built, and "did it change?" is a string comparison.

import type { Attrs } from "./kind.ts";

export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
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
