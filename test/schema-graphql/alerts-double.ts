// An in-memory AlertService for the schema tests (src/alerts builds the real one): rules kept in
// a map with the service's contract (built-in rules cannot be deleted; unknown ids throw), and
// `emit` to push an alert to subscribers.

import type { Alert, AlertFilter, AlertRule, AlertRuleInput, AlertService } from "../../src/alerts/types.ts";

export class AlertsDouble implements AlertService {
  private readonly map = new Map<string, AlertRule>();
  private readonly listeners = new Set<(a: Alert) => void>();
  readonly history: Alert[] = [];
  private next = 1;

  constructor() {
    const now = new Date().toISOString();
    this.map.set("builtin-discovery", { id: "builtin-discovery", name: "discovery health", enabled: true, condition: { type: "discoveryHealth", stalledAfterMs: 300_000 }, forMs: 0, severity: "critical", webhook: null, builtIn: true, createdAt: now, updatedAt: now });
  }

  rules(): AlertRule[] {
    return [...this.map.values()];
  }
  rule(id: string): AlertRule | null {
    return this.map.get(id) ?? null;
  }
  createRule(input: AlertRuleInput): AlertRule {
    const now = new Date().toISOString();
    const rule: AlertRule = { ...input, id: `rule-${this.next++}`, builtIn: false, createdAt: now, updatedAt: now };
    this.map.set(rule.id, rule);
    return rule;
  }
  updateRule(id: string, patch: Partial<AlertRuleInput>): AlertRule {
    const rule = this.map.get(id);
    if (!rule) throw new Error(`no alert rule ${id}`);
    const updated = { ...rule, ...patch, updatedAt: new Date().toISOString() };
    this.map.set(id, updated);
    return updated;
  }
  deleteRule(id: string): boolean {
    const rule = this.map.get(id);
    if (rule?.builtIn) throw new Error(`rule ${id} is built in`);
    return this.map.delete(id);
  }
  alerts(filter: AlertFilter = {}): Alert[] {
    return this.history
      .filter((a) => (!filter.state || filter.state.includes(a.state)) && (!filter.ruleId || a.ruleId === filter.ruleId) && (!filter.subject || a.subject === filter.subject))
      .slice(0, filter.limit ?? Infinity);
  }
  subscribe(listener: (a: Alert) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  get subscriberCount(): number {
    return this.listeners.size;
  }
  emit(a: Alert): void {
    this.history.unshift(a);
    for (const l of this.listeners) l(a);
  }
}
