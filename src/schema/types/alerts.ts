// Alert rules and alerts. A rule's condition is one input object with a `type` and the fields
// that type uses; it is checked here (unknown fields for the type, missing required ones, bad
// ports) so a client gets a message naming the field, before the service sees it.

import type { Alert, AlertRule, AlertRuleInput, RuleCondition } from "../../alerts/types.ts";
import { builder } from "../builder.ts";
import { AlertStateEnum, ChangeOpEnum, SeverityEnum, TransportProtocolEnum } from "../enums.ts";
import { badInput } from "../errors.ts";

export { AlertStateEnum, SeverityEnum };
const ConditionTypeEnum = builder.enumType("RuleConditionType", {
  values: {
    WILDCARD_LISTENER: { value: "wildcardListener" },
    INTERFACE_DOWN: { value: "interfaceDown" },
    PROMISCUOUS: { value: "promiscuous" },
    CONTAINER_LEFT_BRIDGE: { value: "containerLeftBridge" },
    NAMESPACE_WITHOUT_TENANT: { value: "namespaceWithoutTenant" },
    CHANGE: { value: "change" },
    DISCOVERY_HEALTH: { value: "discoveryHealth" },
  } as const,
});
const ProtocolEnum = TransportProtocolEnum;
const OpEnum = ChangeOpEnum;

const ConditionRef = builder.objectRef<RuleCondition>("RuleCondition").implement({
  description: "What a rule looks for; fields that do not apply to its type are null.",
  fields: (t) => ({
    type: t.field({ type: ConditionTypeEnum, resolve: (c) => c.type }),
    allowPorts: t.intList({ nullable: true, resolve: (c) => ("allowPorts" in c ? c.allowPorts : null) }),
    protocols: t.field({ type: [ProtocolEnum], nullable: true, resolve: (c) => ("protocols" in c ? (c.protocols ?? null) : null) }),
    name: t.string({ nullable: true, resolve: (c) => ("name" in c ? (c.name ?? null) : null) }),
    kinds: t.stringList({ nullable: true, resolve: (c) => ("kinds" in c ? (c.kinds ?? null) : null) }),
    network: t.string({ nullable: true, resolve: (c) => ("network" in c ? (c.network ?? null) : null) }),
    ignoreBindMounted: t.boolean({ nullable: true, resolve: (c) => ("ignoreBindMounted" in c ? (c.ignoreBindMounted ?? null) : null) }),
    ops: t.field({ type: [OpEnum], nullable: true, resolve: (c) => ("ops" in c ? (c.ops ?? null) : null) }),
    fields: t.stringList({ nullable: true, resolve: (c) => ("fields" in c ? (c.fields ?? null) : null) }),
    stalledAfterMs: t.float({ nullable: true, resolve: (c) => ("stalledAfterMs" in c ? c.stalledAfterMs : null) }),
  }),
});

export const AlertRuleRef = builder.objectRef<AlertRule>("AlertRule").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
    enabled: t.exposeBoolean("enabled"),
    condition: t.field({ type: ConditionRef, resolve: (r) => r.condition }),
    forMs: t.exposeFloat("forMs"),
    severity: t.field({ type: SeverityEnum, resolve: (r) => r.severity }),
    webhook: t.exposeString("webhook", { nullable: true }),
    builtIn: t.exposeBoolean("builtIn"),
    createdAt: t.field({ type: "DateTime", resolve: (r) => r.createdAt }),
    updatedAt: t.field({ type: "DateTime", resolve: (r) => r.updatedAt }),
  }),
});

