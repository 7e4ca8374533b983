// The alert engine: keeps the rules, evaluates them against the live topology after every
// revision (and on a timer, for `for` durations and the watcher's health), moves alerts through
// pending → firing → resolved, persists them in the store's file, tells subscribers and webhooks.
//
// Evaluation is synchronous and takes its time from an injectable clock, so tests drive it
// step by step (`evaluate(now)`, `tick(now)`) without sleeping.

import { randomUUID } from "node:crypto";
import { indexTopology, type TopologyIndex } from "../model/index-topology.ts";
import { encodeNodeId } from "../model/node-id.ts";
import type { Topology } from "../model/topology.ts";
import { explain } from "../store/errors.ts";
import type { ChangeEvent, Store } from "../store/index.ts";
import type { LiveTopology, RevisionBatch } from "../watch/live.ts";
import { AlertRows, DEFAULT_HISTORY, MAX_LIST, type HistoryLimits } from "./alert-rows.ts";
import { ConditionMemory, evaluateCondition, globMatcher, type Finding } from "./conditions.ts";
import { fingerprintOf, labelsFor, namespaceOfKey } from "./labels.ts";
import { resolvedMessage, type ResolveReason } from "./resolved.ts";
import { readRuleFile, RuleFileError } from "./rule-file.ts";
import type { Alert, AlertEvent, AlertFilter, AlertRule, AlertRuleInput, AlertService, RuleScope } from "./types.ts";
import { AlertRuleError, checkPatch, checkRuleInput } from "./validate.ts";
import { WebhookSender, webhookRequest, type WebhookAlert } from "./webhook.ts";

export interface AlertEngineOptions {
  store: Store;
  live: LiveTopology;
  /** The clock, ms since the epoch (tests inject one). */
  now?: () => number;
  /** How often the timer checks `for` durations and the watcher's health (default 1000 ms); null: no timer (tests call tick()). */
  tickMs?: number | null;
  /** Per webhook attempt (default 5000 ms). */
  webhookTimeoutMs?: number;
  /** Webhook attempts after the first (default 2). */
  webhookRetries?: number;
  /** Wait before webhook retry n is n × this (default 500 ms). */
  webhookRetryDelayMs?: number;
  /** A JSON array of rules to upsert by name at start. */
  rulesFile?: string;
  /** How much resolved history to keep. */
  history?: Partial<HistoryLimits>;
  /** The built-in health rule's stall limit when it is first created (default: 3 full passes, at least 60 s). */
  stalledAfterMs?: number;
  /** Warnings (failed webhooks, throwing subscribers); default console.warn. */
  warn?: (message: string) => void;
  /** The server's URL as receivers reach it, for generatorURL and externalURL (default http://127.0.0.1:5000); a function when it is known only later. */
  externalUrl?: string | (() => string);
  /** How often firing alerts are sent again to an Alertmanager's API, which lets them lapse otherwise (default 60 000 ms). */
  alertmanagerResendMs?: number;
}

export const BUILT_IN_HEALTH_RULE = "discovery health";
const PRUNE_EVERY_MS = 60_000;
/** An alert sent to an Alertmanager's API lapses (endsAt) after this many resend periods unless sent again, as Prometheus does. */
const LAPSE_AFTER_RESENDS = 4;

export class AlertEngine implements AlertService {
  private readonly rows: AlertRows;
  private readonly storePath: string;
  private readonly rulesById = new Map<string, AlertRule>();
  /** Pending and firing alerts: rule id → subject → alert. */
  private readonly active = new ActiveAlerts();
  private readonly listeners = new Set<(event: AlertEvent) => void>();
  /** Alert writes of the evaluation in progress, stored together by persist(). */
  private writes: (() => void)[] = [];
  private readonly memory = new ConditionMemory();
  private readonly webhooks: WebhookSender;
  private readonly clock: () => number;
  private readonly warn: (message: string) => void;
  private readonly history: HistoryLimits;
  private indexed: { topology: Topology; index: TopologyIndex } | null = null;
  private learned: Topology | null = null;
  private lastPrune = 0;
  private lastResend = 0;
  private readonly externalUrl: () => string;
  private readonly resendMs: number;
  private unsubscribe: (() => void) | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  private constructor(
    private readonly live: LiveTopology,
    store: Store,
    options: AlertEngineOptions,
  ) {
    this.rows = new AlertRows(store.database());
    this.storePath = store.path;
    this.clock = options.now ?? Date.now;
    this.warn = options.warn ?? ((m) => console.warn(`wiresight: ${m}`));
    this.history = { ...DEFAULT_HISTORY, ...options.history };
    const url = options.externalUrl ?? "http://127.0.0.1:5000";
    this.externalUrl = () => (typeof url === "function" ? url() : url).replace(/\/+$/, "");
    this.resendMs = options.alertmanagerResendMs ?? 60_000;
    this.webhooks = new WebhookSender({
      timeoutMs: options.webhookTimeoutMs,
      retries: options.webhookRetries,
      retryDelayMs: options.webhookRetryDelayMs,
      now: this.clock,
      warn: this.warn,
    });
  }

