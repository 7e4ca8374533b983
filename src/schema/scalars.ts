// The schema's own scalars: DateTime (every timestamp), JSON (recorded versions, labels, field
// values). `Moment` (a revision or a time, for `at:`) lives in moment.ts with the history reads.

import { GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { badInput } from "./errors.ts";

// RFC 3339 / ISO 8601 date-time with a zone (Z or ±hh:mm): what `new Date()` reads exactly.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;

/** A time given by a client, as ms since the epoch; a clear error for anything that is not a date-time with a zone. */
export function parseDateTime(value: unknown): number {
  if (typeof value === "string" && DATE_TIME.test(value.trim())) {
    const ms = Date.parse(value.trim());
    if (!Number.isNaN(ms)) return ms;
  }
  throw badInput(`${JSON.stringify(value)} is not a date-time with a zone (ISO 8601 / RFC 3339, e.g. 2026-11-22T10:00:00Z)`);
}

function serializeDateTime(value: unknown): string {
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new TypeError(`not a time: ${String(value)}`);
  return new Date(ms).toISOString();
}

export const DateTimeScalar = new GraphQLScalarType<number, string>({
  name: "DateTime",
  description: "A point in time as an ISO 8601 / RFC 3339 string. Always UTC with milliseconds in answers (`2026-11-22T10:00:00.000Z`); any zone in arguments.",
  specifiedByURL: "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
  serialize: serializeDateTime,
  parseValue: parseDateTime,
  parseLiteral: (node: ValueNode) => {
    if (node.kind !== Kind.STRING) throw badInput("a DateTime is a string such as 2026-11-22T10:00:00Z");
    return parseDateTime(node.value);
  },
});

export const JsonScalar = new GraphQLScalarType({
  name: "JSON",
  description: "Any JSON value: a recorded version of an entity as `wiresight dump` shows it, a changed field's value, container labels.",
  specifiedByURL: "https://www.rfc-editor.org/rfc/rfc8259",
  serialize: (v) => v,
  parseValue: (v) => v,
});
