// The root fields: the topology, node lookup, whereIs, history and diffs, capture targets, alert
// rules and alerts; the mutations; the subscriptions.

import { decodeNodeId } from "../../model/node-id.ts";
import { whereIs } from "../../model/where-is.ts";
import { builder } from "../builder.ts";
import type { SchemaContext } from "../context.ts";
import { asClientErrors, badInput } from "../errors.ts";
import { findNamespace } from "../filters.ts";
import { topologyAt } from "../moment.ts";
import { Channel } from "../channel.ts";
import { topologyChanges } from "../topology-changes.ts";
import { isNodeTypename, lookupNode } from "../topology-index.ts";
import type { Alert } from "../../alerts/types.ts";
import type { Moment } from "../../store/index.ts";
import { AlertRef, AlertRuleRef, AlertStateEnum, patchFromInput, RuleInput, RulePatch, ruleFromInput } from "./alerts.ts";
import { captureTargets, CaptureTargetRef } from "./capture.ts";
import { ChangeFilterInput, ChangeRef, type ChangeShape } from "./history.ts";
import { TopologyRef } from "./refs.ts";
import { WhereIsRef } from "./where-is.ts";

function nodeById(ctx: SchemaContext, id: string, at: Moment | null | undefined): object | null {
  const d = decodeNodeId(id);
  if (!d) throw badInput(`'${id}' is not a wiresight node id (base64url of "Typename:key")`);
  if (!isNodeTypename(d.typename)) throw badInput(`node id '${id}' names type ${d.typename}, which has no global ids`);
  return lookupNode(topologyAt(ctx, at), d.typename, d.key);
}

const RevisionBatchRef = builder.objectRef<{ revision: number; time: string; cause: unknown; events: unknown[] }>("RevisionBatch").implement({
  fields: (t) => ({
    revision: t.exposeInt("revision"),
    time: t.field({ type: "DateTime", resolve: (b) => b.time }),
    cause: t.field({ type: "JSON", resolve: (b) => b.cause }),
    changes: t.int({ description: "Entities added, removed or changed.", resolve: (b) => b.events.length }),
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
  fields: (t) => ({
    startedAt: t.field({ type: "DateTime", resolve: (s) => s.startedAt }),
    lastSuccessAt: t.field({ type: "DateTime", nullable: true, resolve: (s) => s.lastSuccessAt }),
    lastError: t.field({ type: WatchErrorRef, nullable: true, resolve: (s) => s.lastError }),
    consecutiveFailures: t.exposeInt("consecutiveFailures"),
    namespacesWatched: t.exposeInt("namespacesWatched"),
    fullPassEveryMs: t.exposeFloat("fullPassEveryMs"),
  }),
});

const AlertFilterInput = builder.inputType("AlertFilter", {
  fields: (t) => ({
    state: t.field({ type: [AlertStateEnum], required: false }),
    ruleId: t.string({ required: false }),
    subject: t.string({ required: false }),
    limit: t.int({ required: false }),
  }),
});

builder.queryType({
  fields: (t) => ({
    topology: t.field({
      type: TopologyRef,
      args: { at: t.arg({ type: "Moment", required: false }) },
      resolve: (_r, args, ctx) => topologyAt(ctx, args.at).topology,
    }),
    revision: t.int({ description: "The revision of the live topology.", resolve: (_r, _a, ctx) => ctx.live.current().revision }),
    node: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description: "The entity with this global id, now or at a past moment; null when it is not there (then).",
      args: { id: t.arg.id({ required: true }), at: t.arg({ type: "Moment", required: false }) },
      resolve: (_r, args, ctx) => nodeById(ctx, String(args.id), args.at),
    }),
    nodes: t.field({
      type: [builder.nodeInterfaceRef()],
      nullable: { list: false, items: true },
      args: { ids: t.arg.idList({ required: true }), at: t.arg({ type: "Moment", required: false }) },
      resolve: (_r, args, ctx) => {
        if (args.ids.length > 1000) throw badInput(`at most 1000 ids at once, not ${args.ids.length}`);
        return args.ids.map((id) => nodeById(ctx, String(id), args.at));
      },
    }),
    whereIs: t.field({
      type: WhereIsRef,
      description: "Who owns an IP address, and (from a starting point: `initial`, a namespace key, name or id, an interface key, or an address) where a packet goes.",
      args: { ip: t.arg.string({ required: true }), from: t.arg.string({ required: false }), at: t.arg({ type: "Moment", required: false }) },
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
        return { ...asClientErrors(() => whereIs(index, args.ip, from !== undefined ? { from } : {})), index };
      },
    }),
    captureTargets: t.field({
      type: [CaptureTargetRef],
      description: "Every namespace and container with its interfaces and the URL that streams its packets (pcapng).",
      resolve: (_r, _a, ctx) => captureTargets(topologyAt(ctx, null), ctx.baseUrl),
    }),
    watchStatus: t.field({ type: WatchStatusRef, resolve: (_r, _a, ctx) => ctx.live.status() }),
    alertRules: t.field({ type: [AlertRuleRef], resolve: (_r, _a, ctx) => ctx.alerts.rules() }),
    alertRule: t.field({ type: AlertRuleRef, nullable: true, args: { id: t.arg.id({ required: true }) }, resolve: (_r, args, ctx) => ctx.alerts.rule(String(args.id)) }),
    alerts: t.field({
      type: [AlertRef],
      description: "Alerts, newest first: pending and firing now, and resolved ones kept as history.",
      args: { filter: t.arg({ type: AlertFilterInput, required: false }) },
      resolve: (_r, args, ctx) => {
        const f = args.filter;
        if (f?.limit != null && f.limit < 1) throw badInput(`limit must be at least 1, not ${f.limit}`);
        return ctx.alerts.alerts(f ? { state: f.state ?? undefined, ruleId: f.ruleId ?? undefined, subject: f.subject ?? undefined, limit: f.limit ?? undefined } : undefined);
      },
    }),
  }),
});