  /**
   * Loads the rules (creating the built-in health rule on first use, then upserting the rules
   * file's), resumes pending and firing alerts, evaluates once, and follows the live topology.
   * Throws a RuleFileError for a bad rules file.
   */
  static open(options: AlertEngineOptions): AlertEngine {
    const engine = new AlertEngine(options.live, options.store, options);
    try {
      engine.start(options);
    } catch (err) {
      void engine.close();
      throw explain(options.store.path, err);
    }
    return engine;
  }

  private start(options: AlertEngineOptions): void {
    const fromFile = options.rulesFile === undefined ? [] : readRuleFile(options.rulesFile);
    for (const r of this.rows.rules()) this.rulesById.set(r.id, r);
    const now = this.clock();
    this.rows.transaction(() => {
      if (![...this.rulesById.values()].some((r) => r.builtIn)) {
        const every = this.live.status().fullPassEveryMs;
        const stalledAfterMs = options.stalledAfterMs ?? Math.max(60_000, 3 * every);
        const rule = this.newRule({ name: BUILT_IN_HEALTH_RULE, enabled: true, condition: { type: "discoveryHealth", stalledAfterMs }, forMs: 0, severity: "critical", webhook: null, scope: null }, now, true);
        this.rows.insertRule(rule);
        this.rulesById.set(rule.id, rule);
      }
      for (const [i, input] of fromFile.entries()) {
        const existing = this.byName(input.name);
        let rule: AlertRule;
        try {
          if (!existing && input.condition.type === "discoveryHealth") throw this.notBuiltIn();
          rule = existing ? this.merged(existing, input, now) : this.newRule(input, now, false);
        } catch (err) {
          if (err instanceof AlertRuleError) throw new RuleFileError(`rules file ${options.rulesFile}, rule ${i + 1} ('${input.name}'): ${err.message}`);
          throw err;
        }
        if (existing) this.rows.updateRule(rule);
        else this.rows.insertRule(rule);
        this.rulesById.set(rule.id, rule);
      }
    });
    for (const a of this.rows.active()) {
      this.active.add(a);
      this.seedMemory(a);
    }
    this.prune(now);
    this.unsubscribe = this.live.subscribe((batch) => this.onBatch(batch));
    this.evaluate(now);
    const tickMs = options.tickMs === undefined ? 1000 : options.tickMs;
    if (tickMs !== null) {
      this.timer = setInterval(() => {
        try {
          this.tick();
        } catch (err) {
          this.warn(`alert timer: ${(err as Error).message}`);
        }
      }, tickMs);
      this.timer.unref?.();
    }
  }

