// Delivering alert notifications: one POST per rule and evaluation, in the format the rule's
// webhook asks for (wiresight's JSON, Alertmanager's webhook-receiver JSON, or an Alertmanager's
// own /api/v2/alerts), with the rule's headers, signed with HMAC-SHA256 when it has a secret.
// Each attempt has a time limit and failures are retried a bounded number of times. Deliveries
// run in the background: a slow or failing receiver costs a warning, never a delayed evaluation,
// and at most `maxInFlight` of them are pending at once (more are dropped, with a warning) so a
// dead receiver cannot pile up memory.

import { createHmac } from "node:crypto";
import type { Alert, AlertRule, WebhookTarget } from "./types.ts";

/** One alert as every format carries it: Alertmanager's fields over wiresight's alert. */
export interface WebhookAlert extends Alert {
  /** Alertmanager's status: pending alerts are never sent. */
  status: "firing" | "resolved";
  /** When it fired. */
  startsAt: string;
  /** When it was resolved; for a firing alert sent to an Alertmanager's API, when it lapses unless sent again. Null otherwise. */
  endsAt: string | null;
  /** Where to look at it: the playground with a query for this alert. */
  generatorURL: string;
}

/** What a webhook in wiresight's format receives. */
export interface WebhookPayload {
  /** Payload format version (2: labels, annotations, fingerprint, status, startsAt, endsAt, generatorURL). */
  version: 2;
  source: "wiresight";
  rule: { id: string; name: string; severity: AlertRule["severity"] };
  /** The alerts that changed state to firing or resolved, each as it was at that moment, in order. */
  alerts: WebhookAlert[];
}

/** What Alertmanager sends its webhook receivers (webhook_config, version 4). */
export interface AlertmanagerWebhookPayload {
  version: "4";
  groupKey: string;
  truncatedAlerts: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: { status: "firing" | "resolved"; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; generatorURL: string; fingerprint: string }[];
}

/** One alert as an Alertmanager's POST /api/v2/alerts takes it. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL: string;
}

/** Alertmanager's zero time: "not ended". */
const NOT_ENDED = "0001-01-01T00:00:00Z";

export const SIGNATURE_HEADER = "X-Wiresight-Signature";
export const TIMESTAMP_HEADER = "X-Wiresight-Timestamp";

/** The signature of a body sent at `timestamp` (seconds since the epoch): "sha256=" + hex HMAC-SHA256 of "timestamp.body". */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

function common(maps: Record<string, string>[]): Record<string, string> {
  if (maps.length === 0) return {};
  return Object.fromEntries(Object.entries(maps[0]!).filter(([k, v]) => maps.every((m) => m[k] === v)));
}

/** The request body and URL for a rule's alerts in its webhook's format. */
export function webhookRequest(target: WebhookTarget, rule: Pick<AlertRule, "id" | "name" | "severity">, alerts: WebhookAlert[], externalUrl: string): { url: string; body: string } {
  switch (target.format) {
    case "wiresight": {
      const payload: WebhookPayload = { version: 2, source: "wiresight", rule: { id: rule.id, name: rule.name, severity: rule.severity }, alerts };
      return { url: target.url, body: JSON.stringify(payload) };
    }
    case "alertmanager": {
      const payload: AlertmanagerWebhookPayload = {
        version: "4",
        groupKey: `{}:{alertname=${JSON.stringify(rule.name)}}`,
        truncatedAlerts: 0,
        status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
        receiver: "wiresight",
        groupLabels: { alertname: rule.name },
        commonLabels: common(alerts.map((a) => a.labels)),
        commonAnnotations: common(alerts.map((a) => a.annotations)),
        externalURL: externalUrl,
        alerts: alerts.map((a) => ({ status: a.status, labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt ?? NOT_ENDED, generatorURL: a.generatorURL, fingerprint: a.fingerprint })),
      };
      return { url: target.url, body: JSON.stringify(payload) };
    }
    case "alertmanager-api": {
      const payload: PostableAlert[] = alerts.map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, ...(a.endsAt ? { endsAt: a.endsAt } : {}), generatorURL: a.generatorURL }));
      const base = target.url.replace(/\/+$/, "");
      return { url: /\/api\/v2\/alerts$/.test(base) ? base : `${base}/api/v2/alerts`, body: JSON.stringify(payload) };
    }
  }
}

export interface WebhookOptions {
  /** Per attempt (default 5000). */
  timeoutMs?: number;
  /** Attempts after the first (default 2). */
  retries?: number;
  /** Wait before retry n is n × this (default 500). */
  retryDelayMs?: number;
  maxInFlight?: number;
  /** The clock signatures are timestamped with (ms since the epoch). */
  now?: () => number;
  warn?: (message: string) => void;
}

export class WebhookSender {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private readonly warn: (message: string) => void;
  /** Deliveries that succeeded, failed after every attempt, or were dropped (for tests and status). */
  readonly counts = { delivered: 0, failed: 0, dropped: 0 };

  constructor(options: WebhookOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.maxInFlight = options.maxInFlight ?? 64;
    this.now = options.now ?? Date.now;
    this.warn = options.warn ?? ((m) => console.warn(`wiresight: ${m}`));
  }

  /** Starts a delivery in the background; returns at once. `what` names it in warnings. */
  send(target: WebhookTarget, request: { url: string; body: string }, what: string): void {
    if (this.inFlight.size >= this.maxInFlight) {
      this.counts.dropped++;
      this.warn(`alert webhook ${request.url} for ${what}: ${this.inFlight.size} deliveries still pending, dropping this one`);
      return;
    }
    const p = this.deliver(target, request, what).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves when every delivery started so far has finished (succeeded or given up). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private headers(target: WebhookTarget, body: string): Record<string, string> {
    const headers: Record<string, string> = { ...target.headers, "content-type": "application/json", "user-agent": "wiresight-alerts" };
    if (target.secret !== null) {
      // Signed per attempt: a retry carries a fresh timestamp, so a receiver can refuse stale ones.
      const timestamp = Math.floor(this.now() / 1000);
      headers[TIMESTAMP_HEADER] = String(timestamp);
      headers[SIGNATURE_HEADER] = signature(target.secret, timestamp, body);
    }
    return headers;
  }

  private async deliver(target: WebhookTarget, { url, body }: { url: string; body: string }, what: string): Promise<void> {
    let last = "";
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await Bun.sleep(this.retryDelayMs * attempt);
      try {
        const res = await fetch(url, { method: "POST", headers: this.headers(target, body), body, signal: AbortSignal.timeout(this.timeoutMs), redirect: "error" });
        // Drain the body so the connection can be reused.
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.counts.delivered++;
          return;
        }
        last = `HTTP ${res.status} ${res.statusText}`.trim();
      } catch (err) {
        const e = err as Error;
        last = e.name === "TimeoutError" ? `no answer within ${this.timeoutMs} ms` : e.message;
      }
    }
    this.counts.failed++;
    this.warn(`alert webhook ${url} for ${what} failed after ${this.retries + 1} attempt(s): ${last}`);
  }
}
