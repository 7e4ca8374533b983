// discoverNow runs one full pass per request. GraphQL runs a request's mutations one after the
// other, so `{ a: discoverNow b: discoverNow … }` with 30 aliases asked for 30 full passes (and
// recorded up to 30 revisions) from one request; now the aliases share the first one's answer.
// Requests at the same time already share a pass: the watcher runs one for all its waiters.

import type { RevisionBatch } from "../watch/live.ts";
import type { SchemaContext } from "./context.ts";

// Keyed by the request's context object: one per request (and per graphql-ws operation).
const passes = new WeakMap<object, Promise<RevisionBatch | null>>();

export function discoverOncePerRequest(ctx: SchemaContext): Promise<RevisionBatch | null> {
  let pass = passes.get(ctx);
  if (!pass) passes.set(ctx, (pass = ctx.live.discoverNow()));
  return pass;
}