/** A service error about a rule (unknown id, built-in rule) is the client's, with the service's words. */
function ruleCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError)) throw badInput(err.message);
    throw err;
  }
}

builder.mutationType({
  fields: (t) => ({
    discoverNow: t.field({
      type: RevisionBatchRef,
      nullable: true,
      description: "A full discovery now; the revision it recorded, or null when nothing changed.",
      resolve: (_r, _a, ctx) => ctx.live.discoverNow(),
    }),
    createAlertRule: t.field({
      type: AlertRuleRef,
      args: { input: t.arg({ type: RuleInput, required: true }) },
      resolve: (_r, args, ctx) => {
        const input = ruleFromInput(args.input);
        return ruleCall(() => ctx.alerts.createRule(input));
      },
    }),
    updateAlertRule: t.field({
      type: AlertRuleRef,
      args: { id: t.arg.id({ required: true }), patch: t.arg({ type: RulePatch, required: true }) },
      resolve: (_r, args, ctx) => {
        const id = String(args.id);
        if (!ctx.alerts.rule(id)) throw badInput(`no alert rule '${id}'`);
        const patch = patchFromInput(args.patch);
        return ruleCall(() => ctx.alerts.updateRule(id, patch));
      },
    }),
    deleteAlertRule: t.boolean({
      description: "True when the rule was deleted. Built-in rules cannot be deleted (disable them).",
      args: { id: t.arg.id({ required: true }) },
      resolve: (_r, args, ctx) => {
        const id = String(args.id);
        const rule = ctx.alerts.rule(id);
        if (!rule) throw badInput(`no alert rule '${id}'`);
        if (rule.builtIn) throw badInput(`rule '${rule.name}' is built in: disable it instead (updateAlertRule with enabled: false)`);
        return ruleCall(() => ctx.alerts.deleteRule(id));
      },
    }),
  }),
});

builder.subscriptionType({
  fields: (t) => ({
    topologyChanges: t.field({
      type: ChangeRef,
      description: "Every entity added, removed or changed, as each revision is recorded. With sinceRevision, the changes after it are replayed first, then it goes live (no gap, no duplicate).",
      args: { filter: t.arg({ type: ChangeFilterInput, required: false }), sinceRevision: t.arg.int({ required: false }) },
      subscribe: (_r, args, ctx) => topologyChanges(ctx, args.filter ?? {}, args.sinceRevision ?? null),
      resolve: (event: ChangeShape) => event,
    }),
    alerts: t.field({
      type: AlertRef,
      description: "Alert state changes (pending, firing, resolved) as they happen.",
      args: { filter: t.arg({ type: AlertFilterInput, required: false }) },
      subscribe: (_r, args, ctx) => {
        const f = args.filter;
        const channel = new Channel<Alert>();
        channel.onClose(
          ctx.alerts.subscribe((a) => {
            if (f?.state && !f.state.includes(a.state)) return;
            if (f?.ruleId != null && a.ruleId !== f.ruleId) return;
            if (f?.subject != null && a.subject !== f.subject) return;
            channel.push(a);
          }),
        );
        return channel;
      },
      resolve: (a: Alert) => a,
    }),
  }),
});
