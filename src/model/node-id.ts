// The public id of an entity (GraphQL's global object id, accepted as a capture target): its type
// name and identity key, base64url-encoded so it is opaque and URL-safe. The identity keys
// (keys.ts) are the storage contract; this wraps them, so an id stays valid across restarts and
// can be looked up in the past.

export interface NodeId {
  typename: string;
  key: string;
}

export function encodeNodeId(typename: string, key: string): string {
  return Buffer.from(`${typename}:${key}`, "utf8").toString("base64url");
}

/** The type name and key an id holds, or null when it is not one of ours. */
export function decodeNodeId(id: string): NodeId | null {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const text = Buffer.from(id, "base64url").toString("utf8");
  const colon = text.indexOf(":");
  if (colon <= 0) return null;
  const typename = text.slice(0, colon);
  if (!/^[A-Z][A-Za-z]*$/.test(typename)) return null;
  return { typename, key: text.slice(colon + 1) };
}
