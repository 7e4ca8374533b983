// Alert rules and alerts, both Nodes; the queries, mutations and subscription that serve them.
//
// A rule's condition is a @oneOf input (exactly one of `wildcardListener`, `interfaceDown`…, each
// with the fields that condition takes, typed), and comes back as the union `AlertCondition`. The
// alert service checks every rule (src/alerts/validate.ts, shared with the rules file); what it
// refuses comes back as `userErrors` naming the input field.

import type { Alert, AlertEvent, AlertRule, AlertRuleInput, RuleCondition, RuleScope, WebhookTarget } from "../../alerts/types.ts";
import { decodeNodeId } from "../../model/node-id.ts";
import { builder } from "../builder.ts";
import { Channel } from "../channel.ts";
import { connection } from "../connection.ts";
import { connectionType } from "../connection-types.ts";
import type { SchemaContext } from "../context.ts";
import { AlertStateEnum, ChangeOpEnum, EntityKindEnum, InterfaceKindEnum, SeverityEnum, TransportProtocolEnum } from "../enums.ts";
import { badInput } from "../errors.ts";
import { nodeByKey, schemaIndex } from "../topology-index.ts";
import { asUserError, UserErrorRef, type UserErrorShape } from "./user-errors.ts";

export { AlertStateEnum, SeverityEnum };

export const AlertRuleRef = builder.objectRef<AlertRule>("AlertRule");
export const AlertRef = builder.objectRef<Alert>("Alert");

/** A rule or alert id as given: a node id of that type, or the service's own id. */
function serviceId(given: string, typename: "Alert" | "AlertRule"): string {
  const d = decodeNodeId(given);
  return d?.typename === typename ? d.key : given;
}

// ---- conditions -----------------------------------------------------------------------------

type Of<T extends RuleCondition["type"]> = Extract<RuleCondition, { type: T }>;

const WildcardListenerCondition = builder.objectRef<Of<"wildcardListener">>("WildcardListenerCondition").implement({
  description: "Holds for each socket listening (TCP) or bound unconnected (UDP) on a wildcard address (0.0.0.0, ::) on a port not allowed.",
  fields: (t) => ({
    allowPorts: t.exposeIntList("allowPorts", { description: "Ports that may listen on every address." }),
    protocols: t.field({ type: [TransportProtocolEnum], description: "The protocols looked at (both when not given).", resolve: (c) => c.protocols ?? (["tcp", "udp"] as const) }),
  }),
});
const interfaceCondition = (name: string, description: string) =>
  builder.objectRef<Of<"interfaceDown"> | Of<"promiscuous">>(name).implement({
    description,
    fields: (t) => ({
      name: t.string({ nullable: true, description: "Interface names it looks at: exact, or a glob (`*`, `?`); null: all.", resolve: (c) => c.name ?? null }),
      kinds: t.field({ type: [InterfaceKindEnum], nullable: true, description: "Interface kinds it looks at; null: all.", resolve: (c) => (c.kinds as ("veth" | "other")[] | undefined) ?? null }),
    }),
  });
const InterfaceDownCondition = interfaceCondition("InterfaceDownCondition", "Holds for each interface seen running before that is not running now.");
const PromiscuousCondition = interfaceCondition("PromiscuousCondition", "Holds for each interface with the PROMISC flag set.");
const ContainerLeftBridgeCondition = builder.objectRef<Of<"containerLeftBridge">>("ContainerLeftBridgeCondition").implement({
  description: "Holds for each container no longer attached to a network it was seen attached to.",
  fields: (t) => ({ network: t.string({ nullable: true, description: "Only this network (name or key); null: any.", resolve: (c) => c.network ?? null }) }),
});
const NamespaceWithoutTenantCondition = builder.objectRef<Of<"namespaceWithoutTenant">>("NamespaceWithoutTenantCondition").implement({
  description: "Holds for each non-initial namespace with no tenant and no container.",
  fields: (t) => ({ ignoreBindMounted: t.boolean({ description: "Namespaces held by a bind mount (`ip netns add`) do not count.", resolve: (c) => c.ignoreBindMounted ?? false }) }),
});
const ChangeCondition = builder.objectRef<Of<"change">>("ChangeCondition").implement({
  description: "Holds, for a moment, for each entity a revision changed: it fires and resolves at that revision.",
  fields: (t) => ({
    kinds: t.field({ type: [EntityKindEnum], description: "Entity kinds it looks at.", resolve: (c) => c.kinds as "namespace"[] }),
    ops: t.field({ type: [ChangeOpEnum], nullable: true, description: "Operations it looks at; null: all.", resolve: (c) => c.ops ?? null }),
    fields: t.stringList({ nullable: true, description: "Changed fields it looks at (a field matches its sub-fields); null: any change.", resolve: (c) => c.fields ?? null }),
  }),
});
const DiscoveryHealthCondition = builder.objectRef<Of<"discoveryHealth">>("DiscoveryHealthCondition").implement({
  description: "Built in: discovery failing, or no discovery succeeding for `stalledAfterMs`.",
  fields: (t) => ({ stalledAfterMs: t.exposeInt("stalledAfterMs", { description: "How long without a successful discovery counts as stalled, ms." }) }),
});

