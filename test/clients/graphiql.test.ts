// GraphiQL in Debian's Chromium (puppeteer-core), as a user meets it: the playground's script
// arrives compressed, the page opens with the docs' example tabs, the first tab's query runs and
// shows the topology, the live-changes tab's subscription shows a change, coming back loads the
// 8 MB script from the browser's cache — and the console stays free of errors throughout.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { PLAYGROUND_TABS } from "../../src/server/playground.ts";
import { ensureTool } from "../helpers/packages.ts";
import { makeWorld, type World } from "./world.ts";

let world: World;
let browser: Browser;
let page: Page;
const problems: string[] = [];
/** Each load of the playground's script: its status, whether the browser's cache answered, its encoding. */
const scripts: { status: number; cached: boolean; encoding: string | undefined }[] = [];
const profile = mkdtempSync(join(tmpdir(), "wiresight-chromium-"));

beforeAll(async () => {
  ensureTool("chromium", "chromium");
  world = await makeWorld();
  browser = await puppeteer.launch({
    executablePath: Bun.which("chromium")!,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`],
  });
  page = await browser.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console.error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e}`));
  page.on("response", (r) => void (r.url().includes("/graphql/assets/graphiql-") && r.url().endsWith(".js") && scripts.push({ status: r.status(), cached: r.fromCache(), encoding: r.headers()["content-encoding"] })));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await world?.close();
  rmSync(profile, { recursive: true, force: true });
}, 60_000);

/** The text of the response pane once `want` appears in it. */
async function responseContaining(want: string): Promise<string> {
  await page.waitForFunction((w: string) => (document.querySelector(".graphiql-response") as HTMLElement | null)?.innerText.includes(w), { timeout: 60_000 }, want);
  return page.$eval(".graphiql-response", (e) => (e as HTMLElement).innerText);
}

describe("GraphiQL in Chromium", () => {
  test("opens with the docs' tabs, its script compressed; the first tab's query runs; no console error", async () => {
    const res = await page.goto(`${world.url}/graphql`, { waitUntil: "networkidle0", timeout: 120_000 });
    expect(res!.status()).toBe(200);
    expect(res!.headers()["etag"]).toBeTruthy();
    expect(scripts).toHaveLength(1);
    expect(scripts[0]).toMatchObject({ status: 200, cached: false });
    expect(["br", "gzip"]).toContain(scripts[0]!.encoding!);
    await page.waitForSelector(".graphiql-tab-button", { timeout: 60_000 });
    const tabs = await page.$$eval(".graphiql-tab-button", (els) => els.map((e) => e.textContent ?? ""));
    expect(tabs).toEqual([...PLAYGROUND_TABS]);
    await page.click(".graphiql-execute-button");
    const text = await responseContaining('"displayName"');
    expect(text).toContain('"namespaces"');
    expect(problems).toEqual([]);
  }, 180_000);

  test("the live-changes tab's subscription (SSE) shows a change as it is recorded", async () => {
    // A DOM click: GraphiQL animates its tabs into place (CSS transforms), so a click at the
    // button's coordinates can land on a neighbour while they move.
    await page.$eval('.graphiql-tab-button[title="LiveChanges"]', (b) => (b as HTMLElement).click());
    await page.waitForFunction(() => document.querySelector(".graphiql-tab-active .graphiql-tab-button")?.textContent === "LiveChanges", { timeout: 30_000 });
    // The tab is active before its editor holds its text: a run before that runs the previous tab.
    // (Monaco draws spaces as no-break spaces, which \s matches.)
    await page.waitForFunction(() => /subscription\s+LiveChanges/.test(document.querySelector(".graphiql-query-editor")?.textContent ?? ""), { timeout: 30_000 });
    const listeners = world.live.subscriberCount;
    // GraphiQL takes the operation's name from the editor a moment after the tab's text is in
    // it; run before that, it answers "Cannot infer operation <the previous tab's>" without asking
    // the server. A user presses run again; so does the test, until the subscription is made.
    const response = () => page.evaluate(() => (document.querySelector(".graphiql-response") as HTMLElement | null)?.innerText ?? "");
    for (let attempt = 0; world.live.subscriberCount === listeners; attempt++) {
      if (attempt > 30) throw new Error(`the subscription never reached the server; the response pane shows ${JSON.stringify(await response())}`);
      await page.$eval(".graphiql-execute-button", (b) => (b as HTMLElement).click());
      for (let i = 0; i < 1500 && world.live.subscriberCount === listeners && !(await response()).includes("Cannot infer operation"); i++) await Bun.sleep(10);
      if (world.live.subscriberCount === listeners) await Bun.sleep(200);
    }
    world.change();
    const text = await responseContaining('"revisions"');
    expect(text).toContain('"CHANGED"');
    // Stop it, as a user would, before leaving.
    await page.click(".graphiql-execute-button");
    expect(problems).toEqual([]);
  }, 120_000);

  test("coming back, the script comes from the browser's cache (GraphiQL's POSTs to /graphql do not evict it)", async () => {
    const res = await page.goto(`${world.url}/graphql`, { waitUntil: "networkidle0", timeout: 120_000 });
    expect([200, 304]).toContain(res!.status());
    expect(scripts).toHaveLength(2);
    expect(scripts[1]!.cached).toBe(true);
    await page.waitForSelector(".graphiql-tab-button", { timeout: 60_000 });
    expect(problems).toEqual([]);
  }, 180_000);
});
