// The GraphiQL playground (issue 20): a small page and immutable assets, compressed as the
// browser accepts (br, gzip, or not at all), cacheable (ETags; If-None-Match gives a 304 with no
// body), opening with the docs' example tabs — every example of docs/graphql.md a named operation.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { ASSETS_PATH, docsOperations, Playground, PLAYGROUND_TABS, playgroundTabs } from "../../src/server/playground.ts";
import { chooseEncoding } from "../../src/server/static-part.ts";

const playground = new Playground({ endpoint: "/graphql", title: "wiresight" });
const page = (headers: Record<string, string>, method = "GET") => playground.respondPage(new Request("http://127.0.0.1/graphql", { method, headers: { accept: "text/html", ...headers } }));
const [jsName, js] = [...playground.assets].find(([name]) => name.endsWith(".js"))!;
const [cssName] = [...playground.assets].find(([name]) => name.endsWith(".css"))!;
const asset = (name: string, headers: Record<string, string> = {}) => playground.respondAsset(new Request(`http://127.0.0.1${ASSETS_PATH}${name}`, { headers }), `${ASSETS_PATH}${name}`);
const html = new TextDecoder().decode(playground.page.bytes);

describe("the playground", () => {
  test("a small page; the stylesheet and the script at /graphql/assets/ under names that hold their hash, immutable", async () => {
    expect(html).toContain(`<link rel="stylesheet" href="${ASSETS_PATH}${cssName}">`);
    expect(html).toContain(`<script src="${ASSETS_PATH}${jsName}"></script>`);
    expect(playground.page.bytes.length).toBeLessThan(50_000);
    expect(js.bytes.length).toBeGreaterThan(5_000_000);
    expect(jsName).toBe(`graphiql-${js.etag}.js`);
    const r = asset(jsName)!;
    expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(r.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset("graphiql-nope.js")).toBeNull();
    // The page has the same options yoga's one-page GraphiQL would have, and every asset inline in it is now a file here.
    expect(new TextDecoder().decode(js.bytes)).toContain("renderYogaGraphiQL");
  });

  test("compressed as the browser accepts: br once it is made (gzip meanwhile), else gzip, else as is; the same bytes each way", async () => {
    const other = new Playground({ endpoint: "/graphql", title: "another page" });
    const otherJs = [...other.assets].find(([n]) => n.endsWith(".js"))!;
    const get = (headers: Record<string, string>) => other.respondAsset(new Request("http://127.0.0.1/", { headers }), `${ASSETS_PATH}${otherJs[0]}`)!;
    // The first request starts brotli and gets gzip; a client taking only br gets it as is meanwhile.
    expect(get({ "accept-encoding": "gzip, br" }).headers.get("content-encoding")).toBe("gzip");
    expect(get({ "accept-encoding": "br" }).headers.get("content-encoding")).toBeNull();
    await other.brotliReady();
    const br = get({ "accept-encoding": "gzip, deflate, br, zstd" });
    expect(br.headers.get("content-encoding")).toBe("br");
    const brBody = new Uint8Array(await br.arrayBuffer());
    expect(Number(br.headers.get("content-length"))).toBe(brBody.length);
    expect(Buffer.from(brotliDecompressSync(brBody)).equals(Buffer.from(otherJs[1].bytes))).toBe(true);
    const gz = get({ "accept-encoding": "gzip" });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(Buffer.from(gunzipSync(new Uint8Array(await gz.arrayBuffer()))).equals(Buffer.from(otherJs[1].bytes))).toBe(true);
    const plain = get({});
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect((await plain.arrayBuffer()).byteLength).toBe(otherJs[1].bytes.length);
    for (const r of [br, gz, plain]) expect(r.headers.get("vary")).toBe("Accept-Encoding");
    // One ETag per representation.
    expect(new Set([br, gz, plain].map((r) => r.headers.get("etag"))).size).toBe(3);
    expect(brBody.length).toBeLessThan(otherJs[1].bytes.length / 3);
    const page = other.respondPage(new Request("http://127.0.0.1/graphql", { headers: { "accept-encoding": "gzip" } }));
    expect(page.headers.get("content-encoding")).toBe("gzip");
    console.log(`playground script: ${otherJs[1].bytes.length} bytes, br ${brBody.length}; page ${other.page.bytes.length}`);
  });

  test("cacheable: If-None-Match with any current ETag gives a 304 with no body; HEAD has no body", async () => {
    const first = page({ "accept-encoding": "gzip" });
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}-gzip"$/);
    expect(first.headers.get("cache-control")).toBe("no-cache");
    const again = page({ "accept-encoding": "gzip", "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
    // Stored as gzip, asked with br now possible: still current.
    expect(page({ "accept-encoding": "br", "if-none-match": `"something-else", W/${etag}` }).status).toBe(304);
    expect(page({ "if-none-match": '"stale"' }).status).toBe(200);
    const head = page({ "accept-encoding": "gzip" }, "HEAD");
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect(asset(jsName, { "if-none-match": asset(jsName)!.headers.get("etag")! })!.status).toBe(304);
    // Another server renders the same bytes: the same names and tags.
    expect(new Playground({ endpoint: "/graphql", title: "wiresight" }).page.etag).toBe(playground.page.etag);
  });

  test("Accept-Encoding: quality values and wildcards", () => {
    expect(chooseEncoding(null)).toBe("identity");
    expect(chooseEncoding("")).toBe("identity");
    expect(chooseEncoding("gzip;q=0.5, br;q=0")).toBe("gzip");
    expect(chooseEncoding("br;q=0, gzip;q=0")).toBe("identity");
    expect(chooseEncoding("*")).toBe("br");
    expect(chooseEncoding("*;q=0, gzip")).toBe("gzip");
    expect(chooseEncoding("identity")).toBe("identity");
  });
});

describe("the docs' examples", () => {
  const markdown = readFileSync(join(import.meta.dir, "../../docs/graphql.md"), "utf8");

  test("every example is a named operation, each name once; the tabs are five of them", () => {
    const ops = docsOperations(markdown);
    expect(ops.length).toBeGreaterThanOrEqual(12);
    expect(new Set(ops.map((o) => o.name)).size).toBe(ops.length);
    for (const name of PLAYGROUND_TABS) expect(ops.map((o) => o.name)).toContain(name);
    expect(() => docsOperations("```graphql\n{ revision }\n```\n")).toThrow("anonymous query: name every example");
  });

  test("the page opens with those tabs, as the docs write them", () => {
    const opts = /renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*?\}),\s*\);/s.exec(html);
    expect(opts).not.toBeNull();
    const options = JSON.parse(opts![1]!);
    expect(options).toMatchObject({ endpoint: "/graphql", subscriptionsProtocol: "SSE", title: "wiresight" });
    expect(options.defaultTabs).toEqual(playgroundTabs(markdown));
    expect(options.defaultTabs.map((t: { query: string }) => /^(?:query|subscription|mutation) (\w+)/.exec(t.query)![1])).toEqual([...PLAYGROUND_TABS]);
    expect(options.defaultQuery).toBeUndefined();
  });
});