const CONDITION_TYPENAMES: Record<RuleCondition["type"], string> = {
  wildcardListener: "WildcardListenerCondition",
  interfaceDown: "InterfaceDownCondition",
  promiscuous: "PromiscuousCondition",
  containerLeftBridge: "ContainerLeftBridgeCondition",
  namespaceWithoutTenant: "NamespaceWithoutTenantCondition",
  change: "ChangeCondition",
  discoveryHealth: "DiscoveryHealthCondition",
};

const ConditionUnion = builder.unionType("AlertCondition", {
  description: "What a rule looks for: one type per kind of condition.",
  types: [WildcardListenerCondition, InterfaceDownCondition, PromiscuousCondition, ContainerLeftBridgeCondition, NamespaceWithoutTenantCondition, ChangeCondition, DiscoveryHealthCondition],
  resolveType: (c) => CONDITION_TYPENAMES[(c as RuleCondition).type],
});

const WildcardListenerInput = builder.inputType("WildcardListenerConditionInput", {
  description: "Sockets listening on every address on a port not allowed.",
  fields: (t) => ({
    allowPorts: t.intList({ required: true, description: "Ports that may listen on every address (1 to 65535; [] allows none)." }),
    protocols: t.field({ type: [TransportProtocolEnum], description: "Only these protocols (default both)." }),
  }),
});
const InterfaceConditionInput = builder.inputType("InterfaceConditionInput", {
  description: "Which interfaces an interface condition looks at.",
  fields: (t) => ({
    name: t.string({ description: "Interface names: exact, or a glob (`*`, `?`)." }),
    kinds: t.field({ type: [InterfaceKindEnum], description: "Interface kinds." }),
  }),
});
const ContainerLeftBridgeInput = builder.inputType("ContainerLeftBridgeConditionInput", {
  description: "Containers leaving a network.",
  fields: (t) => ({ network: t.string({ description: "Only this network (name or key)." }) }),
});
const NamespaceWithoutTenantInput = builder.inputType("NamespaceWithoutTenantConditionInput", {
  description: "Namespaces nothing runs in.",
  fields: (t) => ({ ignoreBindMounted: t.boolean({ description: "Namespaces held by a bind mount do not count." }) }),
});
const ChangeInput = builder.inputType("ChangeConditionInput", {
  description: "Any change of these entities.",
  fields: (t) => ({
    kinds: t.field({ type: [EntityKindEnum], required: true, description: "Entity kinds (at least one)." }),
    ops: t.field({ type: [ChangeOpEnum], description: "Only these operations." }),
    fields: t.stringList({ description: "Only changes touching these fields (dotted paths; a field matches its sub-fields)." }),
  }),
});
const DiscoveryHealthInput = builder.inputType("DiscoveryHealthConditionInput", {
  description: "The built-in discovery health rule's condition (only that rule may have it).",
  fields: (t) => ({ stalledAfterMs: t.int({ required: true, description: "How long without a successful discovery counts as stalled, ms (1000 to 7 days)." }) }),
});