  /** Stops following the topology and the timer; resolves when pending webhook deliveries are done. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.webhooks.settled();
  }

  // ---- AlertService ------------------------------------------------------------------------

  rules(): AlertRule[] {
    return [...this.rulesById.values()].sort((a, b) => Number(b.builtIn) - Number(a.builtIn) || a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  rule(id: string): AlertRule | null {
    return this.rulesById.get(id) ?? null;
  }

  createRule(input: AlertRuleInput): AlertRule {
    const checked = checkRuleInput(input);
    if (this.byName(checked.name)) throw new AlertRuleError(`name: a rule named '${checked.name}' already exists`, "name", "TAKEN");
    if (checked.condition.type === "discoveryHealth") throw this.notBuiltIn();
    const rule = this.newRule(checked, this.clock(), false);
    this.persist(() => this.rows.insertRule(rule), true);
    this.rulesById.set(rule.id, rule);
    this.evaluate(this.clock(), [rule]);
    return rule;
  }

  updateRule(id: string, patch: Partial<AlertRuleInput>): AlertRule {
    const old = this.rulesById.get(id);
    if (!old) throw new AlertRuleError(`no alert rule with id '${id}'`, "id", "NOT_FOUND");
    const checked = checkPatch(patch);
    if (checked.name !== undefined && checked.name !== old.name && this.byName(checked.name))
      throw new AlertRuleError(`name: a rule named '${checked.name}' already exists`, "name", "TAKEN");
    const now = this.clock();
    const rule = this.merged(old, checked, now);
    const restart = !rule.enabled || JSON.stringify(rule.condition) !== JSON.stringify(old.condition) || rule.forMs !== old.forMs;
    // A changed condition or `for` starts over: what held under the old one is resolved.
    const transitions = restart ? this.resolveAll(old, now, this.live.current().revision, rule.enabled ? "rule changed" : "rule disabled") : [];
    this.persist(() => this.rows.updateRule(rule), true);
    this.rulesById.set(id, rule);
    this.publish(transitions);
    if (rule.enabled) this.evaluate(now, [rule]);
    return rule;
  }

  deleteRule(id: string): boolean {
    const rule = this.rulesById.get(id);
    if (!rule) return false;
    if (rule.builtIn) throw new AlertRuleError(`rule '${rule.name}' is built in: it cannot be deleted, only disabled (enabled: false)`, "id", "BUILT_IN");
    const now = this.clock();
    const transitions = this.resolveAll(rule, now, this.live.current().revision, "rule deleted");
    this.persist(() => this.rows.deleteRule(id), true);
    // Told while the rule is still known, so its webhook hears that its alerts are resolved.
    this.publish(transitions);
    this.rulesById.delete(id);
    return true;
  }

  alerts(filter: AlertFilter = {}): Alert[] {
    if (filter.limit !== undefined && (!Number.isInteger(filter.limit) || filter.limit < 1 || filter.limit > MAX_LIST))
      throw new AlertRuleError(`limit: must be an integer from 1 to ${MAX_LIST}, got ${filter.limit}`, "limit");
    return this.rows.list(filter);
  }

  alert(id: string): Alert | null {
    return this.rows.get(id);
  }

  subscribe(listener: (event: AlertEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  eventsSince(sequence: number): AlertEvent[] {
    return this.rows.eventsSince(sequence);
  }

  // ---- evaluation ---------------------------------------------------------------------------

  /**
   * Evaluates rules (all enabled ones by default) against the current topology, with the events
   * of `batch` when a new revision brought them. Also checks `for` durations and prunes history.
   */
  evaluate(now = this.clock(), rules?: AlertRule[], batch?: RevisionBatch): void {
    if (this.closed) return;
    const current = this.live.current();
    const index = this.indexOf(current.topology);
    const events: ChangeEvent[] | null = batch?.events ?? null;
    if (events) this.memory.learnFromEvents(events);
    const revision = batch?.revision ?? current.revision;
    const status = this.live.status();
    const targets = (rules ?? [...this.rulesById.values()]).filter((r) => r.enabled);
    const transitions: AlertEvent[] = [];
    for (const rule of targets) {
      let findings: Finding[];
      try {
        findings = inScope(evaluateCondition(rule.condition, { index, events, status, now, memory: this.memory }), rule.scope, index);
      } catch (err) {
        // One broken rule (or a topology it did not expect) must not stop the others.
        this.warn(`alert rule '${rule.name}' could not be evaluated: ${(err as Error).message}`);
        continue;
      }
      transitions.push(...this.apply(rule, findings, now, revision, index));
    }
    transitions.push(...this.promote(now));
    // Nothing is told before it is stored: a failed write drops this evaluation's news (the
    // next evaluation finds the same again, from the state reloaded from the file).
    if (!this.persist()) return;
    if (this.learned !== current.topology) {
      this.memory.learnFromTopology(index);
      this.learned = current.topology;
    }
    this.publish(transitions);
    if (now - this.lastPrune >= PRUNE_EVERY_MS) this.prune(now);
  }

  /**
   * What the timer does: the watcher's health (it changes without a revision) and `for`
   * durations that have run out. Rules over the topology need no new look: it has not changed.
   */
  tick(now = this.clock()): void {
    if (this.closed) return;
    const health = [...this.rulesById.values()].filter((r) => r.enabled && r.condition.type === "discoveryHealth");
    this.evaluate(now, health);
    if (now - this.lastResend >= this.resendMs) this.resendToAlertmanagers(now);
  }

