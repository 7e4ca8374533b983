// The history: recordings (snapshots), diffs between two moments, and the change events that
// diffs, `changes` and the subscriptions are made of. A change carries the stored versions as
// JSON (the dump's field names), the changed fields, and the entity's node id. The query fields
// that read the history live here too: `history`, `changes`, `diff`.

import type { FieldChange, Snapshot } from "../../store/index.ts";
import type { EntityDiff } from "../../store/index.ts";
import { KINDS } from "../../store/index.ts";
import { encodeNodeId } from "../../model/node-id.ts";
import { builder } from "../builder.ts";
import { connection } from "../connection.ts";
import { connectionType } from "../connection-types.ts";
import type { SchemaContext } from "../context.ts";
import { ChangeOpEnum, EntityKindEnum } from "../enums.ts";
import { asClientErrors, badInput } from "../errors.ts";
import { findNamespace } from "../filters.ts";
import { resolveRevision, topologyAt } from "../moment.ts";
import { orderBy } from "../ordering.ts";
import { changeMatcher, type ChangeFilter } from "../topology-changes.ts";
import { lookupNode, schemaIndex, typenameOfStoreKind } from "../topology-index.ts";
import { StatsRef } from "./hosts.ts";

export { ChangeOpEnum, EntityKindEnum };

const FieldChangeRef = builder.objectRef<FieldChange>("FieldChange").implement({
  description: "One changed field: a dotted path into the entity (`mtu`, `relations.peer`, `details.vni`).",
  fields: (t) => ({
    field: t.exposeString("field", { description: "The dotted path of the field." }),
    before: t.field({ type: "JSON", nullable: true, description: "Its value before (null when it was absent).", resolve: (f) => f.before }),
    after: t.field({ type: "JSON", nullable: true, description: "Its value after (null when it is absent now).", resolve: (f) => f.after }),
  }),
});

/** A change of one entity, with the revision it happened in (null in a diff, which spans several). */
export interface ChangeShape extends EntityDiff {
  revision: number | null;
  time: string | null;
  /** The revisions a diff spans ("3..7"); absent for a change of one revision. */
  span?: string;
}

/**
 * A change's identity: the entity's key and the revision it changed in (a diff's entry: the span
 * of the diff), as base64url like node ids. Two events about the same entity in different
 * revisions are different objects to a client cache; the same event replayed is the same one.
 */
export function changeId(c: ChangeShape): string {
  return Buffer.from(`TopologyChange:${c.span ?? c.revision}:${c.key}`, "utf8").toString("base64url");
}

export function nodeIdOf(c: EntityDiff): string | null {
  const typename = typenameOfStoreKind(c.kind, c.after ?? c.before);
  return typename ? encodeNodeId(typename, c.key) : null;
}

export const ChangeRef = builder.interfaceRef<ChangeShape>("TopologyChange").implement({
  description: "An entity added, removed or changed. `before`/`after` are the recorded versions as in `wiresight dump` (child entities are their own changes).",
  resolveType: (c) => (c.op === "added" ? "EntityAdded" : c.op === "removed" ? "EntityRemoved" : "EntityChanged"),
  fields: (t) => ({
    id: t.id({ description: "This change's identity (the entity's key and the revision, or a diff's span): stable across replays, unique per entity and revision. Not a node id: `nodeId` is the entity's.", resolve: changeId }),
    revision: t.exposeInt("revision", { nullable: true, description: "The revision it happened in (null in a diff spanning several)." }),
    time: t.field({ type: "DateTime", nullable: true, description: "When that revision was discovered.", resolve: (c) => c.time }),
    kind: t.field({ type: EntityKindEnum, description: "What kind of entity changed.", resolve: (c) => c.kind as "namespace" }),
    op: t.field({ type: ChangeOpEnum, description: "Added, removed or changed.", resolve: (c) => c.op }),
    key: t.exposeString("key", { description: "The entity's identity key." }),
    nodeId: t.id({ nullable: true, description: "The entity's global id (give it to node(id:, at:))." }),
    node: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description: "The entity as it is now in the live topology; null when it is gone.",
      resolve: (c, _a, ctx) => {
        const typename = typenameOfStoreKind(c.kind, c.after ?? c.before);
        return typename ? lookupNode(schemaIndex(ctx.live.current().topology), typename, c.key) : null;
      },
    }),
  }),
});
// nodeId is computed, not stored: give the interface field a resolver on each implementation.
const common = (t: any) => ({
  id: t.id({ description: "This change's identity (see TopologyChange.id).", resolve: changeId }),
  nodeId: t.id({ nullable: true, description: "The entity's global id (give it to node(id:, at:)).", resolve: (c: ChangeShape) => nodeIdOf(c) }),
});

