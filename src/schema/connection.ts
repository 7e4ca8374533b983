// Connections (Relay cursor pagination) over in-memory lists, in a stated order. A cursor holds
// the position of its item in that order (its sort values, ending in something unique such as
// the identity key), not an offset: it stays valid when items are added or removed before it,
// and even after its own item is gone (paging resumes at the next one). A cursor names its
// order, so one from another order is refused rather than misread.
//
// Keys compare naturally (digit runs as numbers), so interfaces page in ifindex order within a
// namespace.

import { badInput } from "./errors.ts";

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/** A sort value: numbers compare as numbers, strings naturally. */
export type SortValue = string | number;

/** How a list is ordered: a name (written into cursors) and each item's sort values. */
export interface Ordering<T> {
  name: string;
  values: (item: T) => SortValue[];
  descending?: boolean;
}

const collator = new Intl.Collator("en", { numeric: true });
export const compareKeys = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

function compareValues(a: readonly SortValue[], b: readonly SortValue[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const c = typeof x === "number" && typeof y === "number" ? x - y : compareKeys(String(x), String(y));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function encodeCursor(order: string, values: SortValue[]): string {
  return Buffer.from(JSON.stringify([order, ...values]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string, arg: string, order: string): SortValue[] {
  let parsed: unknown = null;
  if (/^[A-Za-z0-9_-]+$/.test(cursor)) {
    try {
      parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    } catch {
      parsed = null;
    }
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== "string" || !parsed.slice(1).every((v) => typeof v === "string" || typeof v === "number"))
    throw badInput(`${arg}: '${cursor}' is not a cursor of this API (use an edge's cursor or pageInfo's start/endCursor)`);
  if (parsed[0] !== order) throw badInput(`${arg}: the cursor comes from a list ordered by ${parsed[0]}, not by ${order}; start again without it`);
  return parsed.slice(1) as SortValue[];
}

/** The ordering by identity key alone. */
export const BY_KEY: Ordering<{ key: string }> = { name: "KEY", values: (x) => [x.key] };

/** One page of `items` (in any order; sorted here). */
export function connection<T>(items: readonly T[], args: ConnectionArgs, order: Ordering<T>): Page<T> {
  for (const [name, n] of [["first", args.first], ["last", args.last]] as const)
    if (n !== null && n !== undefined && (n < 0 || n > MAX_PAGE)) throw badInput(`${name} must be between 0 and ${MAX_PAGE}, not ${n}`);
  if (args.first != null && args.last != null) throw badInput("give first or last, not both");
  const sign = order.descending ? -1 : 1;
  const sorted = items.map((item) => ({ item, values: order.values(item) })).sort((a, b) => sign * compareValues(a.values, b.values));
  const after = args.after != null ? decodeCursor(args.after, "after", order.name) : null;
  const before = args.before != null ? decodeCursor(args.before, "before", order.name) : null;
  let lo = 0;
  let hi = sorted.length;
  if (after !== null) while (lo < hi && sign * compareValues(sorted[lo]!.values, after) <= 0) lo++;
  if (before !== null) while (hi > lo && sign * compareValues(sorted[hi - 1]!.values, before) >= 0) hi--;
  let start = lo;
  let end = hi;
  if (args.last != null) start = Math.max(lo, hi - args.last);
  else end = Math.min(hi, lo + (args.first ?? DEFAULT_PAGE));
  const edges = sorted.slice(start, end).map((x) => ({ cursor: encodeCursor(order.name, x.values), node: x.item }));
  return {
    edges,
    pageInfo: {
      hasNextPage: end < hi,
      hasPreviousPage: start > lo,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: sorted.length,
  };
}

/** One page of entities ordered by identity key. */
export function keyConnection<T extends { key: string }>(items: readonly T[], args: ConnectionArgs): Page<T> {
  return connection(items, args, BY_KEY);
}
