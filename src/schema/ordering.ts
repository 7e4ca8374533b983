// `orderBy` arguments the way GitHub's API writes them: an input `{ field, direction }` with an
// enum of the fields a list can be sorted by. Every order ends in the item's identity (its key),
// so items with equal sort values keep one stable order and cursors stay unique.

import { builder } from "./builder.ts";
import type { Ordering, SortValue } from "./connection.ts";
import { OrderDirectionEnum } from "./enums.ts";

export interface OrderField<T> {
  description: string;
  values: (item: T) => SortValue[];
}

/**
 * `${name}Order` (input) and `${name}OrderField` (enum) for the given fields; the first field is
 * the default. Returns the input ref and a function from the argument to an Ordering.
 */
export function orderBy<T>(name: string, what: string, fields: Record<string, OrderField<T>>, defaultDirection: "asc" | "desc" = "asc") {
  const names = Object.keys(fields);
  const fieldEnum = builder.enumType(`${name}OrderField`, {
    description: `What ${what} can be sorted by.`,
    values: Object.fromEntries(names.map((n) => [n, { value: n, description: fields[n]!.description }])),
  });
  const input = builder.inputType(`${name}Order`, {
    description: `How to sort ${what} (default: ${names[0]}, ${defaultDirection === "asc" ? "ASC" : "DESC"}).`,
    fields: (t) => ({
      field: t.field({ type: fieldEnum, required: true, description: "The value to sort by; ties are broken by identity." }),
      direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: defaultDirection, description: "Which way." }),
    }),
  });
  const ordering = (arg: { field: string; direction: "asc" | "desc" } | null | undefined): Ordering<T> => {
    const field = arg?.field ?? names[0]!;
    return { name: field, values: fields[field]!.values, descending: (arg?.direction ?? defaultDirection) === "desc" };
  };
  return { input, ordering };
}
