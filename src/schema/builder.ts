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

export const builder = new SchemaBuilder<{
  Context: SchemaContext;
  DefaultFieldNullability: false;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    Moment: { Input: MomentInput; Output: string | number };
    /** Output: an ISO 8601 string, a Date or ms since the epoch; input: ms since the epoch. */
    DateTime: { Input: number; Output: string | number | Date };
  };
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    cursorType: "String",
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    clientMutationId: "omit",
    encodeGlobalID: (typename, id) => encodeNodeId(typename, String(id)),
    decodeGlobalID: (id) => {
      const d = decodeNodeId(id);
      if (!d) throw badInput(`'${id}' is not a wiresight node id (base64url of "Typename:key")`);
      return { typename: d.typename, id: d.key };
    },
    nodeTypeOptions: {
      description: "An entity with a global id: base64url of `Typename:identity key`. Give it to `node(id:)` (now or `at:` a past revision) or to /capture.",
      resolveType: (value: unknown) => typenameOf(value as object) ?? null,
    },
  },
});
