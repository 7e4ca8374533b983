// Two versions of an entity (or one, or none) as a diff entry, with field-level changes.

import { fieldChanges, type FieldChange } from "./canonical.ts";
import type { Attrs, Kind } from "./kind.ts";

export interface EntityDiff {
  kind: string;
  key: string;
  op: "added" | "removed" | "changed";
  /** The version at the first moment (absent when added). */
  before?: Attrs;
  /** The version at the second moment (absent when removed). */
  after?: Attrs;
  /** For changed entities: which fields, from what to what. */
  fields?: FieldChange[];
}

export interface Diff {
  from: number;
  to: number;
  entities: EntityDiff[];
}

export interface ChangeEvent extends EntityDiff {
  revision: number;
}

/** A diff entry from the versions before and after (either may be missing); null when they do not differ. */
export function compare(kind: Kind, key: string, before: { attrs: string } | undefined, after: { attrs: string } | undefined, strict = false): EntityDiff | null {
  if (before && after) {
    const b = visible(before.attrs);
    const a = visible(after.attrs);
    // In a diff, volatile fields alone are no change; in the change stream a version boundary
    // is reported as it was recorded.
    const fields = fieldChanges(b, a, strict ? [] : kind.volatile);
    return fields.length === 0 ? null : { kind: kind.name, key, op: "changed", before: b, after: a, fields };
  }
  if (after) return { kind: kind.name, key, op: "added", after: visible(after.attrs) };
  if (before) return { kind: kind.name, key, op: "removed", before: visible(before.attrs) };
  return null;
}

/** Stored attrs without the store's own bookkeeping fields (named `$…`, see registry.ts). */
function visible(attrs: string): Attrs {
  const a = JSON.parse(attrs) as Attrs;
  for (const k of Object.keys(a)) if (k.startsWith("$")) delete a[k];
  return a;
}

export function rowsMap<R extends { key: string }>(rows: R[]): Map<string, R> {
  return new Map(rows.map((r) => [r.key, r]));
}
