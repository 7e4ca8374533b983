// Limits on what one operation may ask for, as envelop plugins (graphql-yoga takes them in its
// `plugins`; graphql-ws runs them through yoga's envelop). Generous enough for real queries — a
// full topology with interfaces, addresses, relations and sockets is about depth 6 to 8, a page
// of 1000 interfaces with a few relations costs about 14 000 — and for GraphiQL's and codegen's
// introspection query; tight enough that a depth bomb (peer { peer { peer … } }), an alias
// flood, a megabyte of tokens or an introspection that multiplies itself is refused before it
// runs, with an error naming the limit.

import { maxAliasesPlugin, maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin, maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import { GraphQLError, type DocumentNode, type ExecutionResult, type GraphQLSchema, type ValidationContext } from "graphql";
import type { Plugin } from "graphql-yoga";
import { operationCost } from "./cost.ts";

export const LIMITS = {
  /** Nesting of selections (fragments flattened; introspection's ofType chains not counted). */
  depth: 14,
  /**
   * Objects the answer may hold, counted before it runs (src/schema/cost.ts): a connection's
   * items once per item of the page asked for, other lists as 10 items. Introspection counts.
   */
  cost: 50_000,
  aliases: 30,
  /** Lexer tokens in the document (GraphiQL's introspection query is about 400). */
  tokens: 5_000,
};

export const COST_LIMIT_CODE = "COST_LIMIT_EXCEEDED";

// Report a rejection as a validation error (graphql's validate() returns it with the others)
// instead of throwing out of validation; say the limit, so a client knows what to change.
const common = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

/** The error for an operation over the cost limit (null when within it). */
export function costError(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined, limit = LIMITS.cost): GraphQLError | null {
  const cost = operationCost({ schema, document, operationName, variables });
  if (cost <= limit) return null;
  return new GraphQLError(
    `Operation cost ${cost} exceeds the limit of ${limit}: a connection counts its selection once per item of the page (first/last, default 100), other lists 10 times. Ask for smaller pages or fewer nested lists.`,
    { extensions: { code: COST_LIMIT_CODE, cost, limit } },
  );
}

/**
 * The cost limit: checked when the operation is about to run, where its variables are known
 * (a validation rule sees only the document, so `first: $n` would escape it).
 */
export function costLimitPlugin(limit = LIMITS.cost): Plugin {
  const check = (args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null }) =>
    costError(args.schema, args.document, args.operationName, args.variableValues, limit);
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] } as ExecutionResult);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] } as ExecutionResult);
    },
  };
}

export function schemaLimits(limits = LIMITS): Plugin[] {
  return [
    // Counted by the parser, where there is no validation context: this one throws.
    maxTokensPlugin({ n: limits.tokens, exposeLimits: true }) as Plugin,
    maxDepthPlugin({ n: limits.depth, flattenFragments: true, ignoreIntrospection: true, ...common }) as Plugin,
    maxAliasesPlugin({ n: limits.aliases, ...common }) as Plugin,
    costLimitPlugin(limits.cost),
  ];
}

/** The document-only limits as validation rules (for graphql's own validate(); tokens are counted by the parser, cost needs the variables: costError). */
export function schemaLimitRules(limits = LIMITS) {
  return [maxDepthRule({ n: limits.depth, flattenFragments: true, ignoreIntrospection: true, ...common }), maxAliasesRule({ n: limits.aliases, ...common })];
}
