// The contract of the alert rules: what a rule is, what an alert is, and what the schema and the
// server may ask of the service that keeps them. Types only; src/alerts implements it.

/** What a rule looks for. Each condition is checked against the current topology after every revision. */
export type RuleCondition =
  /** A socket listens on a wildcard address (0.0.0.0, ::) on a port not in `allowPorts`. */
  | { type: "wildcardListener"; allowPorts: number[]; protocols?: ("tcp" | "udp")[] }
  /** An interface that is (or was) up is down; `name` is a glob over interface names. */
  | { type: "interfaceDown"; name?: string; kinds?: string[] }
  /** An interface is in promiscuous mode. */
  | { type: "promiscuous"; name?: string; kinds?: string[] }
  /** A container is not attached to a bridge it was attached to (or to the named network). */
  | { type: "containerLeftBridge"; network?: string }
  /** A network namespace has no tenant (no process leads it) and no container. */
  | { type: "namespaceWithoutTenant"; ignoreBindMounted?: boolean }
  /** Any change event of these entity kinds (store kind names) and operations, optionally touching these fields. */
  | { type: "change"; kinds: string[]; ops?: ("added" | "removed" | "changed")[]; fields?: string[] }
  /** Built-in: discovery failing or not having succeeded for `stalledAfterMs`. */
  | { type: "discoveryHealth"; stalledAfterMs: number };

export type Severity = "info" | "warning" | "critical";

/** What a webhook receives (docs/alerts.md, "Webhooks"). */
export type WebhookFormat =
  /** wiresight's own JSON: the rule and its alerts with labels, annotations and fingerprints. */
  | "wiresight"
  /** What Alertmanager sends its webhook receivers (version 4): for tools that take that. */
  | "alertmanager"
  /** An Alertmanager itself: POST {url}/api/v2/alerts, firing alerts re-sent so they stay active. */
  | "alertmanager-api";

export interface WebhookTarget {
  url: string;
  format: WebhookFormat;
  /** Extra request headers (Authorization, a tenant id…). */
  headers: Record<string, string>;
  /** When set, each request carries X-Wiresight-Timestamp and X-Wiresight-Signature (HMAC-SHA256 of "timestamp.body"). */
  secret: string | null;
}

/**
 * Which part of the host a rule looks at: findings whose namespace matches one of `namespaces`
 * (display name or key; globs) and, with `containers`, that belong to a container whose name
 * matches one of them (globs). Absent lists do not restrict.
 */
export interface RuleScope {
  namespaces?: string[];
  containers?: string[];
}

export interface AlertRule {
  id: string;
  name: string;
  enabled: boolean;
  condition: RuleCondition;
  /** The condition must hold this long before the alert fires (0: at once). */
  forMs: number;
  severity: Severity;
  /** Where to POST firing and resolved alerts (null: nowhere). */
  webhook: WebhookTarget | null;
  /** Only findings in these namespaces / containers (null: everywhere). */
  scope: RuleScope | null;
  /** Built-in rules cannot be deleted, only disabled. */
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
}

export type AlertRuleInput = Omit<AlertRule, "id" | "builtIn" | "createdAt" | "updatedAt" | "scope"> & { scope?: RuleScope | null };

/** One firing of one rule for one subject; resolved when the condition stops holding. */
export interface Alert {
  id: string;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  state: "pending" | "firing" | "resolved";
  /** What it is about: an entity key (interface, socket, namespace…) or "discovery". */
  subject: string;
  /** Entity keys involved (the subject and e.g. the process owning a socket). */
  entities: string[];
  /** What is wrong (firing, pending) or what became right (resolved). */
  message: string;
  /**
   * Alertmanager-style labels: alertname, severity, and where it is (namespace, interface,
   * container, when they apply) and subject (the entity key): what receivers route and group by.
   */
  labels: Record<string, string>;
  /** summary (the message), description (for a resolved alert: what was wrong). */
  annotations: Record<string, string>;
  /** Stable over every episode of this rule and subject (16 hex digits of a SHA-256 of both), as Alertmanager's fingerprint. */
  fingerprint: string;
  /** When the condition started to hold, ISO 8601. */
  since: string;
  firedAt: string | null;
  resolvedAt: string | null;
  /** The revision at which it last changed state. */
  revision: number | null;
}

/** One state change of an alert, numbered in the order they happened (the number resumes a subscription). */
export interface AlertEvent {
  /** Increasing over all alerts: the transition's row id. */
  sequence: number;
  /** The alert as it was right after this change. */
  alert: Alert;
  /** When the change happened, ISO 8601. */
  at: string;
}

export interface AlertFilter {
  state?: Alert["state"][];
  ruleId?: string;
  subject?: string;
  limit?: number;
}

/** What the schema and the server use; the alert engine implements it. */
export interface AlertService {
  rules(): AlertRule[];
  rule(id: string): AlertRule | null;
  createRule(input: AlertRuleInput): AlertRule;
  updateRule(id: string, patch: Partial<AlertRuleInput>): AlertRule;
  deleteRule(id: string): boolean;
  /** Alerts, newest first: firing and pending now, and the resolved ones kept as history. */
  alerts(filter?: AlertFilter): Alert[];
  alert(id: string): Alert | null;
  /** Called on every alert state change (pending → firing → resolved), after it is stored. Returns unsubscribe. */
  subscribe(listener: (event: AlertEvent) => void): () => void;
  /** The state changes after `sequence` still kept (a pruned alert's go with it), oldest first. */
  eventsSince(sequence: number): AlertEvent[];
}
