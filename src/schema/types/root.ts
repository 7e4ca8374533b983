// The root fields that belong to no one type: the topology, node lookup, whereIs, capture targets,
// the watcher's status; discoverNow; the change subscriptions. (Lists, history and alerts add
// their own fields from their files.)

import { decodeNodeId } from "../../model/node-id.ts";
import { whereIs } from "../../model/where-is.ts";
import type { Moment } from "../../store/index.ts";
import type { RevisionBatch, RevisionCause } from "../../watch/live.ts";
import { builder } from "../builder.ts";
import type { SchemaContext } from "../context.ts";
import { asClientErrors, badInput } from "../errors.ts";
import { checkPort, findNamespace } from "../filters.ts";
import { discoverOncePerRequest } from "../discover-once.ts";
import { topologyAt } from "../moment.ts";
import { revisions, topologyChanges, type RevisionShape } from "../topology-changes.ts";
import { isNodeTypename, lookupNode } from "../topology-index.ts";
import { captureTargets, CaptureTargetRef } from "./capture.ts";
import { ChangeFilterInput, ChangeRef, type ChangeShape } from "./history.ts";
import { TopologyRef } from "./refs.ts";
import { UserErrorRef, type UserErrorShape } from "./user-errors.ts";
import { WhereIsRef } from "./where-is.ts";

function nodeById(ctx: SchemaContext, id: string, at: Moment | null | undefined): object | null {
  const d = decodeNodeId(id);
  if (!d) throw badInput(`'${id}' is not a wiresight node id (base64url of "Typename:key")`);
  if (d.typename === "Alert") return ctx.alerts.alert(d.key);
  if (d.typename === "AlertRule") return ctx.alerts.rule(d.key);
  if (!isNodeTypename(d.typename)) throw badInput(`node id '${id}' names type ${d.typename}, which has no global ids`);
  return lookupNode(topologyAt(ctx, at), d.typename, d.key);
}

const CauseKindEnum = builder.enumType("RevisionCauseKind", {
  description: "Why a revision was recorded.",
  values: {
    START: { value: "start", description: "The first full discovery when the watcher started." },
    NETLINK: { value: "netlink", description: "Kernel events (link, address, route, NSID) in some namespaces, which alone were read again." },
    NAMESPACES: { value: "namespaces", description: "Namespaces appeared or vanished." },
    PERIODIC: { value: "periodic", description: "The periodic full pass (sockets, processes, containers: what sends no event)." },
    ENGINE: { value: "engine", description: "A container engine reported events." },
    REQUEST: { value: "request", description: "Somebody asked (discoverNow)." },
  } as const,
});

const CauseRef = builder.objectRef<RevisionCause>("RevisionCause").implement({
  description: "Why a revision was recorded, and what it looked at.",
  fields: (t) => ({
    kind: t.field({ type: CauseKindEnum, description: "What triggered it.", resolve: (c) => c.kind }),
    namespaces: t.stringList({ description: "NETLINK: the namespaces (keys) whose events were read.", resolve: (c) => (c.kind === "netlink" ? c.namespaces : []) }),
    appeared: t.stringList({ description: "NAMESPACES: the namespaces (keys) that appeared.", resolve: (c) => (c.kind === "namespaces" ? c.appeared : []) }),
    vanished: t.stringList({ description: "NAMESPACES: the namespaces (keys) that vanished.", resolve: (c) => (c.kind === "namespaces" ? c.vanished : []) }),
    containers: t.stringList({ description: "ENGINE: the containers (keys) the engine reported.", resolve: (c) => (c.kind === "engine" ? c.containers : []) }),
  }),
});

