// Connection types named after what they hold (`InterfaceConnection`, `InterfaceEdge`), one per
// type, so every field that pages interfaces returns the same type: a client's fragments and
// generated types work for all of them. Each has `totalCount` and (from the relay plugin's
// nodesOnConnection) `nodes`, the page's items without their edges.

import type { OutputType } from "@pothos/core";
import { builder, type SchemaTypes } from "./builder.ts";

/** `${name}Connection` and `${name}Edge` over `type`; `plural` says what a page holds ("interfaces"). */
export function connectionType<T extends OutputType<SchemaTypes>>(type: T, name: string, plural: string) {
  return builder.connectionObject(
    {
      type,
      name: `${name}Connection`,
      description: `A page of ${plural}: \`nodes\` (or \`edges\` with their cursors), \`pageInfo\` to go on, \`totalCount\` over all pages.`,
      fields: (t) => ({
        totalCount: t.int({ description: `How many ${plural} match, over all pages.`, resolve: (c) => (c as unknown as { totalCount: number }).totalCount }),
      }),
    },
    { name: `${name}Edge`, description: `One item of a page of ${plural}, with its cursor.` },
  );
}