export const AlertRef = builder.objectRef<Alert>("Alert").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    ruleId: t.exposeString("ruleId"),
    ruleName: t.exposeString("ruleName"),
    severity: t.field({ type: SeverityEnum, resolve: (a) => a.severity }),
    state: t.field({ type: AlertStateEnum, resolve: (a) => a.state }),
    subject: t.exposeString("subject", { description: "An entity key, or \"discovery\"." }),
    entities: t.exposeStringList("entities"),
    message: t.exposeString("message"),
    since: t.field({ type: "DateTime", resolve: (a) => a.since }),
    firedAt: t.field({ type: "DateTime", nullable: true, resolve: (a) => a.firedAt }),
    resolvedAt: t.field({ type: "DateTime", nullable: true, resolve: (a) => a.resolvedAt }),
    revision: t.exposeInt("revision", { nullable: true }),
  }),
});

export const ConditionInput = builder.inputType("RuleConditionInput", {
  description:
    "A condition: `type` and the fields it uses. wildcardListener: allowPorts (required), protocols. interfaceDown, promiscuous: name (glob), kinds. " +
    "containerLeftBridge: network. namespaceWithoutTenant: ignoreBindMounted. change: kinds (required, store kind names), ops, fields. discoveryHealth: stalledAfterMs (required).",
  fields: (t) => ({
    type: t.field({ type: ConditionTypeEnum, required: true }),
    allowPorts: t.intList({ required: false }),
    protocols: t.field({ type: [ProtocolEnum], required: false }),
    name: t.string({ required: false }),
    kinds: t.stringList({ required: false }),
    network: t.string({ required: false }),
    ignoreBindMounted: t.boolean({ required: false }),
    ops: t.field({ type: [OpEnum], required: false }),
    fields: t.stringList({ required: false }),
    stalledAfterMs: t.float({ required: false }),
  }),
});

type ConditionArgs = {
  type: RuleCondition["type"];
  allowPorts?: readonly number[] | null;
  protocols?: readonly ("tcp" | "udp")[] | null;
  name?: string | null;
  kinds?: readonly string[] | null;
  network?: string | null;
  ignoreBindMounted?: boolean | null;
  ops?: readonly ("added" | "removed" | "changed")[] | null;
  fields?: readonly string[] | null;
  stalledAfterMs?: number | null;
};

const ALLOWED: Record<RuleCondition["type"], string[]> = {
  wildcardListener: ["allowPorts", "protocols"],
  interfaceDown: ["name", "kinds"],
  promiscuous: ["name", "kinds"],
  containerLeftBridge: ["network"],
  namespaceWithoutTenant: ["ignoreBindMounted"],
  change: ["kinds", "ops", "fields"],
  discoveryHealth: ["stalledAfterMs"],
};
const STORE_KINDS = ["namespace", "interface", "address", "route", "socket", "process", "forwarded port", "engine", "container", "container network"];

/** The condition an input describes, or an error naming what is wrong with it. */
export function conditionFromInput(c: ConditionArgs): RuleCondition {
  const given = Object.entries(c).filter(([k, v]) => k !== "type" && v !== null && v !== undefined).map(([k]) => k);
  const extra = given.filter((k) => !ALLOWED[c.type].includes(k));
  if (extra.length) throw badInput(`condition ${c.type} does not take ${extra.join(", ")} (it takes ${ALLOWED[c.type].join(", ") || "nothing"})`);
  const need = <T>(v: T | null | undefined, field: string): T => {
    if (v === null || v === undefined) throw badInput(`condition ${c.type} needs ${field}`);
    return v;
  };
  const opt = <T>(v: T | null | undefined): T | undefined => v ?? undefined;
  switch (c.type) {
    case "wildcardListener": {
      const ports = need(c.allowPorts, "allowPorts");
      const bad = ports.filter((p) => !Number.isInteger(p) || p < 0 || p > 65535);
      if (bad.length) throw badInput(`allowPorts: ${bad.join(", ")} not a port (0–65535)`);
      return { type: c.type, allowPorts: [...ports], ...(c.protocols ? { protocols: [...c.protocols] } : {}) };
    }
    case "interfaceDown":
    case "promiscuous":
      return { type: c.type, ...(c.name != null ? { name: c.name } : {}), ...(c.kinds ? { kinds: [...c.kinds] } : {}) };
    case "containerLeftBridge":
      return { type: c.type, ...(c.network != null ? { network: c.network } : {}) };
    case "namespaceWithoutTenant":
      return { type: c.type, ...(c.ignoreBindMounted != null ? { ignoreBindMounted: c.ignoreBindMounted } : {}) };
    case "change": {
      const kinds = need(c.kinds, "kinds");
      const unknown = kinds.filter((k) => !STORE_KINDS.includes(k));
      if (kinds.length === 0 || unknown.length) throw badInput(`change.kinds: ${unknown.length ? `unknown ${unknown.join(", ")}; ` : ""}give some of ${STORE_KINDS.join(", ")}`);
      return { type: c.type, kinds: [...kinds], ...(c.ops ? { ops: [...c.ops] } : {}), ...(c.fields ? { fields: [...c.fields] } : {}) };
    }
    case "discoveryHealth": {
      const ms = need(c.stalledAfterMs, "stalledAfterMs");
      if (!(ms > 0)) throw badInput(`stalledAfterMs must be positive, not ${ms}`);
      return { type: c.type, stalledAfterMs: ms };
    }
  }
  void opt;
}

