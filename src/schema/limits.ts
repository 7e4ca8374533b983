// Limits on what one operation may ask for, as envelop plugins (graphql-yoga takes them in its
// `plugins`). Generous enough for real queries — a full topology with interfaces, addresses,
// relations and sockets is about depth 6 to 8 — and for GraphiQL's introspection query (depth about
// 13 through ofType, which the depth and cost rules skip anyway), tight enough that a depth bomb
// (peer { peer { peer … } }), an alias flood or a megabyte of tokens is refused before it runs.

import { costLimitPlugin, costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin, maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin, maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import type { GraphQLError, ValidationContext } from "graphql";

export const LIMITS = {
  /** Nesting of selections (fragments flattened). */
  depth: 14,
  /**
   * graphql-armor's cost of the document's shape (objects 2, scalars 1, growing with depth; not
   * multiplied by list lengths): a full-topology query with relations costs about 240.
   */
  cost: 3_000,
  aliases: 30,
  /** Lexer tokens in the document (GraphiQL's introspection query is about 400). */
  tokens: 5_000,
};

// Report a rejection as a validation error (graphql's validate() returns it with the others)
// instead of throwing out of validation; say the limit, so a client knows what to change.
const common = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

export function schemaLimits(limits = LIMITS): ReturnType<typeof maxDepthPlugin>[] {
  return [
    // Counted by the parser, where there is no validation context: this one throws.
    maxTokensPlugin({ n: limits.tokens, exposeLimits: true }),
    maxDepthPlugin({ n: limits.depth, flattenFragments: true, ignoreIntrospection: true, ...common }),
    costLimitPlugin({ maxCost: limits.cost, ignoreIntrospection: true, ...common }),
    maxAliasesPlugin({ n: limits.aliases, ...common }),
  ];
}

/** The same limits as validation rules (for graphql's own validate(); tokens are counted by the parser, so not here). */
export function schemaLimitRules(limits = LIMITS) {
  return [
    maxDepthRule({ n: limits.depth, flattenFragments: true, ignoreIntrospection: true, ...common }),
    costLimitRule({ maxCost: limits.cost, ignoreIntrospection: true, ...common }),
    maxAliasesRule({ n: limits.aliases, ...common }),
  ];
}
