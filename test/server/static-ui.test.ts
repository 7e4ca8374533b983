// serve --ui: a UI build's files on the server's origin, its client-side routes answered with
// index.html (Ghostwire's dynvars filled in), and nothing outside the directory, whatever the path.

import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StaticUi, StaticUiError } from "../../src/server/static-ui.ts";

const dir = mkdtempSync(join(tmpdir(), "wiresight-ui-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, "build/assets"), { recursive: true });
writeFileSync(join(dir, "build/index.html"), "<html><script>window.dynvars = {}</script><body>app</body></html>");
writeFileSync(join(dir, "build/assets/app-1234.js"), "console.log(1)");
writeFileSync(join(dir, "secret.txt"), "not for you");
const ui = new StaticUi(join(dir, "build"));
const get = async (path: string, method = "GET") => ui.respond(new Request(`http://x${path}`, { method }), path);

test("files as they are; routes get index.html with capture links enabled; missing assets and other methods are not found", async () => {
  const js = (await get("/assets/app-1234.js"))!;
  expect(await js.text()).toBe("console.log(1)");
  expect(js.headers.get("content-type")).toContain("javascript");
  for (const route of ["/", "/w", "/n/4026531833", "/settings"]) {
    const page = (await get(route))!;
    expect(await page.text()).toBe('<html><script>window.dynvars = {"enableMonolith":true}</script><body>app</body></html>');
    expect(page.headers.get("cache-control")).toBe("no-cache");
  }
  expect(await get("/assets/gone-1.js")).toBeNull();
  expect(await get("/w", "POST")).toBeNull();
});

test("nothing outside the directory: encoded dots, NULs, bad escapes", async () => {
  for (const p of ["/..%2fsecret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/a%00b", "/%E0%A4%A"]) {
    const r = await get(p);
    if (r) expect(await r.text()).not.toContain("not for you");
  }
  expect(await get("/..%2fsecret.txt")).toBeNull();
});

test("a directory without index.html is no UI", () => {
  expect(() => new StaticUi(dir)).toThrow(StaticUiError);
});
