// The server's bearer token, when it has one: asked of the user once, kept in sessionStorage (for
// this tab only, gone when it closes), sent as `Authorization` on queries and in graphql-ws's
// connectionParams (a browser cannot set headers on a websocket).

const KEY = "wiresight.token";

export function savedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: ask again when needed
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token === null || token === "") sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {}
}

/** The Authorization header value for the saved token, if any. */
export function authorization(): string | null {
  const t = savedToken();
  return t ? `Bearer ${t}` : null;
}