const ConditionInput = builder.inputType("AlertConditionInput", {
  description: "A rule's condition: exactly one of these fields, the kind of condition, with its options.",
  isOneOf: true,
  fields: (t) => ({
    wildcardListener: t.field({ type: WildcardListenerInput, description: "Sockets listening on every address on a port not allowed." }),
    interfaceDown: t.field({ type: InterfaceConditionInput, description: "Interfaces seen running that are not running now." }),
    promiscuous: t.field({ type: InterfaceConditionInput, description: "Interfaces in promiscuous mode." }),
    containerLeftBridge: t.field({ type: ContainerLeftBridgeInput, description: "Containers that left a network they were attached to." }),
    namespaceWithoutTenant: t.field({ type: NamespaceWithoutTenantInput, description: "Namespaces with no tenant and no container." }),
    change: t.field({ type: ChangeInput, description: "Any change of some entities (momentary)." }),
    discoveryHealth: t.field({ type: DiscoveryHealthInput, description: "Discovery failing or stalled (the built-in rule's)." }),
  }),
});

/** The condition a @oneOf input describes, in the service's shape (left to the service to check). */
function conditionOf(input: Record<string, unknown>): Record<string, unknown> {
  const [type, options] = Object.entries(input).find(([, v]) => v != null) ?? [];
  if (!type) return {};
  return { type, ...Object.fromEntries(Object.entries(options as Record<string, unknown>).filter(([, v]) => v != null)) };
}

// ---- webhooks and scope ------------------------------------------------------------------------

const WebhookFormatEnum = builder.enumType("WebhookFormat", {
  description: "What a rule's webhook receives (docs/alerts.md).",
  values: {
    WIRESIGHT: { value: "wiresight", description: "wiresight's JSON: the rule and its alerts with labels, annotations, fingerprint, status, startsAt, endsAt, generatorURL." },
    ALERTMANAGER: { value: "alertmanager", description: "The JSON Alertmanager sends its webhook receivers (version 4), for tools built for it." },
    ALERTMANAGER_API: { value: "alertmanager-api", description: "An Alertmanager itself: POST to the URL's /api/v2/alerts; firing alerts are re-sent every minute so they stay active." },
  } as const,
});

const WebhookRef = builder.objectRef<WebhookTarget>("AlertWebhook").implement({
  description: "Where a rule's firing and resolved alerts are POSTed. Header values and the secret are never shown.",
  fields: (t) => ({
    url: t.string({ description: "The receiver (for ALERTMANAGER_API: the Alertmanager's URL), with a password in it shown as `***`.", resolve: (w) => withoutPassword(w.url) }),
    format: t.field({ type: WebhookFormatEnum, description: "What it receives.", resolve: (w) => w.format }),
    headerNames: t.stringList({ description: "The extra headers sent (their values stay secret).", resolve: (w) => Object.keys(w.headers) }),
    signed: t.boolean({ description: "Whether requests carry X-Wiresight-Signature (HMAC-SHA256 with the rule's secret).", resolve: (w) => w.secret !== null }),
  }),
});

const HeaderInput = builder.inputType("HttpHeaderInput", {
  description: "One HTTP request header.",
  fields: (t) => ({ name: t.string({ required: true, description: "Its name." }), value: t.string({ required: true, description: "Its value." }) }),
});

const WebhookInput = builder.inputType("AlertWebhookInput", {
  description: "Where to POST a rule's firing and resolved alerts.",
  fields: (t) => ({
    url: t.string({ required: true, description: "An http(s) URL (for ALERTMANAGER_API: the Alertmanager's, with or without /api/v2/alerts)." }),
    format: t.field({ type: WebhookFormatEnum, defaultValue: "wiresight", description: "What it receives." }),
    headers: t.field({ type: [HeaderInput], description: "Extra headers (Authorization, a tenant id…)." }),
    secret: t.string({ description: "Sign each request with HMAC-SHA256 of \"timestamp.body\" under this key (16 to 512 characters)." }),
  }),
});

/** A URL with its password (if it has one) replaced: what may be shown to anyone who can read rules. */
function withoutPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

function webhookOf(w: { url: string; format?: string | null; headers?: readonly { name: string; value: string }[] | null; secret?: string | null } | null | undefined) {
  if (w == null) return w;
  return { url: w.url, format: w.format ?? "wiresight", headers: Object.fromEntries((w.headers ?? []).map((h) => [h.name, h.value])), secret: w.secret ?? null };
}

const ScopeRef = builder.objectRef<RuleScope>("AlertRuleScope").implement({
  description: "Which part of the host a rule looks at.",
  fields: (t) => ({
    namespaces: t.stringList({ nullable: true, description: "Namespaces (display names or keys, globs); null: all.", resolve: (s) => s.namespaces ?? null }),
    containers: t.stringList({ nullable: true, description: "Containers (names, globs): their namespaces; null: any.", resolve: (s) => s.containers ?? null }),
  }),
});