builder.objectType(builder.objectRef<ChangeShape>("EntityAdded"), {
  description: "An entity that appeared.",
  interfaces: [ChangeRef],
  isTypeOf: (c) => (c as ChangeShape).op === "added",
  fields: (t) => ({ ...common(t), after: t.field({ type: "JSON", description: "The version recorded when it appeared.", resolve: (c) => c.after ?? null }) }),
});
builder.objectType(builder.objectRef<ChangeShape>("EntityRemoved"), {
  description: "An entity that went away.",
  interfaces: [ChangeRef],
  isTypeOf: (c) => (c as ChangeShape).op === "removed",
  fields: (t) => ({ ...common(t), before: t.field({ type: "JSON", description: "The last version recorded before it went.", resolve: (c) => c.before ?? null }) }),
});
builder.objectType(builder.objectRef<ChangeShape>("EntityChanged"), {
  description: "An entity some of whose fields changed.",
  interfaces: [ChangeRef],
  isTypeOf: (c) => (c as ChangeShape).op === "changed",
  fields: (t) => ({
    ...common(t),
    before: t.field({ type: "JSON", description: "The version before.", resolve: (c) => c.before ?? null }),
    after: t.field({ type: "JSON", description: "The version after.", resolve: (c) => c.after ?? null }),
    fields: t.field({ type: [FieldChangeRef], description: "The fields that changed.", resolve: (c) => c.fields ?? [] }),
  }),
});

export const ChangeConnection = connectionType(ChangeRef, "TopologyChange", "changes");

// The store's order: by revision, then entity kind (registry order), then key.
const KIND_ORDER = new Map(KINDS.map((k, i) => [k.name, i]));
const ChangeOrder = orderBy<ChangeShape>("TopologyChange", "changes", {
  REVISION: { description: "The revision it happened in, then entity kind and key (the order they are replayed in).", values: (c) => [c.revision ?? 0, KIND_ORDER.get(c.kind) ?? 0, c.key] },
});
// A diff has no revisions: entity kind, then key.
const DIFF_ORDER = { name: "KIND", values: (c: ChangeShape) => [KIND_ORDER.get(c.kind) ?? 0, c.key] };

export const ChangeFilterInput = builder.inputType("TopologyChangeFilter", {
  description: "Which changes (all given conditions hold).",
  fields: (t) => ({
    kinds: t.field({ type: [EntityKindEnum], description: "Any of these entity kinds." }),
    ops: t.field({ type: [ChangeOpEnum], description: "Any of these operations." }),
    namespace: t.string({ description: "A namespace key, node id or display name: changes of it and of what is in it. A key also follows a namespace that is not there (yet, or any more)." }),
  }),
});

/** A namespace filter given by name or node id, as the key it names at revision `at` (a key passes as is). */
function namespaceKey(ctx: SchemaContext, given: string | null | undefined, at: number): string | null {
  if (given == null) return null;
  return given.startsWith("netns:") ? given : findNamespace(topologyAt(ctx, { revision: at }), given).key;
}

function latestOrFail(ctx: SchemaContext): number {
  const latest = ctx.store.latest();
  if (latest === null) throw badInput("the history holds no recording yet");
  return latest;
}

export interface DiffShape {
  from: number;
  to: number;
  entities: ChangeShape[];
}

export const DiffRef = builder.objectRef<DiffShape>("Diff").implement({
  description: "What differs between two moments.",
  fields: (t) => ({
    from: t.exposeInt("from", { description: "The revision `from` resolved to." }),
    to: t.exposeInt("to", { description: "The revision `to` resolved to." }),
    entities: t.field({
      type: ChangeConnection,
      description: "The entities added, removed or changed between them (`revision` is null: a diff spans several), by kind, then key.",
      args: { ...t.arg.connectionArgs(), filter: t.arg({ type: ChangeFilterInput, required: false, description: "Which changes." }) },
      resolve: (d, args, ctx) => {
        const f = args.filter ?? {};
        const matches = changeMatcher({ kinds: f.kinds, ops: f.ops, namespace: namespaceKey(ctx, f.namespace, d.to) });
        return connection(d.entities.filter(matches), args, DIFF_ORDER);
      },
    }),
  }),
});

