// Static files the server makes or embeds (the GraphiQL playground, the map), served as a browser
// wants them: compressed as it accepts, with an ETag per representation (a current copy gets 304)
// and the part's own Cache-Control. The first request for a part gets gzip and starts brotli in
// zlib's thread pool; later ones get br once it is ready. Encodings are made once per process.

import { createHash } from "node:crypto";
import { brotliCompress, constants, gzipSync } from "node:zlib";

type Encoding = "br" | "gzip" | "identity";

/** Which of br and gzip an Accept-Encoding header allows (q > 0, or a `*` that does). */
function acceptedEncodings(acceptEncoding: string | null): { br: boolean; gzip: boolean } {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name, q ? Number(q[1]) : 1);
  }
  const ok = (e: string) => (accepted.get(e) ?? (accepted.has("*") ? accepted.get("*")! : 0)) > 0;
  return { br: ok("br"), gzip: ok("gzip") };
}

/** The best encoding a client takes: br, then gzip, else none. */
export function chooseEncoding(acceptEncoding: string | null): Encoding {
  const a = acceptedEncodings(acceptEncoding);
  return a.br ? "br" : a.gzip ? "gzip" : "identity";
}

/** One static file: its bytes and how it is cached. */
export class Part {
  readonly etag: string;

  constructor(
    readonly bytes: Uint8Array,
    readonly contentType: string,
    readonly cacheControl: string,
  ) {
    this.etag = createHash("sha256").update(bytes).digest("base64url").slice(0, 27);
  }
}

/** Each part's encoded bodies, by the part's hash: made once per process, shared by servers. */
const encoded = new Map<string, { gzip?: Uint8Array; br?: Uint8Array; brotli?: Promise<void> }>();

function encodings(part: Part) {
  let e = encoded.get(part.etag);
  if (!e) encoded.set(part.etag, (e = {}));
  return e;
}

/** Starts brotli for a part (once); resolves when it is ready. */
export function brotliOf(part: Part): Promise<void> {
  const e = encodings(part);
  // Quality 5: within 15 % of quality 11's size in a twentieth of its time.
  e.brotli ??= new Promise<void>((resolve) =>
    brotliCompress(part.bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: part.bytes.length } }, (err, out) => {
      if (!err) e.br = out;
      resolve();
    }),
  );
  return e.brotli;
}

/** The body in an encoding the client takes: br when ready, else gzip (made now if need be), else as is. */
function encode(part: Part, accepted: { br: boolean; gzip: boolean }): { encoding: Encoding; body: Uint8Array } {
  const e = encodings(part);
  if (accepted.br) {
    void brotliOf(part);
    if (e.br) return { encoding: "br", body: e.br };
  }
  if (!accepted.gzip) return { encoding: "identity", body: part.bytes };
  e.gzip ??= gzipSync(part.bytes, { level: 6 });
  return { encoding: "gzip", body: e.gzip };
}

/** A GET or HEAD of a part: 304 when the browser's copy is current, else the best encoding it takes. */
export function respond(part: Part, req: Request): Response {
  const accepted = acceptedEncodings(req.headers.get("accept-encoding"));
  const { encoding, body } = encode(part, accepted);
  // One ETag per representation (RFC 9110, 8.8.3); any of this part's is current.
  const tag = (enc: Encoding) => `"${part.etag}${enc === "identity" ? "" : `-${enc}`}"`;
  const headers: Record<string, string> = { "Content-Type": part.contentType, ETag: tag(encoding), "Cache-Control": part.cacheControl, Vary: "Accept-Encoding" };
  const current = new Set((["identity", "gzip", "br"] as const).map(tag));
  const given = (req.headers.get("if-none-match") ?? "").split(",").map((t) => t.trim().replace(/^W\//, ""));
  const match = given.find((t) => current.has(t));
  if (match) return new Response(null, { status: 304, headers: { ...headers, ETag: match } });
  if (encoding !== "identity") headers["Content-Encoding"] = encoding;
  headers["Content-Length"] = String(body.length);
  return new Response(req.method === "HEAD" ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
}
