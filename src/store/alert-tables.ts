// The alert engine's tables (src/alerts), kept in the same database file as the history so that
// one migration chain (npm run db:generate) covers both and rules and alerts survive restarts
// beside the revisions they refer to. The store itself never reads them.
//
// Times are milliseconds since the epoch, like `snapshots.time`.

import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const alertRules = sqliteTable("alert_rules", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  /** The RuleCondition as JSON. */
  condition: text("condition").notNull(),
  forMs: integer("for_ms").notNull(),
  severity: text("severity").notNull(),
  /** The webhook's URL (null: none). */
  webhook: text("webhook"),
  /** What the webhook receives: "wiresight", "alertmanager" (webhook receiver) or "alertmanager-api" (POST /api/v2/alerts). */
  webhookFormat: text("webhook_format").notNull().default("wiresight"),
  /** Extra request headers as a JSON object. */
  webhookHeaders: text("webhook_headers").notNull().default("{}"),
  /** The HMAC-SHA256 key payloads are signed with (null: unsigned). */
  webhookSecret: text("webhook_secret"),
  /** Which namespaces and containers the rule looks at, as JSON ({ namespaces?, containers? }); null: all. */
  scope: text("scope"),
  builtIn: integer("built_in", { mode: "boolean" }).notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * One alert: one rule holding for one subject, from pending to resolved. Not tied to its rule by
 * a foreign key: a deleted rule's alerts stay as history (with the rule's name copied in).
 */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    ruleId: text("rule_id").notNull(),
    ruleName: text("rule_name").notNull(),
    severity: text("severity").notNull(),
    state: text("state").notNull(),
    subject: text("subject").notNull(),
    /** Entity keys as a JSON array. */
    entities: text("entities").notNull(),
    message: text("message").notNull(),
    /** Alertmanager-style labels (alertname, severity, namespace, interface, container, subject) as a JSON object. */
    labels: text("labels").notNull().default("{}"),
    /** Alertmanager-style annotations (summary, description) as a JSON object. */
    annotations: text("annotations").notNull().default("{}"),
    since: integer("since").notNull(),
    firedAt: integer("fired_at"),
    resolvedAt: integer("resolved_at"),
    revision: integer("revision"),
    /** The last state change: the order alerts are listed in (newest first). */
    changedAt: integer("changed_at").notNull(),
  },
  (t) => [
    // At most one alert per rule and subject that is not resolved yet: a restart resumes it
    // rather than firing it again.
    uniqueIndex("alerts_active_rule_subject").on(t.ruleId, t.subject).where(sql`state <> 'resolved'`),
    index("alerts_changed").on(t.changedAt),
    index("alerts_state").on(t.state, t.changedAt),
  ],
);

/** Each state an alert went through (pending, firing, resolved), in order. */
export const alertTransitions = sqliteTable(
  "alert_transitions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    alertId: text("alert_id")
      .notNull()
      .references(() => alerts.id, { onDelete: "cascade" }),
    state: text("state").notNull(),
    at: integer("at").notNull(),
    revision: integer("revision"),
  },
  (t) => [index("alert_transitions_alert").on(t.alertId, t.id)],
);
