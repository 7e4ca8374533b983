// The GraphiQL page (issue 20): compressed as the browser accepts (br, gzip, or not at all),
// cacheable (a strong ETag; If-None-Match gives a 304 with no body), and opening with the docs'
// example tabs — every example of docs/graphql.md a named operation.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { chooseEncoding, docsOperations, Playground, PLAYGROUND_TABS, playgroundTabs } from "../../src/server/playground.ts";

const playground = new Playground({ endpoint: "/graphql", title: "wiresight" });
const get = (headers: Record<string, string>, method = "GET") => playground.respond(new Request("http://127.0.0.1/graphql", { method, headers: { accept: "text/html", ...headers } }));

describe("the playground page", () => {
  test("compressed as the browser accepts: br once it is made (gzip meanwhile), else gzip, else as is; the same page each way", async () => {
    // The first request starts brotli and gets gzip; once brotli is done, br.
    const early = get({ "accept-encoding": "gzip, br" });
    expect(early.headers.get("content-encoding")).toBe("gzip");
    // A client that takes only br gets the page as is until br is ready.
    const other = new Playground({ endpoint: "/graphql", title: "another page" });
    expect(other.respond(new Request("http://127.0.0.1/graphql", { headers: { "accept-encoding": "br" } })).headers.get("content-encoding")).toBeNull();
    await Promise.all([playground.brotliReady(), other.brotliReady()]);
    expect(other.respond(new Request("http://127.0.0.1/graphql", { headers: { "accept-encoding": "br" } })).headers.get("content-encoding")).toBe("br");
    const br = get({ "accept-encoding": "gzip, deflate, br, zstd" });
    expect(br.headers.get("content-encoding")).toBe("br");
    const brBody = new Uint8Array(await br.arrayBuffer());
    expect(Number(br.headers.get("content-length"))).toBe(brBody.length);
    expect(Buffer.from(brotliDecompressSync(brBody)).equals(Buffer.from(playground.html))).toBe(true);

    const gz = get({ "accept-encoding": "gzip" });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(Buffer.from(gunzipSync(new Uint8Array(await gz.arrayBuffer()))).equals(Buffer.from(playground.html))).toBe(true);

    const plain = get({});
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect((await plain.arrayBuffer()).byteLength).toBe(playground.html.length);
    for (const r of [br, gz, plain]) {
      expect(r.headers.get("vary")).toBe("Accept-Encoding");
      expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    }
    // The page is about 9 MB; compressed, a small part of it.
    expect(playground.html.length).toBeGreaterThan(5_000_000);
    expect(brBody.length).toBeLessThan(playground.html.length / 4);
    console.log(`playground: ${playground.html.length} bytes, br ${brBody.length}`);
  });

  test("cacheable: a strong ETag, revalidated with If-None-Match (304, no body); HEAD has no body", async () => {
    const first = get({ "accept-encoding": "br" });
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.headers.get("cache-control")).toBe("no-cache");
    const again = get({ "accept-encoding": "br", "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(await again.text()).toBe("");
    expect(get({ "if-none-match": `"something-else", W/${etag}` }).status).toBe(304);
    expect(get({ "if-none-match": '"stale"' }).status).toBe(200);
    const head = get({ "accept-encoding": "gzip" }, "HEAD");
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    // The same page gets the same ETag (a new server renders the same bytes).
    expect(new Playground({ endpoint: "/graphql", title: "wiresight" }).etag).toBe(etag);
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
    const html = new TextDecoder().decode(playground.html);
    const opts = /renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*?\}),\s*\);/s.exec(html);
    expect(opts).not.toBeNull();
    const options = JSON.parse(opts![1]!);
    expect(options).toMatchObject({ endpoint: "/graphql", subscriptionsProtocol: "SSE", title: "wiresight" });
    expect(options.defaultTabs).toEqual(playgroundTabs(markdown));
    expect(options.defaultTabs.map((t: { query: string }) => /^(?:query|subscription|mutation) (\w+)/.exec(t.query)![1])).toEqual([...PLAYGROUND_TABS]);
    expect(options.defaultQuery).toBeUndefined();
  });
});
