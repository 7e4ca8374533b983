// Rules and alerts as rows of the store's alert tables (src/store/alert-tables.ts): reading,
// writing, listing and pruning. Times are stored as ms since the epoch and shown as ISO 8601.

import { and, asc, count, desc, eq, gt, inArray, lt, ne, notInArray, type SQL } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { alertRules, alerts, alertTransitions } from "../store/index.ts";
import { fingerprintOf } from "./labels.ts";
import type { Alert, AlertEvent, AlertFilter, AlertRule, RuleCondition, RuleScope, Severity, WebhookFormat } from "./types.ts";

export interface HistoryLimits {
  /** Resolved alerts whose last change is older than this go (default 30 days). */
  maxAgeMs: number;
  /** At most this many resolved alerts are kept, newest first (default 10 000). */
  maxCount: number;
}

export const DEFAULT_HISTORY: HistoryLimits = { maxAgeMs: 30 * 24 * 3600_000, maxCount: 10_000 };
export const MAX_LIST = 10_000;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const ms = (t: string | null): number | null => (t === null ? null : Date.parse(t));

type RuleRow = typeof alertRules.$inferSelect;
type AlertRow = typeof alerts.$inferSelect;

function ruleOf(r: RuleRow): AlertRule {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    condition: JSON.parse(r.condition) as RuleCondition,
    forMs: r.forMs,
    severity: r.severity as Severity,
    webhook: r.webhook === null ? null : { url: r.webhook, format: r.webhookFormat as WebhookFormat, headers: JSON.parse(r.webhookHeaders) as Record<string, string>, secret: r.webhookSecret },
    scope: r.scope === null ? null : (JSON.parse(r.scope) as RuleScope),
    builtIn: r.builtIn,
    createdAt: iso(r.createdAt)!,
    updatedAt: iso(r.updatedAt)!,
  };
}

function rowOfRule(r: AlertRule): RuleRow {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    condition: JSON.stringify(r.condition),
    forMs: r.forMs,
    severity: r.severity,
    webhook: r.webhook?.url ?? null,
    webhookFormat: r.webhook?.format ?? "wiresight",
    webhookHeaders: JSON.stringify(r.webhook?.headers ?? {}),
    webhookSecret: r.webhook?.secret ?? null,
    scope: r.scope === null ? null : JSON.stringify(r.scope),
    builtIn: r.builtIn,
    createdAt: ms(r.createdAt)!,
    updatedAt: ms(r.updatedAt)!,
  };
}

function alertOf(r: AlertRow): Alert {
  return {
    id: r.id,
    ruleId: r.ruleId,
    ruleName: r.ruleName,
    severity: r.severity as Severity,
    state: r.state as Alert["state"],
    subject: r.subject,
    entities: JSON.parse(r.entities) as string[],
    message: r.message,
    labels: JSON.parse(r.labels) as Record<string, string>,
    annotations: JSON.parse(r.annotations) as Record<string, string>,
    fingerprint: fingerprintOf(r.ruleId, r.subject),
    since: iso(r.since)!,
    firedAt: iso(r.firedAt),
    resolvedAt: iso(r.resolvedAt),
    revision: r.revision,
  };
}

function rowOfAlert(a: Alert, changedAt: number): AlertRow {
  return {
    id: a.id,
    ruleId: a.ruleId,
    ruleName: a.ruleName,
    severity: a.severity,
    state: a.state,
    subject: a.subject,
    entities: JSON.stringify(a.entities),
    message: a.message,
    labels: JSON.stringify(a.labels),
    annotations: JSON.stringify(a.annotations),
    since: ms(a.since)!,
    firedAt: ms(a.firedAt),
    resolvedAt: ms(a.resolvedAt),
    revision: a.revision,
    changedAt,
  };
}

export class AlertRows {
  constructor(private readonly db: BunSQLiteDatabase) {}

  /** Runs `fn` in one immediate transaction (an evaluation's writes land together or not at all). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(() => fn(), { behavior: "immediate" });
  }

  rules(): AlertRule[] {
    return this.db.select().from(alertRules).orderBy(desc(alertRules.builtIn), alertRules.createdAt, alertRules.name).all().map(ruleOf);
  }

  insertRule(r: AlertRule): void {
    this.db.insert(alertRules).values(rowOfRule(r)).run();
  }

  updateRule(r: AlertRule): void {
    const { id, ...rest } = rowOfRule(r);
    this.db.update(alertRules).set(rest).where(eq(alertRules.id, id)).run();
  }

  deleteRule(id: string): void {
    this.db.delete(alertRules).where(eq(alertRules.id, id)).run();
  }

  /** Pending and firing alerts: what an engine resumes after a restart. */
  active(): Alert[] {
    return this.db.select().from(alerts).where(ne(alerts.state, "resolved")).all().map(alertOf);
  }

