// Delivering alert notifications to webhooks: a JSON POST per rule and evaluation, with a time
// limit per attempt and a bounded number of retries. Deliveries run in the background: a slow or
// failing receiver costs a warning, never a delayed evaluation, and at most `maxInFlight` of them
// are pending at once (more are dropped, with a warning) so a dead receiver cannot pile up memory.

import type { Alert, AlertRule } from "./types.ts";

/** What a webhook receives. */
export interface WebhookPayload {
  /** Payload format version. */
  version: 1;
  source: "wiresight";
  rule: { id: string; name: string; severity: AlertRule["severity"] };
  /** The alerts that changed state to firing or resolved, each as it was at that moment, in order. */
  alerts: Alert[];
}

export interface WebhookOptions {
  /** Per attempt (default 5000). */
  timeoutMs?: number;
  /** Attempts after the first (default 2). */
  retries?: number;
  /** Wait before retry n is n × this (default 500). */
  retryDelayMs?: number;
  maxInFlight?: number;
  warn?: (message: string) => void;
}

export class WebhookSender {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxInFlight: number;
  private readonly warn: (message: string) => void;
  /** Deliveries that succeeded, failed after every attempt, or were dropped (for tests and status). */
  readonly counts = { delivered: 0, failed: 0, dropped: 0 };

  constructor(options: WebhookOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.maxInFlight = options.maxInFlight ?? 64;
    this.warn = options.warn ?? ((m) => console.warn(`wiresight: ${m}`));
  }

  /** Starts a delivery in the background; returns at once. */
  send(url: string, payload: WebhookPayload): void {
    if (this.inFlight.size >= this.maxInFlight) {
      this.counts.dropped++;
      this.warn(`alert webhook ${url} for rule '${payload.rule.name}': ${this.inFlight.size} deliveries still pending, dropping this one (${payload.alerts.length} alert(s))`);
      return;
    }
    const p = this.deliver(url, JSON.stringify(payload), payload.rule.name).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Resolves when every delivery started so far has finished (succeeded or given up). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(url: string, body: string, ruleName: string): Promise<void> {
    let last = "";
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await Bun.sleep(this.retryDelayMs * attempt);
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": "wiresight-alerts" },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
          redirect: "error",
        });
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
    this.warn(`alert webhook ${url} for rule '${ruleName}' failed after ${this.retries + 1} attempt(s): ${last}`);
  }
}
