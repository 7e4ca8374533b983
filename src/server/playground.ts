// The GraphiQL page at /graphql: rendered once per server from the offline assets of
// @graphql-yoga/render-graphiql (about 9 MB, all inline), opening with example tabs taken from
// docs/graphql.md (embedded in the binary, so the playground and the docs show the same
// operations), compressed as the browser accepts and cacheable: a strong ETag, and `no-cache` so
// the browser keeps the page and revalidates it with If-None-Match (a 304 with no body) instead
// of loading it again.
//
// Compression: gzip takes about 0.3 s for the page, brotli about 2 s (9.1 MB → 2.5 / 1.9 MB). The
// first request for the page gets gzip and starts brotli in zlib's thread pool; later ones get
// br once it is ready. Both are made once per process (servers in one process share them).

import { createHash } from "node:crypto";
import { brotliCompress, constants, gzipSync } from "node:zlib";
import { parse, type OperationDefinitionNode } from "graphql";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import docs from "../../docs/graphql.md" with { type: "text" };

/** The operations of docs/graphql.md that the playground opens with, in tab order. */
export const PLAYGROUND_TABS = ["Topology", "WhoListens", "ChangesLastHour", "WhereIs", "LiveChanges"] as const;

export interface DocsOperation {
  name: string;
  kind: OperationDefinitionNode["operation"];
  /** The code block that holds it (a tab's text). */
  source: string;
}

/** Every named operation of the GraphQL code blocks of a Markdown text; an anonymous one is an error. */
export function docsOperations(markdown: string = docs): DocsOperation[] {
  const out: DocsOperation[] = [];
  for (const [, block] of markdown.matchAll(/^```graphql\n([\s\S]*?)^```$/gm)) {
    for (const def of parse(block!).definitions) {
      if (def.kind !== "OperationDefinition") continue;
      if (!def.name) throw new Error(`docs/graphql.md: an example has an anonymous ${def.operation}: name every example\n${block}`);
      out.push({ name: def.name.value, kind: def.operation, source: block!.trimEnd() });
    }
  }
  return out;
}

/** GraphiQL's tabs: the docs' operations named in PLAYGROUND_TABS, as the docs write them. */
export function playgroundTabs(markdown: string = docs): { query: string }[] {
  const ops = docsOperations(markdown);
  return PLAYGROUND_TABS.map((name) => {
    const op = ops.find((o) => o.name === name);
    if (!op) throw new Error(`docs/graphql.md has no operation ${name} for the playground`);
    return { query: `${op.source}\n` };
  });
}

type Encoding = "br" | "gzip" | "identity";

/** Which of br and gzip an Accept-Encoding header allows (q > 0, or a `*` that does). */
export function acceptedEncodings(acceptEncoding: string | null): { br: boolean; gzip: boolean } {
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

/** The encoded bodies of each page made in this process, by ETag. */
const encoded = new Map<string, { gzip?: Uint8Array; br?: Uint8Array; brStarted?: Promise<void> }>();

export class Playground {
  readonly html: Uint8Array;
  readonly etag: string;

  constructor(options: { endpoint: string; title: string }) {
    const page = renderGraphiQL({ endpoint: options.endpoint, title: options.title, subscriptionsProtocol: "SSE", defaultTabs: playgroundTabs() });
    this.html = new TextEncoder().encode(page);
    this.etag = `"${createHash("sha256").update(this.html).digest("base64url").slice(0, 27)}"`;
  }

  /** Resolves when the brotli body is ready (starting it if nobody has). */
  brotliReady(): Promise<void> {
    let e = encoded.get(this.etag);
    if (!e) encoded.set(this.etag, (e = {}));
    const entry = e;
    // Quality 5: within 15 % of quality 11's size in a twentieth of its time.
    entry.brStarted ??= new Promise<void>((resolve) =>
      brotliCompress(this.html, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: this.html.length } }, (err, out) => {
        if (!err) entry.br = out;
        resolve();
      }),
    );
    return entry.brStarted;
  }

  /** The body in an encoding the client takes: br when ready, else gzip (made now if need be), else the page. */
  private body(accepted: { br: boolean; gzip: boolean }): { encoding: Encoding; body: Uint8Array } {
    let e = encoded.get(this.etag);
    if (!e) encoded.set(this.etag, (e = {}));
    if (accepted.br) {
      void this.brotliReady();
      if (e.br) return { encoding: "br", body: e.br };
    }
    if (!accepted.gzip) return { encoding: "identity", body: this.html };
    e.gzip ??= gzipSync(this.html, { level: 6 });
    return { encoding: "gzip", body: e.gzip };
  }

  /** The page for a GET or HEAD: 304 when the browser's copy is current, else the best encoding it takes. */
  respond(req: Request): Response {
    const headers: Record<string, string> = {
      "Content-Type": "text/html; charset=utf-8",
      ETag: this.etag,
      "Cache-Control": "no-cache",
      Vary: "Accept-Encoding",
    };
    const match = req.headers.get("if-none-match");
    if (match && match.split(",").some((t) => t.trim().replace(/^W\//, "") === this.etag)) return new Response(null, { status: 304, headers });
    const { encoding, body } = this.body(acceptedEncodings(req.headers.get("accept-encoding")));
    if (encoding !== "identity") headers["Content-Encoding"] = encoding;
    headers["Content-Length"] = String(body.length);
    return new Response(req.method === "HEAD" ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
  }
}
