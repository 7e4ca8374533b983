// The one Pothos builder every type file adds to. Global ids are the model's node ids
// (src/model/node-id.ts), so an id handed out here is also a capture target and stays valid
// across restarts; `node`/`nodes` are our own query fields (they take `at:`), not the plugin's.

import SchemaBuilder from "@pothos/core";
import RelayPlugin from "@pothos/plugin-relay";
import { decodeNodeId, encodeNodeId } from "../model/node-id.ts";
import type { SchemaContext } from "./context.ts";
import { badInput } from "./errors.ts";
import type { MomentInput } from "./moment.ts";
import { typenameOf } from "./topology-index.ts";

interface BuilderTypes {
  Context: SchemaContext;
  DefaultFieldNullability: false;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    Moment: { Input: MomentInput; Output: string | number };
    /** Output: an ISO 8601 string, a Date or ms since the epoch; input: ms since the epoch. */
    DateTime: { Input: number; Output: string | number | Date };
  };
}

/** The builder's types, for helpers that make types (connection-types.ts). */
export type SchemaTypes = PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>;

/** Alerts and alert rules (objects of the alert service, not of a topology). */
function serviceTypename(v: object): string | null {
  if ("ruleId" in v && "fingerprint" in v) return "Alert";
  if ("condition" in v && "forMs" in v && "builtIn" in v) return "AlertRule";
  return null;
}

export const builder = new SchemaBuilder<BuilderTypes>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    cursorType: "String",
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    clientMutationId: "omit",
    nodesOnConnection: { description: "The page's items (the edges' nodes, without their cursors)." },
    cursorFieldOptions: { description: "Where this item is in the list's order: pass it as `after` or `before`." },
    nodeFieldOptions: { description: "The item." },
    edgesFieldOptions: { description: "The page's items with their cursors." },
    pageInfoFieldOptions: { description: "Where this page is in the list." },
    pageInfoTypeOptions: { description: "Where a page is in its list (Relay cursor connections)." },
    hasNextPageFieldOptions: { description: "More items follow (ask with `after: endCursor`)." },
    hasPreviousPageFieldOptions: { description: "Items come before (ask with `before: startCursor`)." },
    startCursorFieldOptions: { description: "The first item's cursor; null on an empty page." },
    endCursorFieldOptions: { description: "The last item's cursor; null on an empty page." },
    firstArgOptions: { description: "At most this many items from the start (or after `after`); 0 to 1000, default 100." },
    lastArgOptions: { description: "At most this many items from the end (or before `before`); 0 to 1000." },
    afterArgOptions: { description: "Items after this cursor." },
    beforeArgOptions: { description: "Items before this cursor." },
    encodeGlobalID: (typename, id) => encodeNodeId(typename, String(id)),
    decodeGlobalID: (id) => {
      const d = decodeNodeId(id);
      if (!d) throw badInput(`'${id}' is not a wiresight node id (base64url of "Typename:key")`);
      return { typename: d.typename, id: d.key };
    },
    idFieldOptions: { description: "Global id: base64url of `Typename:identity key`. Stable across restarts; give it to `node(id:)`, now or `at:` a past moment, or to /capture." },
    nodeTypeOptions: {
      description: "An entity with a global id: base64url of `Typename:identity key`. Give it to `node(id:)` (now or `at:` a past revision) or to /capture.",
      // Topology entities are known by the index they came from; alerts and rules by their shape.
      resolveType: (value: unknown) => typenameOf(value as object) ?? serviceTypename(value as object),
    },
  },
});
