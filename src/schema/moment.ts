// `at:` — which moment a query reads: nothing (the live topology), a revision number, an ISO
// 8601 time, or a time relative to now (`-1h`, as the CLI takes it) — for times, the last
// recording at or before it. Past topologies are rebuilt by the store
// and kept in a small cache per store, so a query touching one moment from many fields rebuilds
// it once.

import { GraphQLScalarType, Kind, type ValueNode } from "graphql";
import type { Topology } from "../model/topology.ts";
import type { Moment, Store } from "../store/index.ts";
import type { SchemaContext } from "./context.ts";
import { asClientErrors, badInput } from "./errors.ts";
import { schemaIndex, type SchemaIndex } from "./topology-index.ts";

export type MomentInput = Moment;

// ISO 8601 date-time with a zone (Z or ±hh:mm), or a date alone (UTC midnight).
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;
// Before now: -90s, -30m, -1h, -2d, -1w.
const RELATIVE = /^-(\d+)(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseMoment(value: unknown): Moment {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value > 0) return { revision: value };
    throw badInput(`a revision is a positive integer, not ${value}`);
  }
  if (typeof value === "string") {
    const text = value.trim();
    if (/^[0-9]+$/.test(text)) return parseMoment(Number(text));
    const rel = RELATIVE.exec(text);
    if (rel) return { time: Date.now() - Number(rel[1]) * UNIT_MS[rel[2]!]! };
    if (ISO.test(text)) {
      const time = Date.parse(text);
      if (!Number.isNaN(time)) return { time };
    }
    throw badInput(`'${value}' is neither a revision number, nor an ISO 8601 time with a zone (e.g. 2025-01-31T12:00:00Z), nor a time before now (-30m, -1h, -2d)`);
  }
  throw badInput(`a moment is a revision number or an ISO 8601 time string, not ${JSON.stringify(value)}`);
}

export const MomentScalar = new GraphQLScalarType<Moment, string | number>({
  name: "Moment",
  description: "A moment of the history: a revision number (Int, or a String of digits), an ISO 8601 time with a zone, or a time before now (`-30m`, `-1h`, `-2d`, `-1w`); for a time, the last recording at or before it.",
  serialize: (v) => v as string | number,
  parseValue: (v) => parseMoment(v),
  parseLiteral: (node: ValueNode) => {
    if (node.kind === Kind.INT) return parseMoment(Number(node.value));
    if (node.kind === Kind.STRING) return parseMoment(node.value);
    throw badInput("a moment is a revision number or an ISO 8601 time string");
  },
});

const CACHED = 8;
const revisions = new WeakMap<Topology, number>();

/** The revision a topology served here was read as (null for one that did not come through topologyAt). */
export function revisionOf(t: Topology): number | null {
  return revisions.get(t) ?? null;
}

const caches = new WeakMap<Store, Map<number, Topology>>();

/** The revision a moment means, checked against the history (clear errors outside it). */
export function resolveRevision(ctx: SchemaContext, at: Moment): number {
  return asClientErrors(() => ctx.store.resolve(at));
}

/** The topology at a moment (the live one when `at` is absent or names the live revision), indexed. */
export function topologyAt(ctx: SchemaContext, at: Moment | null | undefined): SchemaIndex {
  const live = ctx.live.current();
  if (at === null || at === undefined || (live.revision !== 0 && "revision" in at && at.revision === live.revision)) {
    revisions.set(live.topology, live.revision);
    return schemaIndex(live.topology);
  }
  const revision = resolveRevision(ctx, at);
  if (revision === live.revision) {
    revisions.set(live.topology, live.revision);
    return schemaIndex(live.topology);
  }
  let cache = caches.get(ctx.store);
  if (!cache) caches.set(ctx.store, (cache = new Map()));
  let topology = cache.get(revision);
  if (topology) {
    cache.delete(revision); // most recently used last
  } else {
    topology = asClientErrors(() => ctx.store.at({ revision }));
    if (cache.size >= CACHED) cache.delete(cache.keys().next().value!);
  }
  cache.set(revision, topology);
  revisions.set(topology, revision);
  return schemaIndex(topology);
}
