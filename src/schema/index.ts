// The GraphQL schema: `buildSchema()` for the executable schema (context: SchemaContext) and
// `schemaLimits()` for the envelop plugins that bound what one operation may ask for.
//
//   createYoga({ schema: buildSchema(), context: () => ctx, plugins: [...schemaLimits()] })

import type { GraphQLSchema } from "graphql";
import { builder } from "./builder.ts";
import { MomentScalar } from "./moment.ts";
import { DateTimeScalar, JsonScalar } from "./scalars.ts";
import "./types/network.ts";
import "./types/hosts.ts";
import "./types/query-lists.ts";
import "./types/where-is.ts";
import "./types/history.ts";
import "./types/alerts.ts";
import "./types/capture.ts";
import "./types/pods.ts";
import "./types/services.ts";
import "./types/root.ts";

export type { SchemaContext } from "./context.ts";
export { costError, schemaLimits, schemaLimitRules, LIMITS, COST_LIMIT_CODE } from "./limits.ts";
export { operationCost } from "./cost.ts";
export { possibleTypes } from "./possible-types.ts";

builder.addScalarType("Moment", MomentScalar);
builder.addScalarType("JSON", JsonScalar);
builder.addScalarType("DateTime", DateTimeScalar);

let schema: GraphQLSchema | null = null;

/** The executable schema (built once; Pothos builders cannot build twice). */
export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: false });
  return schema;
}
