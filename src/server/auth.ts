// Bearer-token checks. The comparison is in constant time over SHA-256 digests, so neither the
// token's content nor its length leaks through response timing.

import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

export class TokenCheck {
  readonly #expected: Buffer;

  constructor(token: string) {
    if (token === "") throw new Error("the token is empty: give a non-empty --token or none");
    if (/\s/.test(token)) throw new Error("the token must not contain white space (it travels in an Authorization header)");
    this.#expected = digest(token);
  }

  /** True when `authorization` is exactly "Bearer <token>" (scheme case-insensitive, as RFC 7235 says). */
  matches(authorization: string | null | undefined): boolean {
    if (typeof authorization !== "string") return false;
    const m = /^bearer +(\S+) *$/i.exec(authorization);
    // Compare something even on a malformed header, so it costs the same as a wrong token.
    return timingSafeEqual(digest(m ? m[1]! : ""), this.#expected) && m !== null;
  }
}

/** 401 with the challenge RFC 6750 asks for. */
export function unauthorized(message = "missing or wrong bearer token"): Response {
  return Response.json(
    { errors: [{ message: `unauthorized: ${message}` }] },
    { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="wiresight"' } },
  );
}