const ScopeInput = builder.inputType("AlertRuleScopeInput", {
  description: "Limit a rule to some namespaces and/or containers (findings elsewhere are ignored).",
  fields: (t) => ({
    namespaces: t.stringList({ description: "Namespaces by display name or key; globs (`*`, `?`) allowed." }),
    containers: t.stringList({ description: "Containers by name (globs allowed): findings in their namespaces." }),
  }),
});

// ---- rules and alerts --------------------------------------------------------------------------

builder.node(AlertRuleRef, {
  description: "An alert rule: a condition checked after every revision; alerts when it holds.",
  id: { resolve: (r) => r.id },
  fields: (t) => ({
    ruleId: t.exposeString("id", { description: "The service's own id for the rule (what the rules file and the logs show)." }),
    name: t.exposeString("name", { description: "Unique name." }),
    enabled: t.exposeBoolean("enabled", { description: "Disabled rules are not checked (disabling resolves their alerts)." }),
    condition: t.field({ type: ConditionUnion, description: "What it looks for.", resolve: (r) => r.condition }),
    forMs: t.exposeInt("forMs", { description: "How long the condition must hold before an alert fires, ms (0: at once)." }),
    severity: t.field({ type: SeverityEnum, description: "Copied into its alerts.", resolve: (r) => r.severity }),
    webhook: t.field({ type: WebhookRef, nullable: true, description: "Where its alerts are POSTed; null: nowhere.", resolve: (r) => r.webhook }),
    scope: t.field({ type: ScopeRef, nullable: true, description: "Which part of the host it looks at; null: all of it.", resolve: (r) => r.scope }),
    builtIn: t.exposeBoolean("builtIn", { description: "Built-in rules can be disabled but not deleted." }),
    createdAt: t.field({ type: "DateTime", description: "When it was created.", resolve: (r) => r.createdAt }),
    updatedAt: t.field({ type: "DateTime", description: "When it was last changed.", resolve: (r) => r.updatedAt }),
  }),
});

const LabelRef = builder.objectRef<[string, string]>("AlertLabel").implement({
  description: "A name and a value (Alertmanager labels and annotations).",
  fields: (t) => ({
    name: t.string({ description: "The name.", resolve: ([n]) => n }),
    value: t.string({ description: "The value.", resolve: ([, v]) => v }),
  }),
});

builder.node(AlertRef, {
  description: "One rule holding for one subject, from pending to resolved.",
  id: { resolve: (a) => a.id },
  fields: (t) => ({
    rule: t.field({ type: AlertRuleRef, nullable: true, description: "Its rule; null once the rule is deleted (`ruleName` stays).", resolve: (a, _x, ctx) => ctx.alerts.rule(a.ruleId) }),
    ruleName: t.exposeString("ruleName", { description: "Its rule's name when it fired." }),
    severity: t.field({ type: SeverityEnum, description: "Its rule's severity.", resolve: (a) => a.severity }),
    state: t.field({ type: AlertStateEnum, description: "Pending, firing or resolved.", resolve: (a) => a.state }),
    subject: t.field({
      type: builder.nodeInterfaceRef(),
      nullable: true,
      description: "What it is about, as it is now in the live topology; null when it is gone or is not an entity (discovery health).",
      resolve: (a, _x, ctx) => nodeByKey(schemaIndex(ctx.live.current().topology), a.subject),
    }),
    subjectKey: t.string({ description: "What it is about: an entity key, or `discovery`.", resolve: (a) => a.subject }),
    entityKeys: t.stringList({ description: "The keys of the entities involved, the subject first.", resolve: (a) => a.entities }),
    message: t.exposeString("message", { description: "What is wrong (pending, firing) or what became right (resolved)." }),
    labels: t.field({ type: [LabelRef], description: "Alertmanager-style labels: alertname, severity, namespace, interface, container (where they apply), subject.", resolve: (a) => Object.entries(a.labels) }),
    annotations: t.field({ type: [LabelRef], description: "The summary (the message) and, once resolved, the description (what was wrong).", resolve: (a) => Object.entries(a.annotations) }),
    fingerprint: t.exposeString("fingerprint", { description: "The same for every episode of this rule and subject (as Alertmanager's fingerprint)." }),
    since: t.field({ type: "DateTime", description: "When the condition started to hold.", resolve: (a) => a.since }),
    firedAt: t.field({ type: "DateTime", nullable: true, description: "When it fired; null while pending, or if it never fired.", resolve: (a) => a.firedAt }),
    resolvedAt: t.field({ type: "DateTime", nullable: true, description: "When it was resolved; null until then.", resolve: (a) => a.resolvedAt }),
    revision: t.exposeInt("revision", { nullable: true, description: "The revision at which it last changed state." }),
  }),
});