  /**
   * An Alertmanager forgets an alert at its endsAt unless told again: every firing alert of a
   * rule whose webhook is an Alertmanager's API is sent again, as Prometheus re-sends its own.
   */
  private resendToAlertmanagers(now: number): void {
    this.lastResend = now;
    const perRule = new Map<string, Alert[]>();
    for (const a of this.active.all()) {
      if (a.state !== "firing") continue;
      if (this.rulesById.get(a.ruleId)?.webhook?.format !== "alertmanager-api") continue;
      const list = perRule.get(a.ruleId);
      if (list) list.push(a);
      else perRule.set(a.ruleId, [a]);
    }
    for (const [ruleId, list] of perRule) this.sendWebhook(this.rulesById.get(ruleId)!, list, now);
  }

  /** Drops resolved alerts beyond the history limits; returns how many went. */
  prune(now = this.clock()): number {
    this.lastPrune = now;
    return this.rows.prune(this.history, now);
  }

  /** The states an alert went through, oldest first. */
  transitions(alertId: string): { state: Alert["state"]; at: string; revision: number | null }[] {
    return this.rows.transitions(alertId);
  }

  /** Resolves when every webhook delivery started so far has finished. */
  webhooksSettled(): Promise<void> {
    return this.webhooks.settled();
  }

  /** Webhook deliveries so far: delivered, failed (after every retry), dropped (too many pending). */
  webhookCounts(): { delivered: number; failed: number; dropped: number } {
    return { ...this.webhooks.counts };
  }

  private onBatch(batch: RevisionBatch): void {
    try {
      this.evaluate(this.clock(), undefined, batch);
    } catch (err) {
      // A subscriber of the watcher must not throw into it; the next revision tries again.
      this.warn(`alert evaluation at revision ${batch.revision} failed: ${(err as Error).message}`);
    }
  }

  /** One rule's findings against its active alerts: new ones start, held ones go on, the rest resolve. */
  private apply(rule: AlertRule, findings: Finding[], now: number, revision: number, index: TopologyIndex): AlertEvent[] {
    const out: AlertEvent[] = [];
    const holding = new Set<string>();
    // A change is momentary: its alert fires and resolves within the same evaluation.
    const momentary = rule.condition.type === "change";
    for (const f of findings) {
      holding.add(f.subject);
      const a = this.active.get(rule.id, f.subject);
      if (!a) {
        const alert: Alert = {
          id: randomUUID(),
          ruleId: rule.id,
          ruleName: rule.name,
          severity: rule.severity,
          state: rule.forMs > 0 ? "pending" : "firing",
          subject: f.subject,
          entities: f.entities,
          message: f.message,
          labels: labelsFor(index, rule, f.subject),
          annotations: { summary: f.message },
          fingerprint: fingerprintOf(rule.id, f.subject),
          since: new Date(now).toISOString(),
          firedAt: rule.forMs > 0 ? null : new Date(now).toISOString(),
          resolvedAt: null,
          revision,
        };
        this.active.add(alert);
        out.push(this.transition(alert, now));
        continue;
      }
      const labels = labelsFor(index, rule, f.subject);
      if (a.message !== f.message || JSON.stringify([a.entities, a.labels]) !== JSON.stringify([f.entities, labels])) {
        a.message = f.message;
        a.entities = f.entities;
        a.labels = labels;
        a.annotations = { summary: f.message };
        const copy = structuredClone(a);
        this.writes.push(() => this.rows.touch(copy));
      }
    }
    for (const a of [...this.active.of(rule.id)]) if (momentary || !holding.has(a.subject)) out.push(this.resolve(a, now, revision, "condition"));
    return out;
  }

  /** Pending alerts whose rule's `for` has run out fire (their condition held at the last evaluation). */
  private promote(now: number): AlertEvent[] {
    const out: AlertEvent[] = [];
    for (const a of this.active.all()) {
      if (a.state !== "pending") continue;
      const rule = this.rulesById.get(a.ruleId);
      if (!rule?.enabled || now - Date.parse(a.since) < rule.forMs) continue;
      a.state = "firing";
      a.firedAt = new Date(now).toISOString();
      a.revision = this.live.current().revision;
      out.push(this.transition(a, now));
    }
    return out;
  }