  /** Writes an alert as it is now (insert or update) and the transition it just made; returns the transition's sequence number. */
  write(a: Alert, at: number): number {
    const row = rowOfAlert(a, at);
    const { id, ...rest } = row;
    this.db.insert(alerts).values(row).onConflictDoUpdate({ target: alerts.id, set: rest }).run();
    return this.db.insert(alertTransitions).values({ alertId: id, state: a.state, at, revision: a.revision }).returning({ id: alertTransitions.id }).get()!.id;
  }

  /** A new message, entity list, labels or annotations for an alert that keeps its state (no transition). */
  touch(a: Alert): void {
    this.db
      .update(alerts)
      .set({ message: a.message, entities: JSON.stringify(a.entities), labels: JSON.stringify(a.labels), annotations: JSON.stringify(a.annotations) })
      .where(eq(alerts.id, a.id))
      .run();
  }

  get(id: string): Alert | null {
    const row = this.db.select().from(alerts).where(eq(alerts.id, id)).get();
    return row ? alertOf(row) : null;
  }

  /**
   * The transitions after `sequence`, oldest first, each with its alert as it was then: the
   * state, revision and times of that transition over the alert's stored fields (its message and
   * labels are the latest ones).
   */
  eventsSince(sequence: number): AlertEvent[] {
    const rows = this.db.select().from(alertTransitions).innerJoin(alerts, eq(alertTransitions.alertId, alerts.id)).where(gt(alertTransitions.id, sequence)).orderBy(asc(alertTransitions.id)).all();
    return rows.map(({ alert_transitions: t, alerts: row }) => {
      const now = alertOf(row);
      const state = t.state as Alert["state"];
      const at = iso(t.at)!;
      const alert: Alert = {
        ...now,
        state,
        revision: t.revision,
        firedAt: state === "pending" ? null : now.firedAt,
        resolvedAt: state === "resolved" ? now.resolvedAt : null,
      };
      return { sequence: t.id, alert, at };
    });
  }

  list(filter: AlertFilter = {}): Alert[] {
    const where: SQL[] = [];
    if (filter.state) where.push(inArray(alerts.state, filter.state));
    if (filter.ruleId !== undefined) where.push(eq(alerts.ruleId, filter.ruleId));
    if (filter.subject !== undefined) where.push(eq(alerts.subject, filter.subject));
    const limit = filter.limit ?? 100;
    return this.db
      .select()
      .from(alerts)
      .where(and(...where))
      .orderBy(desc(alerts.changedAt), desc(alerts.since))
      .limit(limit)
      .all()
      .map(alertOf);
  }

  /** The states an alert went through, oldest first. */
  transitions(alertId: string): { state: Alert["state"]; at: string; revision: number | null }[] {
    return this.db
      .select()
      .from(alertTransitions)
      .where(eq(alertTransitions.alertId, alertId))
      .orderBy(alertTransitions.id)
      .all()
      .map((t) => ({ state: t.state as Alert["state"], at: iso(t.at)!, revision: t.revision }));
  }

  /** Drops resolved alerts beyond the limits (their transitions go with them); returns how many. */
  prune(limits: HistoryLimits, now: number): number {
    return this.transaction(() => {
      const before = this.resolvedCount();
      this.db
        .delete(alerts)
        .where(and(eq(alerts.state, "resolved"), lt(alerts.changedAt, now - limits.maxAgeMs)))
        .run();
      const excess = this.resolvedCount() - limits.maxCount;
      if (excess > 0) {
        const keep = this.db
          .select({ id: alerts.id })
          .from(alerts)
          .where(eq(alerts.state, "resolved"))
          .orderBy(desc(alerts.changedAt), desc(alerts.since))
          .limit(limits.maxCount);
        this.db
          .delete(alerts)
          .where(and(eq(alerts.state, "resolved"), notInArray(alerts.id, keep)))
          .run();
      }
      return before - this.resolvedCount();
    });
  }

  private resolvedCount(): number {
    return this.db.select({ n: count() }).from(alerts).where(eq(alerts.state, "resolved")).get()!.n;
  }
}