export const AlertConnection = connectionType(AlertRef, "Alert", "alerts");

/** Most recent state change first, as the service lists them. */
const lastChange = (a: Alert) => Date.parse(a.resolvedAt ?? a.firedAt ?? a.since);
const BY_CHANGE = { name: "CHANGED", values: (a: Alert) => [lastChange(a), a.id], descending: true };

const AlertFilterInput = builder.inputType("AlertFilter", {
  description: "Which alerts (all given conditions hold).",
  fields: (t) => ({
    states: t.field({ type: [AlertStateEnum], description: "Any of these states." }),
    ruleId: t.id({ description: "Of this rule (node id or the rule's own id)." }),
    subjectKey: t.string({ description: "About this entity (its key)." }),
  }),
});

/** What the service may hold at most, listed newest first (src/alerts keeps at most 10 000 resolved ones). */
const MAX_ALERTS = 10_000;

const AlertEventRef = builder.objectRef<AlertEvent>("AlertEvent").implement({
  description: "One state change of an alert.",
  fields: (t) => ({
    sequence: t.exposeInt("sequence", { description: "Increasing over all alerts: pass the last one you saw as `sinceSequence` to resume." }),
    at: t.field({ type: "DateTime", description: "When it changed.", resolve: (e) => e.at }),
    state: t.field({ type: AlertStateEnum, description: "The state it changed to.", resolve: (e) => e.alert.state }),
    alert: t.field({ type: AlertRef, description: "The alert as it was right after the change.", resolve: (e) => e.alert }),
  }),
});

type AlertFilterArgs = { states?: readonly Alert["state"][] | null; ruleId?: string | number | null; subjectKey?: string | null } | null | undefined;

function alertMatcher(f: AlertFilterArgs): (a: Alert) => boolean {
  const ruleId = f?.ruleId != null ? serviceId(String(f.ruleId), "AlertRule") : null;
  return (a) => (!f?.states || f.states.includes(a.state)) && (ruleId === null || a.ruleId === ruleId) && (f?.subjectKey == null || a.subject === f.subjectKey);
}

/**
 * Alert events, replayed after `since` (from the service's stored transitions), then live, with
 * no gap and no duplicate: subscribe first, holding what arrives; read the stored ones; release
 * the held ones, skipping every sequence already sent. Each event is pushed with its sequence as
 * the resume point (filtered out or not), so a subscriber ended for reading too slowly is told
 * the `sinceSequence` that continues it.
 */
function alertEvents(ctx: SchemaContext, f: AlertFilterArgs, since: number | null): Channel<AlertEvent> {
  if (since !== null && (!Number.isSafeInteger(since) || since < 0)) throw badInput(`sinceSequence must be 0 or a sequence number, not ${since}`);
  const matches = alertMatcher(f);
  const channel = new Channel<AlertEvent>("sequence");
  let sent = since ?? 0;
  let replaying = since !== null;
  const held: AlertEvent[] = [];
  // The stream starts after `since`; without it, right before the first event it hears of
  // (events come in sequence order, and every earlier one happened before it subscribed).
  if (since !== null) channel.pushBatch([], since);
  let started = since !== null;
  const deliver = (e: AlertEvent) => {
    if (e.sequence <= sent) return;
    if (!started) channel.pushBatch([], e.sequence - 1);
    started = true;
    sent = e.sequence;
    channel.pushBatch(matches(e.alert) ? [e] : [], e.sequence);
  };
  channel.onClose(
    ctx.alerts.subscribe((e) => {
      if (replaying) held.push(e);
      else deliver(e);
    }),
  );
  if (since !== null) for (const e of ctx.alerts.eventsSince(since)) deliver(e);
  replaying = false;
  for (const e of held.splice(0)) deliver(e);
  return channel;
}