export const RuleInput = builder.inputType("AlertRuleInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    enabled: t.boolean({ required: false, defaultValue: true }),
    condition: t.field({ type: ConditionInput, required: true }),
    forMs: t.float({ required: false, defaultValue: 0, description: "How long the condition must hold before the alert fires." }),
    severity: t.field({ type: SeverityEnum, required: false, defaultValue: "warning" }),
    webhook: t.string({ required: false, description: "POST firing and resolved alerts here as JSON." }),
  }),
});

export const RulePatch = builder.inputType("AlertRulePatch", {
  fields: (t) => ({
    name: t.string({ required: false }),
    enabled: t.boolean({ required: false }),
    condition: t.field({ type: ConditionInput, required: false }),
    forMs: t.float({ required: false }),
    severity: t.field({ type: SeverityEnum, required: false }),
    webhook: t.string({ required: false, description: "Give null to remove the webhook." }),
  }),
});

function checkCommon(p: { name?: string | null; forMs?: number | null; webhook?: string | null }): void {
  if (p.name !== undefined && p.name !== null && p.name.trim() === "") throw badInput("a rule needs a non-empty name");
  if (p.forMs != null && !(p.forMs >= 0 && Number.isFinite(p.forMs))) throw badInput(`forMs must be 0 or more milliseconds, not ${p.forMs}`);
  if (p.webhook != null) {
    let url: URL;
    try {
      url = new URL(p.webhook);
    } catch {
      throw badInput(`webhook '${p.webhook}' is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw badInput(`webhook '${p.webhook}' is not an http(s) URL`);
  }
}

export function ruleFromInput(i: { name: string; enabled?: boolean | null; condition: ConditionArgs; forMs?: number | null; severity?: AlertRule["severity"] | null; webhook?: string | null }): AlertRuleInput {
  checkCommon(i);
  return { name: i.name, enabled: i.enabled ?? true, condition: conditionFromInput(i.condition), forMs: i.forMs ?? 0, severity: i.severity ?? "warning", webhook: i.webhook ?? null };
}

export function patchFromInput(p: { name?: string | null; enabled?: boolean | null; condition?: ConditionArgs | null; forMs?: number | null; severity?: AlertRule["severity"] | null; webhook?: string | null }): Partial<AlertRuleInput> {
  checkCommon(p);
  const out: Partial<AlertRuleInput> = {};
  if (p.name != null) out.name = p.name;
  if (p.enabled != null) out.enabled = p.enabled;
  if (p.condition != null) out.condition = conditionFromInput(p.condition);
  if (p.forMs != null) out.forMs = p.forMs;
  if (p.severity != null) out.severity = p.severity;
  if (p.webhook !== undefined) out.webhook = p.webhook;
  return out;
}
