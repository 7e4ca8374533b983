// What a GraphQL client sees when a resolver fails. Its own mistakes are GraphQLErrors with
// BAD_USER_INPUT already (src/schema/errors.ts); an unexpected failure stays masked as
// "Unexpected error." (its stack goes to the log, not to the client). In between are failures
// that are nobody's bug and that the client must be told plainly, with a code it can act on:
//   - the database failed (disk full, locked by another writer, read-only, corrupt): the
//     StoreError's failure, e.g. DISK_FULL, with the store's message (which file, what to do);
//   - the alert service refused a value (AlertRuleError: "limit: must be an integer from 1 to
//     1000, got 2147483647"): BAD_USER_INPUT.
// The cause chain is followed, so a failure the watcher wrapped ("full pass failed: …") keeps
// its code.

import { GraphQLError } from "graphql";
import { maskError as yogaMaskError } from "graphql-yoga";
import { AlertRuleError } from "../alerts/index.ts";
import { StoreError } from "../store/index.ts";

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e instanceof Error && chain.length < 8; e = e instanceof GraphQLError ? e.originalError : e.cause) chain.push(e);
  return chain;
}

/** yoga's `maskedErrors.maskError`: known failures with their message and a code, the rest masked. */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const chain = causes(error);
  const located = error instanceof GraphQLError ? error : undefined;
  const clientError = (text: string, code: string) =>
    new GraphQLError(text, { nodes: located?.nodes, source: located?.source, positions: located?.positions, path: located?.path, extensions: { code } });
  const failure = chain.find((e): e is StoreError => e instanceof StoreError && e.failure !== undefined);
  if (failure) {
    // The outermost message says what was being done ("full pass failed: …"), the store's what went wrong.
    const outer = chain.find((e) => !(e instanceof GraphQLError)) as Error | undefined;
    return clientError(outer && outer !== failure && outer.message.includes(failure.message) ? outer.message : failure.message, failure.failure!);
  }
  const refused = chain.find((e): e is AlertRuleError => e instanceof AlertRuleError);
  if (refused) return clientError(refused.message, "BAD_USER_INPUT");
  return yogaMaskError(error, message, isDev);
}