builder.queryFields((t) => ({
  alertRules: t.field({ type: [AlertRuleRef], description: "Every alert rule, the built-in one first.", resolve: (_r, _a, ctx) => ctx.alerts.rules() }),
  alerts: t.field({
    type: AlertConnection,
    description: "Alerts, the most recently changed first: pending and firing now, and resolved ones kept as history.",
    args: { ...t.arg.connectionArgs(), filter: t.arg({ type: AlertFilterInput, required: false, description: "Which alerts." }) },
    resolve: (_r, args, ctx) => {
      const f = args.filter;
      const list = ctx.alerts.alerts({ state: f?.states ? [...f.states] : undefined, limit: MAX_ALERTS }).filter(alertMatcher(f));
      return connection(list, args, BY_CHANGE);
    },
  }),
}));

// ---- mutations --------------------------------------------------------------------------------

const CreateInput = builder.inputType("CreateAlertRuleInput", {
  description: "A new alert rule.",
  fields: (t) => ({
    name: t.string({ required: true, description: "Unique name." }),
    condition: t.field({ type: ConditionInput, required: true, description: "What it looks for." }),
    enabled: t.boolean({ defaultValue: true, description: "Whether it is checked." }),
    forMs: t.int({ defaultValue: 0, description: "How long the condition must hold before an alert fires, ms (0 to 7 days)." }),
    severity: t.field({ type: SeverityEnum, defaultValue: "warning", description: "Copied into its alerts." }),
    webhook: t.field({ type: WebhookInput, description: "Where to POST its firing and resolved alerts." }),
    scope: t.field({ type: ScopeInput, description: "Which part of the host it looks at (default: all of it)." }),
  }),
});

const UpdateInput = builder.inputType("UpdateAlertRuleInput", {
  description: "Changes to an alert rule: the fields given change, the others stay. Changing the condition or `forMs` resolves its alerts and checks it anew.",
  fields: (t) => ({
    id: t.id({ required: true, description: "The rule (node id or the rule's own id)." }),
    name: t.string({ description: "A new unique name." }),
    condition: t.field({ type: ConditionInput, description: "A new condition (the built-in rule keeps its kind)." }),
    enabled: t.boolean({ description: "Enable or disable it (disabling resolves its alerts)." }),
    forMs: t.int({ description: "A new `for` duration, ms." }),
    severity: t.field({ type: SeverityEnum, description: "A new severity." }),
    webhook: t.field({ type: WebhookInput, description: "A new webhook; null removes it." }),
    scope: t.field({ type: ScopeInput, description: "A new scope; null: all of the host." }),
  }),
});

const DeleteInput = builder.inputType("DeleteAlertRuleInput", {
  description: "The alert rule to delete.",
  fields: (t) => ({ id: t.id({ required: true, description: "The rule (node id or the rule's own id)." }) }),
});

interface RulePayload {
  alertRule: AlertRule | null;
  userErrors: UserErrorShape[];
}

const payload = (name: string, description: string) =>
  builder.objectRef<RulePayload>(name).implement({
    description,
    fields: (t) => ({
      alertRule: t.field({ type: AlertRuleRef, nullable: true, description: "The rule as it is now; null when there were userErrors.", resolve: (p) => p.alertRule }),
      userErrors: t.field({ type: [UserErrorRef], description: "What was wrong with the input; empty on success.", resolve: (p) => p.userErrors }),
    }),
  });
const CreatePayload = payload("CreateAlertRulePayload", "The result of createAlertRule.");
const UpdatePayload = payload("UpdateAlertRulePayload", "The result of updateAlertRule.");
const DeletePayload = builder.objectRef<{ deletedAlertRuleId: string | null; userErrors: UserErrorShape[] }>("DeleteAlertRulePayload").implement({
  description: "The result of deleteAlertRule.",
  fields: (t) => ({
    deletedAlertRuleId: t.id({ nullable: true, description: "The deleted rule's node id; null when there were userErrors.", resolve: (p) => p.deletedAlertRuleId }),
    userErrors: t.field({ type: [UserErrorRef], description: "What was wrong with the input; empty on success.", resolve: (p) => p.userErrors }),
  }),
});

/** A service field path ("condition.allowPorts[2]") as the input path of the mutation's argument. */
function inputPath(field: string | null, conditionType: string | null): string[] | null {
  if (field === null) return ["input"];
  const parts = field.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "");
  if (parts[0] === "condition") {
    if (parts[1] === "type") return ["input", "condition"];
    if (conditionType) parts.splice(1, 0, conditionType);
  }
  return ["input", ...parts];
}

