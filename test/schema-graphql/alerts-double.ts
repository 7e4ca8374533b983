// An in-memory AlertService for the schema tests (src/alerts builds the real one): rules checked
// by the real validator (src/alerts/validate.ts) and kept in a map with the service's contract
// (built-in rules cannot be deleted; unknown ids and taken names are AlertRuleErrors), and `emit`
// to record an alert state change and push it to subscribers, numbered like the real one's.

import { createHash } from "node:crypto";
import { AlertRuleError, checkPatch, checkRuleInput } from "../../src/alerts/index.ts";
import type { Alert, AlertEvent, AlertFilter, AlertRule, AlertRuleInput, AlertService } from "../../src/alerts/types.ts";

/** An alert with every field a test does not care about filled in. */
export function alertOf(a: Partial<Alert> & Pick<Alert, "id" | "state">): Alert {
  const ruleId = a.ruleId ?? "r";
  const subject = a.subject ?? "netns:x";
  return {
    ruleId,
    ruleName: "r",
    severity: "warning",
    subject,
    entities: [subject],
    message: "m",
    labels: { alertname: "r", severity: "warning", subject },
    annotations: { summary: a.message ?? "m" },
    fingerprint: createHash("sha256").update(`${ruleId}\0${subject}`).digest("hex").slice(0, 16),
    since: new Date().toISOString(),
    firedAt: null,
    resolvedAt: null,
    revision: null,
    ...a,
  };
}

export class AlertsDouble implements AlertService {
  private readonly map = new Map<string, AlertRule>();
  private readonly listeners = new Set<(e: AlertEvent) => void>();
  readonly events: AlertEvent[] = [];
  private next = 1;

  constructor() {
    const now = new Date().toISOString();
    this.map.set("builtin-discovery", { id: "builtin-discovery", name: "discovery health", enabled: true, condition: { type: "discoveryHealth", stalledAfterMs: 300_000 }, forMs: 0, severity: "critical", webhook: null, scope: null, builtIn: true, createdAt: now, updatedAt: now });
  }

  rules(): AlertRule[] {
    return [...this.map.values()];
  }
  rule(id: string): AlertRule | null {
    return this.map.get(id) ?? null;
  }
  createRule(input: AlertRuleInput): AlertRule {
    const checked = checkRuleInput(input);
    if (this.rules().some((r) => r.name === checked.name)) throw new AlertRuleError(`name: a rule named '${checked.name}' already exists`, "name", "TAKEN");
    const now = new Date().toISOString();
    const rule: AlertRule = { ...checked, scope: checked.scope ?? null, id: `rule-${this.next++}`, builtIn: false, createdAt: now, updatedAt: now };
    this.map.set(rule.id, rule);
    return rule;
  }
  updateRule(id: string, patch: Partial<AlertRuleInput>): AlertRule {
    const rule = this.map.get(id);
    if (!rule) throw new AlertRuleError(`no alert rule with id '${id}'`, "id", "NOT_FOUND");
    const updated = { ...rule, ...checkPatch(patch), updatedAt: new Date().toISOString() } as AlertRule;
    this.map.set(id, updated);
    return updated;
  }
  deleteRule(id: string): boolean {
    const rule = this.map.get(id);
    if (rule?.builtIn) throw new AlertRuleError(`rule '${rule.name}' is built in: it cannot be deleted, only disabled (enabled: false)`, "id", "BUILT_IN");
    return this.map.delete(id);
  }
  /** The latest state of each alert, most recent change first. */
  alerts(filter: AlertFilter = {}): Alert[] {
    const latest = new Map<string, Alert>();
    for (const e of [...this.events].reverse()) if (!latest.has(e.alert.id)) latest.set(e.alert.id, e.alert);
    return [...latest.values()]
      .filter((a) => (!filter.state || filter.state.includes(a.state)) && (!filter.ruleId || a.ruleId === filter.ruleId) && (!filter.subject || a.subject === filter.subject))
      .slice(0, filter.limit ?? Infinity);
  }
  alert(id: string): Alert | null {
    return this.alerts().find((a) => a.id === id) ?? null;
  }
  subscribe(listener: (e: AlertEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  eventsSince(sequence: number): AlertEvent[] {
    return this.events.filter((e) => e.sequence > sequence);
  }
  get subscriberCount(): number {
    return this.listeners.size;
  }
  /** Records a state change (numbered) and tells subscribers; returns the event. */
  emit(a: Alert, options: { silent?: boolean } = {}): AlertEvent {
    const e: AlertEvent = { sequence: this.events.length + 1, alert: a, at: new Date().toISOString() };
    this.events.push(e);
    if (!options.silent) this.publish(e);
    return e;
  }
  /** Tells subscribers of an event (one emitted silently: stored before they heard of it). */
  publish(e: AlertEvent): void {
    for (const l of this.listeners) l(e);
  }
}
