// The map's files as the server sends them (src/server/map-page.ts, run from source: bundled by
// Bun.build at the first request, as `bun build --compile` does ahead of time): the page
// revalidated, its hashed script and stylesheet immutable, compressed, under 1 MB as sent, with
// nothing fetched from another origin; a current copy gets 304; other paths are not the map's.
// And the server's routing: the map at / and /map; with a web UI (--ui) the UI has / and the map
// stays at /map.

import { describe, expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMapPath, respondMapPage } from "../../src/server/map-page.ts";
import { StaticUi } from "../../src/server/static-ui.ts";
import { startTestServer, TestLive } from "../helpers/server-harness.ts";
import { syntheticTopology } from "../store/synthetic.ts";

const get = async (path: string, headers: Record<string, string> = {}) => (await respondMapPage(new Request(`http://127.0.0.1${path}`, { headers }), path))!;

describe("the map's files", () => {
  test("the page links only its own hashed script and stylesheet; both immutable, gzip'd, under 1 MB together", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toStartWith("text/html");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const html = await page.text();
    const links = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    const assets = links.filter((l) => /\.(js|css)$/.test(l));
    expect(assets).toHaveLength(2);
    for (const l of links) expect(l.startsWith("/") || l.startsWith("data:")).toBe(true);
    let sent = Number(page.headers.get("content-length"));
    for (const path of assets) {
      expect(isMapPath(path)).toBe(true);
      const res = await get(path, { "accept-encoding": "gzip" });
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("content-encoding")).toBe("gzip");
      const body = new Uint8Array(await res.arrayBuffer());
      sent += body.length;
      const text = new TextDecoder().decode(gunzipSync(body));
      expect(text).not.toMatch(/(?:src|href)=["']https?:/); // no CDN
    }
    expect(sent).toBeLessThan(1_000_000);
  }, 60_000);

  test("a current copy gets 304; other paths are not the map's", async () => {
    const first = await get("/");
    const again = await get("/", { "if-none-match": first.headers.get("etag")! });
    expect(again.status).toBe(304);
    expect(await respondMapPage(new Request("http://127.0.0.1/nope.js"), "/nope.js")).toBeNull();
    for (const path of ["/graphql", "/json", "/a/b.js", "/..%2fx.js", "/x.html", "/favicon.ico"]) expect(isMapPath(path)).toBe(false);
  });
});

test("the server: the map at / and /map, POST refused; with --ui the UI has / and the map stays at /map", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wiresight-ui-"));
  mkdirSync(join(dir, "build"));
  writeFileSync(join(dir, "build/index.html"), "<html><body>another app</body></html>");
  const live = new TestLive(syntheticTopology());
  const plain = await startTestServer(live);
  const withUi = await startTestServer(live, { ui: new StaticUi(join(dir, "build")) });
  try {
    const title = async (url: string) => /<title>([^<]*)<\/title>/.exec(await (await fetch(url)).text())?.[1] ?? (await (await fetch(url)).text());
    expect(await title(`${plain.url}/`)).toBe("wiresight — map");
    expect(await title(`${plain.url}/map`)).toBe("wiresight — map");
    expect((await fetch(`${plain.url}/`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(405);
    expect((await fetch(`${plain.url}/nope.js`)).status).toBe(404);
    expect(await (await fetch(`${withUi.url}/`)).text()).toContain("another app");
    expect(await title(`${withUi.url}/map`)).toBe("wiresight — map");
  } finally {
    await plain.stop();
    await withUi.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