  /** Resolves an alert: its message says what became right; its description keeps what was wrong. */
  private resolve(a: Alert, now: number, revision: number, reason: ResolveReason): AlertEvent {
    this.active.remove(a);
    const rule = this.rulesById.get(a.ruleId);
    const was = a.message;
    a.state = "resolved";
    a.resolvedAt = new Date(now).toISOString();
    a.revision = revision;
    a.message = rule ? resolvedMessage(rule.condition, a, this.indexOf(this.live.current().topology), reason) : `resolved (${reason}): was ${was}`;
    a.annotations = { summary: a.message, description: `was: ${was}` };
    return this.transition(a, now);
  }

  private resolveAll(rule: AlertRule, now: number, revision: number, reason: ResolveReason): AlertEvent[] {
    return [...this.active.of(rule.id)].map((a) => this.resolve(a, now, revision, reason));
  }

  /**
   * Queues an alert's new state to be stored; returns the event with a copy of the alert as it is
   * at this moment (for listeners and webhooks), its sequence filled in when it is stored.
   */
  private transition(a: Alert, now: number): AlertEvent {
    const event: AlertEvent = { sequence: 0, alert: structuredClone(a), at: new Date(now).toISOString() };
    this.writes.push(() => {
      event.sequence = this.rows.write(event.alert, now);
    });
    return event;
  }

  /**
   * Stores the queued alert writes (and `also`) in one transaction; none when there is nothing
   * to write, so an idle evaluation never takes the file's write lock. When it fails, the
   * in-memory alerts are reloaded from the file (which still holds the state before) and the
   * failure is a warning, or thrown with `rethrow` (a rule mutation must report it).
   */
  private persist(also?: () => void, rethrow = false): boolean {
    const writes = this.writes.splice(0);
    if (writes.length === 0 && !also) return true;
    try {
      this.rows.transaction(() => {
        also?.();
        for (const w of writes) w();
      });
      return true;
    } catch (raw) {
      const err = explain(this.storePath, raw) as Error;
      this.active.clear();
      for (const a of this.rows.active()) this.active.add(a);
      if (rethrow) throw err;
      this.warn(`alert state could not be stored: ${err.message}`);
      return false;
    }
  }

  /** After the transaction committed: subscribers, then webhooks (firing and resolved only, grouped per rule). */
  private publish(transitions: AlertEvent[]): void {
    for (const e of transitions)
      for (const l of this.listeners) {
        try {
          l(e);
        } catch (err) {
          this.warn(`an alert subscriber threw: ${(err as Error).message}`);
        }
      }
    const perRule = new Map<string, Alert[]>();
    for (const { alert: a } of transitions) {
      // A pending alert that never fired and went away is history, not news for a receiver.
      if (a.state === "pending" || (a.state === "resolved" && a.firedAt === null)) continue;
      const list = perRule.get(a.ruleId);
      if (list) list.push(a);
      else perRule.set(a.ruleId, [a]);
    }
    const now = this.clock();
    for (const [ruleId, list] of perRule) {
      const rule = this.rulesById.get(ruleId);
      if (rule) this.sendWebhook(rule, list, now);
    }
  }

  private sendWebhook(rule: AlertRule, list: Alert[], now: number): void {
    if (!rule.webhook) return;
    const base = this.externalUrl();
    const lapse = rule.webhook.format === "alertmanager-api" ? new Date(now + LAPSE_AFTER_RESENDS * this.resendMs).toISOString() : null;
    const alerts = list.map(
      (a): WebhookAlert => ({
        ...a,
        status: a.state === "resolved" ? "resolved" : "firing",
        startsAt: a.firedAt ?? a.since,
        endsAt: a.resolvedAt ?? lapse,
        generatorURL: generatorUrl(base, a.id),
      }),
    );
    this.webhooks.send(rule.webhook, webhookRequest(rule.webhook, rule, alerts, base), `rule '${rule.name}'`);
  }

  /** What a resumed alert says about the past that the memory must know to keep holding it. */
  private seedMemory(a: Alert): void {
    const rule = this.rulesById.get(a.ruleId);
    if (rule?.condition.type === "interfaceDown") this.memory.seenRunning.add(a.subject);
    if (rule?.condition.type === "containerLeftBridge") {
      // The network's name comes back from the topology (conditions.ts) while the network exists.
      let m = this.memory.attachments.get(a.subject);
      if (!m) this.memory.attachments.set(a.subject, (m = new Map()));
      for (const key of a.entities.filter((e) => e.startsWith("container-network:"))) if (!m.has(key)) m.set(key, key);
    }
  }

