// Connections ordered by identity key, with the key itself as the cursor: a cursor stays valid
// when entities are added or removed before it (an offset would shift), and even after its own
// entity is gone (paging resumes at the next key). Keys compare naturally (digit runs as
// numbers), so interfaces page in ifindex order within a namespace.

import { badInput } from "./errors.ts";

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface KeyConnection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

const PREFIX = "key:";

export function keyCursor(key: string): string {
  return Buffer.from(PREFIX + key, "utf8").toString("base64url");
}

function cursorKey(cursor: string, arg: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!text.startsWith(PREFIX)) throw badInput(`${arg}: '${cursor}' is not a cursor of this API (use an edge's cursor or pageInfo's start/endCursor)`);
  return text.slice(PREFIX.length);
}

const collator = new Intl.Collator("en", { numeric: true });
export const compareKeys = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/** One page of `items` (in any order; they are sorted by key here). */
export function keyConnection<T extends { key: string }>(items: readonly T[], args: ConnectionArgs): KeyConnection<T> {
  for (const [name, n] of [["first", args.first], ["last", args.last]] as const)
    if (n !== null && n !== undefined && (n < 0 || n > MAX_PAGE)) throw badInput(`${name} must be between 0 and ${MAX_PAGE}, not ${n}`);
  if (args.first != null && args.last != null) throw badInput("give first or last, not both");
  const sorted = [...items].sort((a, b) => compareKeys(a.key, b.key));
  const after = args.after != null ? cursorKey(args.after, "after") : null;
  const before = args.before != null ? cursorKey(args.before, "before") : null;
  let lo = 0;
  let hi = sorted.length;
  if (after !== null) while (lo < hi && compareKeys(sorted[lo]!.key, after) <= 0) lo++;
  if (before !== null) while (hi > lo && compareKeys(sorted[hi - 1]!.key, before) >= 0) hi--;
  let start = lo;
  let end = hi;
  if (args.last != null) start = Math.max(lo, hi - args.last);
  else end = Math.min(hi, lo + (args.first ?? DEFAULT_PAGE));
  const page = sorted.slice(start, end);
  return {
    edges: page.map((node) => ({ cursor: keyCursor(node.key), node })),
    pageInfo: {
      hasNextPage: end < hi,
      hasPreviousPage: start > lo,
      startCursor: page.length ? keyCursor(page[0]!.key) : null,
      endCursor: page.length ? keyCursor(page[page.length - 1]!.key) : null,
    },
    totalCount: sorted.length,
  };
}

/** The connection options every list shares: a `totalCount` over all pages. */
export const withTotal = { fields: (t: any) => ({ totalCount: t.int({ description: "Items matching the filters, over all pages.", resolve: (c: { totalCount: number }) => c.totalCount }) }) };
