// The topologyChanges and revisions streams: with `sinceRevision`, the changes after it replayed
// from the store, then live batches, with no gap and no duplicate. The order matters: subscribe first (batches
// arriving meanwhile are held), then read the history up to the latest revision, then release
// the held batches, skipping every revision already sent. A batch committed before the replay
// read is in the replay; one committed after it is held; one in both is skipped by revision.

import type { ChangeEvent, EntityDiff } from "../store/index.ts";
import type { RevisionBatch } from "../watch/live.ts";
import { Channel } from "./channel.ts";
import type { SchemaContext } from "./context.ts";
import { asClientErrors, badInput } from "./errors.ts";
import { findNamespace } from "./filters.ts";
import { schemaIndex } from "./topology-index.ts";
import type { ChangeShape } from "./types/history.ts";

export interface ChangeFilter {
  kinds?: readonly string[] | null;
  ops?: readonly ("added" | "removed" | "changed")[] | null;
  /** A namespace key (node ids and names are resolved to one before filtering). */
  namespace?: string | null;
}

/** Whether an event is about something in (or of) a namespace: its key is under the namespace's, or its netns is it. */
function inNamespace(e: EntityDiff, ns: string): boolean {
  if (e.key === ns || e.key.startsWith(`${ns}/`)) return true;
  return e.before?.netns === ns || e.after?.netns === ns;
}

export function changeMatcher(f: ChangeFilter): (e: EntityDiff) => boolean {
  return (e) => (!f.kinds || f.kinds.includes(e.kind)) && (!f.ops || f.ops.includes(e.op)) && (!f.namespace || inNamespace(e, f.namespace));
}

/** One revision's changes as the subscriptions deliver them (filtered; `cause` only for a live one). */
export interface RevisionShape {
  revision: number;
  time: string | null;
  cause: RevisionBatch["cause"] | null;
  changes: ChangeShape[];
}

// A live batch reaches every subscriber: its changes are shaped once (the same objects for all of
// them, so the server's fan-out executes a subscription once per event and document,
// src/server/fanout.ts) and filtered once per distinct filter.
const shaped = new WeakMap<readonly ChangeEvent[], Map<string, RevisionShape>>();

function shapeOf(events: readonly ChangeEvent[], revision: number, time: string | null, cause: RevisionShape["cause"], filterKey: string, matches: (e: EntityDiff) => boolean): RevisionShape {
  let byFilter = shaped.get(events);
  if (!byFilter) shaped.set(events, (byFilter = new Map()));
  let all = byFilter.get("");
  if (!all) byFilter.set("", (all = { revision, time, cause, changes: events.map((e): ChangeShape => ({ ...e, revision, time })) }));
  let shape = byFilter.get(filterKey);
  if (!shape) byFilter.set(filterKey, (shape = { ...all, changes: all.changes.filter((_, i) => matches(events[i]!)) }));
  return shape;
}

/**
 * Follows the recorded revisions: with `sinceRevision`, those after it replayed from the store,
 * then live ones, each once, in order. `deliver` gets every revision, its changes filtered (often
 * none); without `sinceRevision` first the current one with none, the point the stream starts
 * after. Returns the unsubscribe function.
 */
function follow(ctx: SchemaContext, filter: ChangeFilter, sinceRevision: number | null, deliver: (r: RevisionShape) => void): () => void {
  // A namespace given by name or node id becomes its key now: it may be gone later, and its
  // removal is one of the events the client wants.
  let namespace = filter.namespace ?? null;
  if (namespace !== null) {
    try {
      namespace = findNamespace(schemaIndex(ctx.live.current().topology), namespace).key;
    } catch {
      if (!namespace.startsWith("netns:")) throw badInput(`namespace filter: no namespace '${filter.namespace}' now; give a namespace key to follow one that is not there yet`);
    }
  }
  const matches = changeMatcher({ ...filter, namespace });
  const filterKey = JSON.stringify([filter.kinds ?? null, filter.ops ?? null, namespace]);
  let sent = -Infinity;
  let replaying = true;
  const held: RevisionBatch[] = [];

  const pass = (revision: number, time: string | null, cause: RevisionShape["cause"], events: ChangeEvent[]) => {
    if (revision <= sent) return;
    sent = revision;
    deliver(shapeOf(events, revision, time, cause, filterKey, matches));
  };
  const unsubscribe = ctx.live.subscribe((batch) => {
    if (replaying) held.push(batch);
    else pass(batch.revision, batch.time, batch.cause, batch.events);
  });
  try {
    if (sinceRevision !== null) replay(ctx, sinceRevision, (revision, time, events) => pass(revision, time, null, events));
    // Live from here: the changes after the current revision (the watcher publishes a revision
    // in the same step that makes it current, so none up to it is still to come).
    else deliver({ revision: ctx.live.current().revision, time: null, cause: null, changes: [] });
  } catch (err) {
    unsubscribe();
    throw err;
  }
  replaying = false;
  for (const b of held.splice(0)) pass(b.revision, b.time, b.cause, b.events);
  return unsubscribe;
}

/**
 * Each change as its own event, one batch per revision (even an empty one): once a batch is
 * delivered, the client has every change up to its revision.
 */
export function topologyChanges(ctx: SchemaContext, filter: ChangeFilter, sinceRevision: number | null): Channel<ChangeShape> {
  const channel = new Channel<ChangeShape>();
  channel.onClose(follow(ctx, filter, sinceRevision, (r) => channel.pushBatch(r.changes, r.revision)));
  return channel;
}

/** One event per revision, carrying all its (matching) changes; a revision with none is skipped but still a resume point. */
export function revisions(ctx: SchemaContext, filter: ChangeFilter, sinceRevision: number | null): Channel<RevisionShape> {
  const channel = new Channel<RevisionShape>();
  channel.onClose(follow(ctx, filter, sinceRevision, (r) => channel.pushBatch(r.changes.length > 0 ? [r] : [], r.revision)));
  return channel;
}

function replay(ctx: SchemaContext, since: number, deliver: (revision: number, time: string | null, events: ChangeEvent[]) => void): void {
  if (!Number.isSafeInteger(since) || since < 0) throw badInput(`sinceRevision must be a revision number (0: from the beginning), not ${since}`);
  const latest = ctx.store.latest();
  if (latest === null) throw badInput("sinceRevision: the history holds no recording yet");
  if (since > latest) throw badInput(`sinceRevision ${since} is after the latest revision ${latest}`);
  // 0 is before the first recording: everything the history holds is replayed.
  if (since !== 0) asClientErrors(() => ctx.store.resolve({ revision: since }));
  if (since === latest) {
    deliver(latest, null, []);
    return;
  }
  const events = asClientErrors(() => ctx.store.changes({ revision: since }, { revision: latest }));
  const times = new Map(ctx.store.history(latest - since).map((s) => [s.revision, s.time]));
  let i = 0;
  while (i < events.length) {
    const revision = events[i]!.revision;
    let j = i;
    while (j < events.length && events[j]!.revision === revision) j++;
    deliver(revision, times.get(revision) ?? null, events.slice(i, j));
    i = j;
  }
  // Revisions with nothing after the last event still count as sent.
  deliver(latest, times.get(latest) ?? null, []);
}