export const SnapshotRef = builder.objectRef<Snapshot>("Snapshot").implement({
  description: "One recording of the history.",
  fields: (t) => ({
    revision: t.exposeInt("revision", { description: "Its revision number (increasing)." }),
    time: t.field({ type: "DateTime", description: "When the recorded discovery ran.", resolve: (s) => s.time }),
    durationMs: t.exposeFloat("durationMs", { description: "How long that discovery took." }),
    added: t.exposeInt("added", { description: "Entities it added." }),
    removed: t.exposeInt("removed", { description: "Entities it removed." }),
    changed: t.exposeInt("changed", { description: "Entities it changed." }),
    warnings: t.exposeInt("warnings", { description: "Warnings the discovery reported." }),
    stats: t.field({ type: StatsRef, description: "Entity counts as discovery reported them.", resolve: (s) => s.stats }),
  }),
});

export const SnapshotConnection = connectionType(SnapshotRef, "Snapshot", "recordings");
const SnapshotOrder = orderBy<Snapshot>("Snapshot", "recordings", { REVISION: { description: "Revision number (the order they were made in).", values: (s) => [s.revision] } }, "desc");

/** Events of the changes list: at most this many between two moments, so one query cannot ask for the whole history. */
const MAX_CHANGES = 100_000;

builder.queryFields((t) => ({
  diff: t.field({
    type: DiffRef,
    description: "What differs between two moments (entities added, removed, changed field by field).",
    args: { from: t.arg({ type: "Moment", required: true, description: "The earlier moment." }), to: t.arg({ type: "Moment", required: false, description: "The later moment; default: the latest revision." }) },
    resolve: (_r, args, ctx) => {
      const to = args.to ?? { revision: latestOrFail(ctx) };
      const d = asClientErrors(() => ctx.store.diff(args.from, to));
      return { from: d.from, to: d.to, entities: d.entities.map((e): ChangeShape => ({ ...e, revision: null, time: null, span: `${d.from}..${d.to}` })) };
    },
  }),
  history: t.field({
    type: SnapshotConnection,
    description: "The recordings, newest first (unless ordered otherwise).",
    args: { ...t.arg.connectionArgs(), orderBy: t.arg({ type: SnapshotOrder.input, required: false, description: "Sort order." }) },
    resolve: (_r, args, ctx) => connection(ctx.store.history(Number.MAX_SAFE_INTEGER), args, SnapshotOrder.ordering(args.orderBy)),
  }),
  changes: t.field({
    type: ChangeConnection,
    description: "Every change after `from` up to `to` (default: the latest), oldest first (unless ordered otherwise).",
    args: {
      ...t.arg.connectionArgs(),
      from: t.arg({ type: "Moment", required: true, description: "Changes after this moment." }),
      to: t.arg({ type: "Moment", required: false, description: "Up to and including this moment; default: the latest revision." }),
      filter: t.arg({ type: ChangeFilterInput, required: false, description: "Which changes." }),
      orderBy: t.arg({ type: ChangeOrder.input, required: false, description: "Sort order." }),
    },
    resolve: (_r, args, ctx) => {
      const a = resolveRevision(ctx, args.from);
      const b = args.to ? resolveRevision(ctx, args.to) : latestOrFail(ctx);
      const events = asClientErrors(() => ctx.store.changes({ revision: a }, { revision: b }));
      if (events.length > MAX_CHANGES) throw badInput(`${events.length} changes between revisions ${a} and ${b} (at most ${MAX_CHANGES}): ask for a shorter span`);
      const f = args.filter ?? {};
      const filter: ChangeFilter = { kinds: f.kinds, ops: f.ops, namespace: namespaceKey(ctx, f.namespace, b) };
      const times = new Map(ctx.store.history(Math.min(10_000, b - a + 1)).map((s) => [s.revision, s.time]));
      const list = events.filter(changeMatcher(filter)).map((e): ChangeShape => ({ ...e, time: times.get(e.revision) ?? null }));
      return connection(list, args, ChangeOrder.ordering(args.orderBy));
    },
  }),
}));

