// The map at `/` of the compiled `dist/wiresight serve`, in Debian's Chromium (puppeteer-core),
// over a lab this test builds: a hub namespace with a bridge whose ports are veths to two other
// namespaces, a macvlan on the bridge moved into one of them, a vxlan on the bridge, a tap held
// by a process, and a port the hub forwards (nft DNAT) to a container-like namespace. What a user
// sees is checked against how the lab was built and iproute2: the groups and wires drawn are the
// lab's namespaces and relations; an `ip link add` appears without a reload, highlighted; two
// revisions compared mark exactly that change; a past revision shows the wiring as it was;
// clicking an interface shows its details; a capture download is a pcapng tshark reads; whereis
// from the search box draws a path. Every request stays on the server's origin (no CDN), the page
// weighs under 1 MB as sent, and the console stays free of errors throughout.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";
import { holdTap, tapHolderBinary } from "../helpers/tap-holder.ts";
import { startServeBinary, type ServeProcess } from "../helpers/serve-binary.ts";

const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const root = requireRoot();

describe.if(root)("the map in Chromium over a lab", () => {
  const lab = new Lab();
  const profile = mkdtempSync(join(tmpdir(), "wiresight-chromium-"));
  const downloads = mkdtempSync(join(tmpdir(), "wiresight-downloads-"));
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  let hub = "";
  let a = "";
  let b = "";
  let holderPid = 0;
  const problems: string[] = [];
  const requests: string[] = [];
  let sentBytes = 0;
  let firstRevision = 0;
  let changedRevision = 0;

  beforeAll(async () => {
    ensureTool("chromium", "chromium");
    ensureTool("tshark", "tshark");
    ensureTool("nft", "nftables");
    hub = lab.netns("hub");
    a = lab.netns("a");
    b = lab.netns("b");
    lab.ip(hub, "link", "add", "br0", "type", "bridge");
    lab.ip(hub, "addr", "add", "10.77.0.254/24", "dev", "br0");
    for (const [ns, port, addr] of [[a, "pa", "10.77.0.1/24"], [b, "pb", "10.77.0.2/24"]] as const) {
      lab.ip(hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
      lab.ip(hub, "link", "set", port, "master", "br0", "up");
      lab.ip(ns, "addr", "add", addr, "dev", "eth0");
      lab.ip(ns, "link", "set", "eth0", "up");
    }
    lab.ip(hub, "link", "set", "br0", "up");
    lab.ip(hub, "link", "add", "mv0", "link", "br0", "type", "macvlan", "mode", "bridge");
    lab.ip(hub, "link", "set", "mv0", "netns", a);
    lab.ip(hub, "link", "add", "vx0", "type", "vxlan", "id", "42", "dev", "br0", "dstport", "4789");
    sh("ip", ["netns", "exec", hub, "nft", "add", "table", "ip", "lab"]);
    sh("ip", ["netns", "exec", hub, "nft", "add", "chain", "ip", "lab", "pre", "{ type nat hook prerouting priority -100; }"]);
    sh("ip", ["netns", "exec", hub, "nft", "add", "rule", "ip", "lab", "pre", "tcp", "dport", "8080", "dnat", "to", "10.77.0.1:80"]);
    holderPid = await holdTap(lab, tapHolderBinary(lab), b, "tp0");

    serve = await startServeBinary(["--db", join(lab.dir, "serve.db"), "--full-pass", "1h"]);
    browser = await puppeteer.launch({ executablePath: Bun.which("chromium")!, userDataDir: profile, args: CHROMIUM_FLAGS });
    page = await browser.newPage();
    await page.setViewport({ width: 1600, height: 1000 });
    page.on("console", (m) => void (m.type() === "error" && problems.push(`console.error: ${m.text()}`)));
    page.on("pageerror", (e) => problems.push(`page error: ${e}`));
    page.on("requestfailed", (r) => void (!r.url().includes("/capture") && problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`)));
    page.on("request", (r) => void requests.push(r.url()));
    page.on("response", (r) => {
      const length = Number(r.headers()["content-length"] ?? NaN);
      // The page's own files as sent (compressed); not its GraphQL answers, nor the layout worker's blob: URL.
      if (r.url().startsWith("http") && r.request().resourceType() !== "fetch" && Number.isFinite(length)) sentBytes += length;
    });
    const cdp = await page.createCDPSession();
    await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop(5_000);
    lab.cleanup();
    rmSync(profile, { recursive: true, force: true });
    rmSync(downloads, { recursive: true, force: true });
  }, 60_000);

  const ready = () => page.waitForFunction(() => document.body.dataset.state === "ready", { timeout: 60_000 });

  /** What is drawn in the lab's groups: group → row names, and every wire between lab rows as `kind from -> to` (group/row). */
  function drawn(): Promise<{ groups: Record<string, string[]>; wires: string[]; marks: Record<string, string[]> }> {
    return page.evaluate((prefix: string) => {
      const groups: Record<string, string[]> = {};
      const rowName = new Map<string, string>();
      for (const g of document.querySelectorAll<SVGElement>("[data-group]")) {
        const name = g.dataset.name!;
        if (!name.startsWith(prefix)) continue;
        const short = name.slice(prefix.length + 1);
        groups[short] = [...g.querySelectorAll<SVGElement>("[data-row]")].map((r) => r.dataset.name!);
        for (const r of g.querySelectorAll<SVGElement>("[data-row]")) rowName.set(r.dataset.row!, `${short}/${r.dataset.name}`);
      }
      const wires: string[] = [];
      const label = new Map<Element, string>();
      for (const w of document.querySelectorAll<SVGElement>("[data-wire]")) {
        const [from, to] = [rowName.get(w.dataset.from!), rowName.get(w.dataset.to!)];
        if (from === undefined || to === undefined) continue;
        const text = w.dataset.wire === "veth" ? `veth ${[from, to].sort().join(" -- ")}` : `${w.dataset.wire} ${from} -> ${to}`;
        wires.push(text);
        label.set(w, text);
      }
      const marks: Record<string, string[]> = {};
      for (const mark of ["added", "removed", "changed"]) {
        marks[mark] = [...document.querySelectorAll<SVGElement>(`.mark-${mark}`)]
          .map((el) => (el.dataset.row ? rowName.get(el.dataset.row) : el.dataset.group?.startsWith("netns") && el.dataset.name?.startsWith(prefix) ? `group ${el.dataset.name.slice(prefix.length + 1)}` : label.get(el)))
          .filter((x): x is string => x !== undefined)
          .sort();
      }
      return { groups, wires: wires.sort(), marks };
    }, lab.prefix);
  }

  test("the groups and wires drawn are the lab's namespaces and relations; everything comes from the binary's own origin", async () => {
    const res = await page.goto(`${serve.url}/`, { waitUntil: "networkidle0", timeout: 120_000 });
    expect(res!.status()).toBe(200);
    await ready();
    await page.waitForFunction((p: string) => document.querySelector(`[data-group][data-name="${p}-hub"] [data-name="tcp *:8080"]`) !== null, { timeout: 60_000 }, lab.prefix);
    firstRevision = Number(await page.evaluate(() => document.body.dataset.revision));
    const seen = await drawn();

    const links = (ns: string) => (JSON.parse(sh("ip", ["-n", ns, "-j", "link", "show"])) as { ifname: string }[]).map((l) => l.ifname).sort();
    expect(Object.keys(seen.groups).sort()).toEqual(["a", "b", "hub"]);
    expect([...seen.groups.hub!].sort()).toEqual([...links(hub), "tcp *:8080"].sort());
    expect([...seen.groups.a!].sort()).toEqual(links(a));
    expect([...seen.groups.b!].sort()).toEqual([...links(b), `tapholder [${holderPid}]`].sort());
    // The bridge's ports as iproute2 lists them.
    const ports = (JSON.parse(sh("ip", ["-n", hub, "-j", "link", "show", "master", "br0"])) as { ifname: string }[]).map((l) => l.ifname).sort();
    expect(ports).toEqual(["pa", "pb"]);
    expect(seen.wires).toEqual(
      [
        "bridge hub/pa -> hub/br0",
        "bridge hub/pb -> hub/br0",
        "forward hub/tcp *:8080 -> a/eth0",
        "lower a/mv0 -> hub/br0",
        "tun b/tp0 -> b/tapholder [" + holderPid + "]",
        "underlay hub/vx0 -> hub/br0",
        "veth a/eth0 -- hub/pa",
        "veth b/eth0 -- hub/pb",
      ].sort(),
    );
    // The interfaces say their state and addresses.
    const eth0 = await page.$eval(`[data-group][data-name="${a}"] [data-row][data-name="eth0"]`, (el) => ({ text: el.textContent, cls: el.getAttribute("class") }));
    expect(eth0.text).toContain("10.77.0.1/24");
    expect(eth0.cls).toContain("kind-veth");
    expect(eth0.cls).toContain("state-up");

    const origin = new URL(serve.url).origin;
    expect(requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith(origin.replace("http", "ws")) && !u.startsWith("blob:") && !u.startsWith("data:"))).toEqual([]);
    expect(sentBytes).toBeGreaterThan(100_000);
    expect(sentBytes).toBeLessThan(1_000_000);
    expect(problems).toEqual([]);
  }, 180_000);

  test("an `ip link add` appears without a reload, highlighted", async () => {
    await page.evaluate(() => {
      (window as unknown as { stillHere: boolean }).stillHere = true;
      const flashed: string[] = [];
      (window as unknown as { flashed: string[] }).flashed = flashed;
      new MutationObserver((records) => {
        for (const r of records) {
          const el = r.target as SVGElement;
          if (el.classList?.contains("flash") && el.dataset.name) flashed.push(el.dataset.name);
        }
      }).observe(document.getElementById("layer")!, { subtree: true, attributes: true, attributeFilter: ["class"] });
    });
    lab.ip(b, "link", "add", "nv0", "type", "veth", "peer", "name", "nv1");
    await page.waitForFunction((ns: string) => document.querySelector(`[data-group][data-name="${ns}"] [data-row][data-name="nv0"]`) !== null, { timeout: 30_000 }, b);
    await page.waitForFunction(() => (window as unknown as { flashed: string[] }).flashed.includes("nv0"), { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    changedRevision = Number(await page.evaluate(() => document.body.dataset.revision));
    expect(changedRevision).toBeGreaterThan(firstRevision);
    const seen = await drawn();
    expect(seen.wires).toContain("veth b/nv0 -- b/nv1");
    expect(problems).toEqual([]);
  }, 60_000);

  /** Sets the timeline's sliders as a user would (the compare box, then the two revisions). */
  async function moment(o: { compare: boolean; from?: number; at: number }): Promise<void> {
    await page.evaluate(({ compare, from, at }) => {
      const box = document.getElementById("timeline-compare") as HTMLInputElement;
      if (box.checked !== compare) box.click();
      const set = (id: string, v: number) => {
        const input = document.getElementById(id) as HTMLInputElement;
        input.value = String(v);
        input.dispatchEvent(new Event("change", { bubbles: true }));
      };
      if (from !== undefined) set("timeline-from", from);
      set("timeline-at", at);
    }, o);
    await page.waitForFunction(
      (o: { compare: boolean; from?: number; at: number }) =>
        document.body.dataset.state === "ready" && document.body.dataset.mode === (o.compare ? "diff" : "at") && document.body.dataset.revision === String(o.at) && (!o.compare || document.body.dataset.from === String(o.from)),
      { timeout: 60_000 },
      o,
    );
  }

  test("two revisions compared mark exactly the change between them; a past revision shows the wiring as it was", async () => {
    await moment({ compare: true, from: firstRevision, at: changedRevision });
    const seen = await drawn();
    expect(seen.marks).toEqual({ added: ["b/nv0", "b/nv1", "veth b/nv0 -- b/nv1"], removed: [], changed: [] });
    const panel = await page.$eval("#details", (el) => (el as HTMLElement).innerText);
    expect(panel).toContain(`revision ${firstRevision} → ${changedRevision}`);
    expect(panel).toContain("+ nv0");

    await moment({ compare: false, at: firstRevision });
    const before = await drawn();
    expect(before.groups.b).not.toContain("nv0");
    expect(before.marks).toEqual({ added: [], removed: [], changed: [] });

    await page.click("#timeline-live");
    await page.waitForFunction((ns: string) => document.body.dataset.mode === "live" && document.body.dataset.state === "ready" && document.querySelector(`[data-group][data-name="${ns}"] [data-row][data-name="nv0"]`) !== null, { timeout: 60_000 }, b);
    expect(problems).toEqual([]);
  }, 120_000);

  test("clicking an interface shows its details; its capture downloads a pcapng that tshark reads", async () => {
    // Find the namespace from the search box (Enter centres it), then click its eth0.
    await page.click("#search");
    await page.keyboard.type(a);
    await page.keyboard.press("Enter");
    const row = `[data-group][data-name="${a}"] [data-row][data-name="eth0"] .row-bg`;
    await page.waitForFunction((sel: string) => document.querySelector(sel) !== null, {}, row);
    await page.click(row);
    await page.waitForFunction(() => document.querySelector("#details h2")?.textContent?.startsWith("eth0"), { timeout: 30_000 });
    const details = await page.$eval("#details", (el) => (el as HTMLElement).innerText);
    const link = (JSON.parse(sh("ip", ["-n", a, "-j", "link", "show", "eth0"])) as { address: string; mtu: number }[])[0]!;
    expect(details).toContain(link.address);
    expect(details).toContain("10.77.0.1/24");
    expect(details).toContain("pa in");
    expect(details).toContain("/capture?target=");

    const pinger = lab.spawn("ip", ["netns", "exec", b, "ping", "-i", "0.2", "10.77.0.1"]);
    await page.click(".capture-download");
    await page.waitForFunction(() => document.body.dataset.capture === "done" || document.body.dataset.capture === "error", { timeout: 60_000 });
    pinger.kill("SIGKILL");
    expect(await page.$eval(".capture-status", (el) => el.textContent)).toStartWith("saved");
    let file: string | undefined;
    for (let i = 0; i < 200 && !file; i++, await Bun.sleep(50)) file = readdirSync(downloads).find((f) => f.endsWith(".pcapng"));
    expect(file).toBeDefined();
    const packets = sh("tshark", ["-r", join(downloads, file!), "-Y", "icmp.type == 8 && ip.dst == 10.77.0.1"]).trim().split("\n").filter(Boolean);
    expect(packets.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  }, 120_000);

  test("an address in the search box asks whereIs and draws the path to its owner", async () => {
    await page.click("#search", { count: 3 });
    await page.keyboard.type("10.77.0.2");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#details h2")?.textContent?.startsWith("where is 10.77.0.2"), { timeout: 30_000 });
    const panel = await page.$eval("#details", (el) => (el as HTMLElement).innerText);
    expect(panel).toContain(`eth0 in ${b}`);
    const onPath = await page.$$eval(".path[data-row]", (els) => els.map((e) => `${e.closest("[data-group]")!.getAttribute("data-name")}/${(e as SVGElement).dataset.name}`));
    expect(onPath).toEqual(expect.arrayContaining([`${b}/eth0`, `${hub}/br0`]));
    expect(problems).toEqual([]);
  }, 60_000);
  test("a firing alert is listed and outlines the interface it names", async () => {
    const rule = `mutation { createAlertRule(input: { name: "sniffing in ${lab.prefix}", condition: { promiscuous: { name: "eth0" } }, scope: { namespaces: ["${a}"] } }) { alertRule { id } userErrors { message } } }`;
    const created = (await (await fetch(`${serve.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: rule }) })).json()) as any;
    expect(created.data.createAlertRule.userErrors).toEqual([]);
    lab.ip(a, "link", "set", "eth0", "promisc", "on");
    await page.waitForFunction((p: string) => [...document.querySelectorAll("#alerts li")].some((li) => li.textContent?.includes(`sniffing in ${p}`)), { timeout: 60_000 }, lab.prefix);
    await page.waitForFunction((ns: string) => document.querySelector(`[data-group][data-name="${ns}"] [data-row][data-name="eth0"]`)?.classList.contains("alerting"), { timeout: 30_000 }, a);
    expect(problems).toEqual([]);
  }, 90_000);

  test("the page and its files need no token; it asks for the server's and then works as without", async () => {
    const token = `t${lab.prefix}secret`;
    const guarded = await startServeBinary(["--db", join(lab.dir, "guarded.db"), "--full-pass", "1h", "--token", token]);
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(`page error: ${e}`));
    try {
      const res = await tab.goto(`${guarded.url}/`, { waitUntil: "domcontentloaded", timeout: 60_000 });
      expect(res!.status()).toBe(200);
      await tab.waitForSelector("#token-dialog[open]", { timeout: 60_000 });
      await tab.type("#token-input", token);
      await tab.click("#token-form button[type=submit]");
      await tab.waitForFunction(() => document.body.dataset.state === "ready" && document.body.dataset.link === "connected", { timeout: 60_000 });
      expect(await tab.$$eval(`[data-group][data-name="${hub}"] [data-row]`, (els) => els.length)).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
      await guarded.stop(5_000);
    }
  }, 120_000);

  test("a broken connection shows a banner; the map resumes from the last revision it saw, without a reload", async () => {
    const port = new URL(serve.url).port;
    const before = problems.length;
    await serve.stop(10_000);
    await page.waitForFunction(() => document.body.dataset.link === "reconnecting" && !document.getElementById("banner")!.hidden, { timeout: 30_000 });
    expect(await page.$eval("#banner", (el) => el.textContent)).toContain("Live updates interrupted");
    lab.ip(b, "link", "add", "nv2", "type", "veth", "peer", "name", "nv3"); // while nobody watches
    serve = await startServeBinary(["--db", join(lab.dir, "serve.db"), "--full-pass", "1h", "--listen", `127.0.0.1:${port}`]);
    await page.waitForFunction((ns: string) => document.querySelector(`[data-group][data-name="${ns}"] [data-row][data-name="nv2"]`) !== null, { timeout: 60_000 }, b);
    await page.waitForFunction(() => document.body.dataset.link === "connected" && document.getElementById("banner")!.hidden, { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    // While the server was down the browser said so (refused connections); nothing else went wrong.
    expect(problems.slice(before).filter((p) => !/ERR_CONNECTION_REFUSED|WebSocket|Failed to load resource/.test(p))).toEqual([]);
  }, 120_000);
});