const RevisionRef = builder.objectRef<RevisionShape>("Revision").implement({
  description: "One recorded revision with its changes.",
  fields: (t) => ({
    revision: t.exposeInt("revision", { description: "Its number." }),
    time: t.field({ type: "DateTime", nullable: true, description: "When the discovery it records ran.", resolve: (r) => r.time }),
    cause: t.field({ type: CauseRef, nullable: true, description: "Why it was recorded; null for one replayed from the history (causes are not stored).", resolve: (r) => r.cause }),
    changes: t.field({ type: [ChangeRef], description: "Its changes (those the filter lets through), in store order.", resolve: (r) => r.changes }),
  }),
});

const WatchErrorRef = builder.objectRef<{ at: string; message: string }>("WatchError").implement({
  description: "A failed discovery or recording.",
  fields: (t) => ({
    at: t.field({ type: "DateTime", description: "When it failed.", resolve: (e) => e.at }),
    message: t.exposeString("message", { description: "What went wrong." }),
  }),
});

const WatchStatusRef = builder.objectRef<ReturnType<SchemaContext["live"]["status"]>>("WatchStatus").implement({
  description: "How the watcher that keeps the topology current is doing.",
  fields: (t) => ({
    startedAt: t.field({ type: "DateTime", description: "When it started.", resolve: (s) => s.startedAt }),
    lastSuccessAt: t.field({ type: "DateTime", nullable: true, description: "The last discovery that succeeded; null before the first.", resolve: (s) => s.lastSuccessAt }),
    lastError: t.field({ type: WatchErrorRef, nullable: true, description: "The last failure since the last success; null when none.", resolve: (s) => s.lastError }),
    consecutiveFailures: t.exposeInt("consecutiveFailures", { description: "Failures in a row since the last success." }),
    namespacesWatched: t.exposeInt("namespacesWatched", { description: "Namespaces with an open event socket." }),
    fullPassEveryMs: t.exposeInt("fullPassEveryMs", { description: "The period of the full pass, ms." }),
  }),
});

builder.queryType({
  description: "What wiresight knows: the topology now or at any recorded moment, its history, alerts.",
  fields: (t) => ({
    topology: t.field({
      type: TopologyRef,
      description: "The whole topology, now or at a past moment.",
      args: { at: t.arg({ type: "Moment", required: false, description: "A past moment (revision or time); the live topology when absent." }) },
      resolve: (_r, args, ctx) => topologyAt(ctx, args.at).topology,
    }),
    revision: t.int({ description: "The revision of the live topology.", resolve: (_r, _a, ctx) => ctx.live.current().revision }),
    node: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description: "The entity with this global id, now or at a past moment; null when it is not there (then). Alerts and rules are looked up as they are now.",
      args: { id: t.arg.id({ required: true, description: "A global id (any type's `id`)." }), at: t.arg({ type: "Moment", required: false, description: "A past moment; now when absent." }) },
      resolve: (_r, args, ctx) => nodeById(ctx, String(args.id), args.at),
    }),
    nodes: t.field({
      type: [builder.nodeInterfaceRef()],
      nullable: { list: false, items: true },
      description: "The entities with these global ids (null for each that is not there), now or at a past moment.",
      args: { ids: t.arg.idList({ required: true, description: "Global ids (at most 1000)." }), at: t.arg({ type: "Moment", required: false, description: "A past moment; now when absent." }) },
      resolve: (_r, args, ctx) => {
        if (args.ids.length > 1000) throw badInput(`at most 1000 ids at once, not ${args.ids.length}`);
        return args.ids.map((id) => nodeById(ctx, String(id), args.at));
      },
    }),
    whereIs: t.field({
      type: WhereIsRef,
      description: "Who owns an IP address, and (from a starting point) where a packet goes.",
      args: {
        ip: t.arg.string({ required: true, description: "The IP address." }),
        from: t.arg.string({ required: false, description: "Where the packet starts: `initial`, a namespace key, name or id, an interface key, or an address." }),
        port: t.arg.int({ required: false, description: "The destination port: which service port, NodePort or published port forwards the packet (0 to 65535)." }),
        at: t.arg({ type: "Moment", required: false, description: "A past moment; now when absent." }),
      },
      resolve: (_r, args, ctx) => {
        const index = topologyAt(ctx, args.at);
        let from = args.from ?? undefined;
        const decoded = from !== undefined ? decodeNodeId(from) : null;
        if (decoded && from !== undefined && isNodeTypename(decoded.typename)) from = decoded.key;
        else if (from !== undefined && from !== "initial" && !from.startsWith("netns:")) {
          try {
            from = findNamespace(index, from).key;
          } catch {
            // Not a namespace: whereIs takes interface keys and addresses too, and explains what it does not take.
          }
        }
        const port = args.port != null ? checkPort(args.port) : undefined;
        return { ...asClientErrors(() => whereIs(index, args.ip, { ...(from !== undefined ? { from } : {}), ...(port !== undefined ? { port } : {}) })), index };
      },
    }),
    captureTargets: t.field({
      type: [CaptureTargetRef],
      description: "Every namespace, container and pod with its interfaces and the URL that streams its packets (pcapng).",
      resolve: (_r, _a, ctx) => captureTargets(topologyAt(ctx, null), ctx.baseUrl),
    }),
    watchStatus: t.field({ type: WatchStatusRef, description: "How the watcher is doing.", resolve: (_r, _a, ctx) => ctx.live.status() }),
  }),
});