/** Runs a rule call; a problem with the input becomes userErrors, anything else stays an error. */
function ruleCall<T>(fn: () => T, conditionType: string | null): { ok: T } | { userErrors: UserErrorShape[] } {
  try {
    return { ok: fn() };
  } catch (err) {
    const e = asUserError(err, (field) => inputPath(field, conditionType));
    if (e) return { userErrors: [e] };
    throw err;
  }
}

const notFound = (id: string): UserErrorShape => ({ field: ["input", "id"], message: `no alert rule '${id}'`, code: "NOT_FOUND" });

builder.mutationFields((t) => ({
  createAlertRule: t.field({
    type: CreatePayload,
    description: "Creates an alert rule and checks it at once.",
    args: { input: t.arg({ type: CreateInput, required: true, description: "The rule." }) },
    resolve: (_r, { input }, ctx) => {
      const condition = conditionOf(input.condition as Record<string, unknown>);
      const rule = { ...input, condition, webhook: webhookOf(input.webhook) ?? null, scope: input.scope ?? null } as unknown as AlertRuleInput;
      const r = ruleCall(() => ctx.alerts.createRule(rule), (condition.type as string) ?? null);
      return "ok" in r ? { alertRule: r.ok, userErrors: [] } : { alertRule: null, userErrors: r.userErrors };
    },
  }),
  updateAlertRule: t.field({
    type: UpdatePayload,
    description: "Changes an alert rule.",
    args: { input: t.arg({ type: UpdateInput, required: true, description: "The rule and what changes." }) },
    resolve: (_r, { input }, ctx) => {
      const id = serviceId(String(input.id), "AlertRule");
      if (!ctx.alerts.rule(id)) return { alertRule: null, userErrors: [notFound(String(input.id))] };
      const { id: _id, ...given } = input;
      const patch: Record<string, unknown> = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
      // Null means "leave it" for fields that cannot be null; for webhook and scope it removes them.
      for (const k of ["name", "condition", "enabled", "forMs", "severity"]) if (patch[k] === null) delete patch[k];
      if (patch.condition) patch.condition = conditionOf(patch.condition as Record<string, unknown>);
      if ("webhook" in patch) patch.webhook = webhookOf(input.webhook) ?? null;
      const r = ruleCall(() => ctx.alerts.updateRule(id, patch as Partial<AlertRuleInput>), ((patch.condition as { type?: string } | undefined)?.type as string) ?? null);
      return "ok" in r ? { alertRule: r.ok, userErrors: [] } : { alertRule: null, userErrors: r.userErrors };
    },
  }),
  deleteAlertRule: t.field({
    type: DeletePayload,
    description: "Deletes an alert rule; its alerts are resolved and stay in the history. Built-in rules cannot be deleted (disable them).",
    args: { input: t.arg({ type: DeleteInput, required: true, description: "The rule." }) },
    resolve: (_r, { input }, ctx) => {
      const id = serviceId(String(input.id), "AlertRule");
      if (!ctx.alerts.rule(id)) return { deletedAlertRuleId: null, userErrors: [notFound(String(input.id))] };
      const r = ruleCall(() => ctx.alerts.deleteRule(id), null);
      if (!("ok" in r)) return { deletedAlertRuleId: null, userErrors: r.userErrors };
      return { deletedAlertRuleId: Buffer.from(`AlertRule:${id}`, "utf8").toString("base64url"), userErrors: [] };
    },
  }),
}));

// ---- subscription -----------------------------------------------------------------------------

builder.subscriptionFields((t) => ({
  alerts: t.field({
    type: AlertEventRef,
    description: "Alert state changes (pending, firing, resolved) as they happen. With sinceSequence, the changes after it are replayed first (from the kept history), then it goes live (no gap, no duplicate).",
    args: {
      filter: t.arg({ type: AlertFilterInput, required: false, description: "Which alerts." }),
      sinceSequence: t.arg.int({ required: false, description: "Replay the changes after this sequence number (0: every change kept)." }),
    },
    subscribe: (_r, args, ctx) => alertEvents(ctx, args.filter, args.sinceSequence ?? null),
    resolve: (e: AlertEvent) => e,
  }),
}));
