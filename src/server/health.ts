// GET /healthz: is discovery working? 200 while it is, 503 while it fails, has not succeeded yet,
// or has not succeeded for longer than the full-pass period allows (stalled).
//
// Without a token the body is only the verdict (liveness probes carry no token, and error
// messages can name namespaces and paths); with the token it is the whole WatchStatus.

import type { WatchStatus } from "../watch/live.ts";

export type HealthState = "ok" | "starting" | "failing" | "stalled";

export interface HealthVerdict {
  status: HealthState;
  /** Why it is not ok, in words. */
  reason?: string;
}

/** Stalled after two missed full passes plus a grace period (a pass on a large host takes seconds). */
export function stalledAfterMs(status: WatchStatus): number {
  return 2 * status.fullPassEveryMs + 30_000;
}

export function healthOf(status: WatchStatus, now = Date.now(), stalledAfter = stalledAfterMs(status)): HealthVerdict {
  if (status.consecutiveFailures > 0 || status.lastError) {
    return { status: "failing", reason: `${status.consecutiveFailures} failed discoveries in a row${status.lastError ? `: ${status.lastError.message}` : ""}` };
  }
  if (status.lastSuccessAt === null) return { status: "starting", reason: "no discovery has completed yet" };
  const age = now - Date.parse(status.lastSuccessAt);
  if (age > stalledAfter) return { status: "stalled", reason: `no successful discovery for ${Math.round(age / 1000)} s` };
  return { status: "ok" };
}

export function healthResponse(status: WatchStatus, detailed: boolean, stalledAfter?: number): Response {
  const verdict = healthOf(status, Date.now(), stalledAfter);
  const body = detailed ? { ...verdict, watch: status } : { status: verdict.status };
  return Response.json(body, { status: verdict.status === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