  private indexOf(topology: Topology): TopologyIndex {
    if (this.indexed?.topology !== topology) this.indexed = { topology, index: indexTopology(topology) };
    return this.indexed.index;
  }

  private byName(name: string): AlertRule | undefined {
    for (const r of this.rulesById.values()) if (r.name === name) return r;
    return undefined;
  }

  private notBuiltIn(): AlertRuleError {
    const name = [...this.rulesById.values()].find((r) => r.builtIn)?.name ?? BUILT_IN_HEALTH_RULE;
    return new AlertRuleError(`condition.type: 'discoveryHealth' is built in (rule '${name}'); update that rule instead`, "condition.type", "BUILT_IN");
  }

  private newRule(input: AlertRuleInput, now: number, builtIn: boolean): AlertRule {
    const at = new Date(now).toISOString();
    return { id: randomUUID(), name: input.name, enabled: input.enabled, condition: input.condition, forMs: input.forMs, severity: input.severity, webhook: input.webhook, scope: input.scope ?? null, builtIn, createdAt: at, updatedAt: at };
  }

  /** A rule with a (checked) patch applied, checked again as a whole (some fields constrain each other). */
  private merged(old: AlertRule, patch: Partial<AlertRuleInput>, now: number): AlertRule {
    const rule: AlertRule = { ...old, ...patch, updatedAt: new Date(now).toISOString() };
    if (old.builtIn && rule.condition.type !== old.condition.type)
      throw new AlertRuleError(`condition.type: rule '${old.name}' is built in; its condition stays '${old.condition.type}'`, "condition.type", "BUILT_IN");
    if (!old.builtIn && rule.condition.type === "discoveryHealth") throw this.notBuiltIn();
    checkPatch({ name: rule.name, enabled: rule.enabled, condition: rule.condition, forMs: rule.forMs, severity: rule.severity, webhook: rule.webhook, scope: rule.scope });
    return rule;
  }
}

/** The playground with a query for one alert: where a receiver's "source" link leads. */
function generatorUrl(base: string, alertId: string): string {
  const query = `query Alert { node(id: "${encodeNodeId("Alert", alertId)}") { ... on Alert { ruleName state message labels since firedAt resolvedAt subject { id } } } }`;
  return `${base}/graphql?query=${encodeURIComponent(query)}`;
}

/** The findings a rule's scope lets through: in a matching namespace, of (or in the namespace of) a matching container. */
function inScope(findings: Finding[], scope: RuleScope | null, index: TopologyIndex): Finding[] {
  if (!scope) return findings;
  const nsGlobs = scope.namespaces?.map(globMatcher);
  const ctGlobs = scope.containers?.map(globMatcher);
  return findings.filter((f) => {
    const netns = namespaceOfKey(index, f.subject);
    if (nsGlobs) {
      const ns = netns ? index.namespaces.get(netns) : undefined;
      if (!ns || !nsGlobs.some((m) => m(ns.displayName) || m(ns.key))) return false;
    }
    if (ctGlobs) {
      const containers = index.topology.containers.filter((c) => c.key === f.subject || (netns !== null && c.netns === netns));
      if (!containers.some((c) => ctGlobs.some((m) => m(c.name)))) return false;
    }
    return true;
  });
}

/** Unresolved alerts by rule, then subject: one rule's alerts are found without looking at the others'. */
class ActiveAlerts {
  private readonly byRule = new Map<string, Map<string, Alert>>();

  get(ruleId: string, subject: string): Alert | undefined {
    return this.byRule.get(ruleId)?.get(subject);
  }

  add(a: Alert): void {
    let m = this.byRule.get(a.ruleId);
    if (!m) this.byRule.set(a.ruleId, (m = new Map()));
    m.set(a.subject, a);
  }

  remove(a: Alert): void {
    const m = this.byRule.get(a.ruleId);
    m?.delete(a.subject);
    if (m?.size === 0) this.byRule.delete(a.ruleId);
  }

  of(ruleId: string): Iterable<Alert> {
    return this.byRule.get(ruleId)?.values() ?? [];
  }

  *all(): Iterable<Alert> {
    for (const m of this.byRule.values()) yield* m.values();
  }

  clear(): void {
    this.byRule.clear();
  }
}
