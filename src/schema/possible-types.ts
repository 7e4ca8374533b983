// The possible types of every interface and union, in the shape Apollo Client's InMemoryCache
// takes (`possibleTypes`): without it, Apollo cannot tell which inline fragment applies to an
// object (`... on Interface` on a VethInterface) and drops the fragment's fields. Written to
// docs/possible-types.json by scripts/print-graphql-schema.ts.

import { isAbstractType, type GraphQLSchema } from "graphql";

export function possibleTypes(schema: GraphQLSchema): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const type of Object.values(schema.getTypeMap()).sort((a, b) => a.name.localeCompare(b.name))) {
    if (type.name.startsWith("__") || !isAbstractType(type)) continue;
    out[type.name] = schema.getPossibleTypes(type).map((t) => t.name).sort();
  }
  return out;
}