const batchShape = (b: RevisionBatch): RevisionShape => ({ revision: b.revision, time: b.time, cause: b.cause, changes: b.events.map((e): ChangeShape => ({ ...e, time: b.time })) });

const DiscoverNowPayload = builder.objectRef<{ revision: RevisionShape | null; userErrors: UserErrorShape[] }>("DiscoverNowPayload").implement({
  description: "The result of discoverNow.",
  fields: (t) => ({
    revision: t.field({ type: RevisionRef, nullable: true, description: "The (last) revision the discovery recorded; null when nothing changed.", resolve: (p) => p.revision }),
    userErrors: t.field({ type: [UserErrorRef], description: "Always empty (discoverNow takes no input); there for the payload convention.", resolve: (p) => p.userErrors }),
  }),
});

builder.mutationType({
  description: "Changes: a discovery now, alert rules.",
  fields: (t) => ({
    discoverNow: t.field({
      type: DiscoverNowPayload,
      description: "A full discovery now, recorded.",
      resolve: async (_r, _a, ctx) => {
        const batch = await discoverOncePerRequest(ctx);
        return { revision: batch ? batchShape(batch) : null, userErrors: [] };
      },
    }),
  }),
});

builder.subscriptionType({
  description: "Live streams: changes as they are recorded, alerts as they change.",
  fields: (t) => ({
    topologyChanges: t.field({
      type: ChangeRef,
      description: "Every entity added, removed or changed, one event each, as each revision is recorded. With sinceRevision, the changes after it are replayed first, then it goes live (no gap, no duplicate).",
      args: {
        filter: t.arg({ type: ChangeFilterInput, required: false, description: "Which changes." }),
        sinceRevision: t.arg.int({ required: false, description: "Replay the changes after this revision first." }),
      },
      subscribe: (_r, args, ctx) => topologyChanges(ctx, args.filter ?? {}, args.sinceRevision ?? null),
      resolve: (event: ChangeShape) => event,
    }),
    revisions: t.field({
      type: RevisionRef,
      description: "One event per recorded revision, carrying all its changes (those the filter lets through; revisions with none are skipped). Replays like topologyChanges.",
      args: {
        filter: t.arg({ type: ChangeFilterInput, required: false, description: "Which changes." }),
        sinceRevision: t.arg.int({ required: false, description: "Replay the revisions after this one first." }),
      },
      subscribe: (_r, args, ctx) => revisions(ctx, args.filter ?? {}, args.sinceRevision ?? null),
      resolve: (r: RevisionShape) => r,
    }),
  }),
});
