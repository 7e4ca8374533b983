// The history: recordings (snapshots), diffs between two moments, and the change events that
// diffs and the topologyChanges subscription are made of. A change carries the stored versions
// as JSON (the dump's field names), the changed fields, and the entity's node id.

import type { FieldChange, Snapshot } from "../../store/index.ts";
import type { EntityDiff } from "../../store/index.ts";
import { encodeNodeId } from "../../model/node-id.ts";
import { builder } from "../builder.ts";
import { ChangeOpEnum, EntityKindEnum } from "../enums.ts";
import { StatsRef } from "./hosts.ts";
import { schemaIndex, lookupNode, typenameOfStoreKind } from "../topology-index.ts";

export { ChangeOpEnum, EntityKindEnum };

const FieldChangeRef = builder.objectRef<FieldChange>("FieldChange").implement({
  description: "One changed field: a dotted path into the entity (`mtu`, `relations.peer`, `details.vni`).",
  fields: (t) => ({
    field: t.exposeString("field"),
    before: t.field({ type: "JSON", nullable: true, resolve: (f) => f.before }),
    after: t.field({ type: "JSON", nullable: true, resolve: (f) => f.after }),
  }),
});

/** A change of one entity, with the revision it happened in (null in a diff, which spans several). */
export interface ChangeShape extends EntityDiff {
  revision: number | null;
  time: string | null;
}

export function nodeIdOf(c: EntityDiff): string | null {
  const typename = typenameOfStoreKind(c.kind, c.after ?? c.before);
  return typename ? encodeNodeId(typename, c.key) : null;
}

export const ChangeRef = builder.interfaceRef<ChangeShape>("TopologyChange").implement({
  description: "An entity added, removed or changed. `before`/`after` are the recorded versions as in `wiresight dump` (child entities are their own changes).",
  resolveType: (c) => (c.op === "added" ? "EntityAdded" : c.op === "removed" ? "EntityRemoved" : "EntityChanged"),
  fields: (t) => ({
    revision: t.exposeInt("revision", { nullable: true, description: "The revision it happened in (null in a diff spanning several)." }),
    time: t.field({ type: "DateTime", nullable: true, description: "When that revision was discovered.", resolve: (c) => c.time }),
    kind: t.field({ type: EntityKindEnum, resolve: (c) => c.kind as "namespace" }),
    op: t.field({ type: ChangeOpEnum, resolve: (c) => c.op }),
    key: t.exposeString("key"),
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
const common = (t: any) => ({ nodeId: t.id({ nullable: true, resolve: (c: ChangeShape) => nodeIdOf(c) }) });

builder.objectType(builder.objectRef<ChangeShape>("EntityAdded"), {
  interfaces: [ChangeRef],
  isTypeOf: (c) => (c as ChangeShape).op === "added",
  fields: (t) => ({ ...common(t), after: t.field({ type: "JSON", resolve: (c) => c.after ?? null }) }),
});
builder.objectType(builder.objectRef<ChangeShape>("EntityRemoved"), {
  interfaces: [ChangeRef],
  isTypeOf: (c) => (c as ChangeShape).op === "removed",
  fields: (t) => ({ ...common(t), before: t.field({ type: "JSON", resolve: (c) => c.before ?? null }) }),
});
builder.objectType(builder.objectRef<ChangeShape>("EntityChanged"), {
  interfaces: [ChangeRef],
  isTypeOf: (c) => (c as ChangeShape).op === "changed",
  fields: (t) => ({
    ...common(t),
    before: t.field({ type: "JSON", resolve: (c) => c.before ?? null }),
    after: t.field({ type: "JSON", resolve: (c) => c.after ?? null }),
    fields: t.field({ type: [FieldChangeRef], resolve: (c) => c.fields ?? [] }),
  }),
});

export const DiffRef = builder.objectRef<{ from: number; to: number; entities: ChangeShape[] }>("Diff").implement({
  fields: (t) => ({
    from: t.exposeInt("from", { description: "The revision `from` resolved to." }),
    to: t.exposeInt("to"),
    entities: t.field({ type: [ChangeRef], resolve: (d) => d.entities }),
  }),
});

export const SnapshotRef = builder.objectRef<Snapshot>("Snapshot").implement({
  description: "One recording of the history.",
  fields: (t) => ({
    revision: t.exposeInt("revision"),
    time: t.field({ type: "DateTime", description: "When the recorded discovery ran.", resolve: (s) => s.time }),
    durationMs: t.exposeFloat("durationMs"),
    added: t.exposeInt("added"),
    removed: t.exposeInt("removed"),
    changed: t.exposeInt("changed"),
    warnings: t.exposeInt("warnings"),
    stats: t.field({ type: StatsRef, description: "Entity counts as discovery reported them.", resolve: (s) => s.stats }),
  }),
});
