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

export interface AlertRule {
  id: string;
  name: string;
  enabled: boolean;
  condition: RuleCondition;
  /** The condition must hold this long before the alert fires (0: at once). */
  forMs: number;
  severity: Severity;
  /** POST firing and resolved alerts here as JSON (null: none). */
  webhook: string | null;
  /** Built-in rules cannot be deleted, only disabled. */
  builtIn: boolean;
  createdAt: string;
  updatedAt: string;
}

export type AlertRuleInput = Omit<AlertRule, "id" | "builtIn" | "createdAt" | "updatedAt">;

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
  message: string;
  /** When the condition started to hold, ISO 8601. */
  since: string;
  firedAt: string | null;
  resolvedAt: string | null;
  /** The revision at which it last changed state. */
  revision: number | null;
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
  /** Called on every alert state change (pending → firing → resolved). Returns unsubscribe. */
  subscribe(listener: (alert: Alert) => void): () => void;
}
