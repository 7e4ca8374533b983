// The GraphiQL playground at /graphql, from the offline assets of @graphql-yoga/render-graphiql,
// opening with example tabs taken from docs/graphql.md (embedded in the binary, so the
// playground and the docs show the same operations).
//
// Yoga renders one 9 MB page with everything inline. Served as is, it cannot stay cached: every
// query GraphiQL sends is a POST to /graphql, and a POST invalidates the browser's cached GET of
// the same URL (RFC 9111, 4.4). So the page is split: /graphql is a small HTML page (cacheable
// with its ETag, revalidated), and the stylesheet and script live at /graphql/assets/ under
// names that hold their content hash, cached for a year as immutable. Every part is sent
// compressed as the browser accepts (static-part.ts): gzip takes about 0.3 s for the script,
// brotli about 2 s (8.5 MB → 2.4 / 1.8 MB).

import { parse, type OperationDefinitionNode } from "graphql";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import docs from "../../docs/graphql.md" with { type: "text" };
import { brotliOf, Part, respond } from "./static-part.ts";

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

export const ASSETS_PATH = "/graphql/assets/";

/** Cuts yoga's one-page GraphiQL into a page, a stylesheet and a script (the script ends where the page renders GraphiQL with its options). */
function split(html: string, assetsPath: string): { page: (css: string, js: string) => string; css: string; js: string } {
  const styleStart = html.indexOf("<style>");
  const styleEnd = html.indexOf("</style>", styleStart);
  const scriptStart = html.indexOf("<script>", styleEnd);
  const render = html.indexOf("YogaGraphiQL.renderYogaGraphiQL(", scriptStart);
  if (styleStart < 0 || styleEnd < 0 || scriptStart < 0 || render < 0) throw new Error("internal: the GraphiQL page no longer has the shape the playground splits");
  return {
    css: html.slice(styleStart + "<style>".length, styleEnd),
    js: html.slice(scriptStart + "<script>".length, render),
    page: (css, js) =>
      `${html.slice(0, styleStart)}<link rel="stylesheet" href="${assetsPath}${css}">${html.slice(styleEnd + "</style>".length, scriptStart)}` +
      `<script src="${assetsPath}${js}"></script>\n      <script>${html.slice(render)}`,
  };
}

export class Playground {
  readonly page: Part;
  /** Asset name (`graphiql-<hash>.js`) → part. */
  readonly assets = new Map<string, Part>();

  constructor(options: { endpoint: string; title: string }) {
    const whole = renderGraphiQL({ endpoint: options.endpoint, title: options.title, subscriptionsProtocol: "SSE", defaultTabs: playgroundTabs() });
    const parts = split(whole, ASSETS_PATH);
    const immutable = "public, max-age=31536000, immutable";
    const css = new Part(new TextEncoder().encode(parts.css), "text/css; charset=utf-8", immutable);
    const js = new Part(new TextEncoder().encode(parts.js), "text/javascript; charset=utf-8", immutable);
    const cssName = `graphiql-${css.etag}.css`;
    const jsName = `graphiql-${js.etag}.js`;
    this.assets.set(cssName, css);
    this.assets.set(jsName, js);
    // The favicon (150 kB of base64 in the page) becomes a file too.
    let page = parts.page(cssName, jsName);
    const icon = /<link rel="icon" href="data:([^;,"]+);base64,([^"]*)"/.exec(page);
    if (icon) {
      const favicon = new Part(Buffer.from(icon[2]!, "base64"), icon[1]!, immutable);
      const name = `favicon-${favicon.etag}.ico`;
      this.assets.set(name, favicon);
      page = page.replace(icon[0], `<link rel="icon" href="${ASSETS_PATH}${name}"`);
    }
    this.page = new Part(new TextEncoder().encode(page), "text/html; charset=utf-8", "no-cache");
  }

  /** The page itself (for a browser navigating to /graphql). */
  respondPage(req: Request): Response {
    return respond(this.page, req);
  }

  /** A file under /graphql/assets/; null when there is no such file. */
  respondAsset(req: Request, path: string): Response | null {
    const part = this.assets.get(path.slice(ASSETS_PATH.length));
    return part ? respond(part, req) : null;
  }

  /** Resolves when the brotli bodies of every part are ready (starting them if nobody has). */
  brotliReady(): Promise<void> {
    return Promise.all([this.page, ...this.assets.values()].map(brotliOf)).then(() => undefined);
  }
}
