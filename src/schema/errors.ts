// Errors a client caused (a bad id, time, address, revision, rule) as GraphQLErrors, so that the
// server shows their message as is (yoga masks every other error as "Unexpected error").

import { GraphQLError } from "graphql";
import { IpParseError } from "../model/ip.ts";
import { WhereIsError } from "../model/where-is.ts";
import { StoreError } from "../store/index.ts";

export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

/** Runs `fn`, turning the errors our layers throw for bad input into client errors. */
export function asClientErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    // A failing database is not the client's fault: it keeps its code (src/server/error-mask.ts).
    if (err instanceof StoreError && err.failure !== undefined) throw err;
    if (err instanceof StoreError || err instanceof IpParseError || err instanceof WhereIsError) throw badInput(err.message);
    throw err;
  }
}
