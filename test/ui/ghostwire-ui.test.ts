// The real Ghostwire web UI (test/clients-vendored/ghostwire-webui, built from siemens/ghostwire) in
// Debian's Chromium, driven with puppeteer-core, against the real binary: `dist/wiresight serve
// --ui <the build>` serves the UI on its own origin, so the UI's /json, /mobydig and capture links
// go to wiresight as they would go to Ghostwire.
//
// The lab: a Docker engine of our own with two compose-style containers on a user network (one
// publishing a port, one with a network alias), a tap held by a process, a vxlan on a veth and a
// macvlan on a veth, in namespaces of the lab. What a user would see is asserted: no error toast
// and no page error on the wiring view, the everything view and every namespace's details page;
// every interface's ⓘ opens its dialog; the tap is a TAP with its process; the vxlan shows its VNI
// and underlay; gateways show; the neighbourhood view lists the containers' names and checks them;
// capture buttons link to this server's /capture in Packetflix's form, and that link captures.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { DockerEngine, ensureDockerInstalled } from "../helpers/docker.ts";
import { WEBUI_BUILD } from "../helpers/ghostwire-ui.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";
import { tshark } from "../helpers/capture-lab.ts";
import { BUILT_BINARY, startServeBinary, type ServeProcess } from "../helpers/serve-binary.ts";
import { holdTap, tapHolderBinary } from "../helpers/tap-holder.ts";

type Json = any;
const root = requireRoot();
const SETUP_TIMEOUT = 600_000;
const WEB_PORT = 20000 + Math.floor(Math.random() * 20000);
const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

describe.if(root)("the Ghostwire web UI against wiresight", () => {
  const lab = new Lab();
  let engine: DockerEngine;
  let base = "";
  let browser: Browser;
  let profile = "";
  const names = { web: "", db: "", net: "", alias: "", tap: "", vxlan: "", under: "", macvlan: "" };
  let tapPid = 0;
  let server: ServeProcess | undefined;

  const json = async (): Promise<Json> => (await fetch(`${base}/json`)).json();
  const nsWith = (doc: Json, pred: (ns: Json) => boolean) => doc["network-namespaces"].find(pred);
  const hasNif = (name: string) => (ns: Json) => ns["network-interfaces"].some((i: Json) => i.name === name);
  const hasContainer = (name: string) => (ns: Json) => ns.containers.some((c: Json) => c.name === name);

  beforeAll(async () => {
    ensureTool("chromium", "chromium");
    ensureDockerInstalled();
    const p = lab.prefix;
    Object.assign(names, { web: `${p}-web`, db: `${p}-db`, net: `${p}-net`, alias: `${p}dbalias`, tap: `${p}tap`, vxlan: `${p}vx`, under: `${p}u0`, macvlan: `${p}mv` });
    engine = new DockerEngine(lab);
    await engine.start();
    engine.network(names.net);
    // What docker compose does for a service: its labels, and the service name as a network alias.
    const compose = (service: string) => ["--label", `com.docker.compose.project=${p}shop`, "--label", `com.docker.compose.service=${service}`, "--network-alias", service];
    engine.run(names.web, "--network", names.net, "-p", `${WEB_PORT}:80`, ...compose("web"), "local/busybox:1", "httpd", "-f", "-p", "80", "-h", "/www");
    engine.run(names.db, "--network", names.net, "--network-alias", names.alias, ...compose("db"), "local/busybox:1", "sleep", "3600");

    const t = lab.netns("t");
    const u = lab.netns("u");
    tapPid = await holdTap(lab, tapHolderBinary(lab), t, names.tap);
    lab.veth({ ns: t, name: `${p}t0`, cidr: "10.93.0.1/24" }, { ns: u, name: names.under, cidr: "10.93.0.2/24" });
    lab.ip(u, "link", "add", names.vxlan, "type", "vxlan", "id", "4093", "remote", "10.93.0.1", "dstport", "4789", "dev", names.under);
    lab.ip(t, "link", "add", names.macvlan, "link", `${p}t0`, "type", "macvlan", "mode", "bridge");
    for (const [ns, dev] of [[u, names.vxlan], [t, names.macvlan]] as const) lab.ip(ns, "link", "set", dev, "up");
    // A port forwarded from t to a listener that a shell started in u: the UI draws a forwarded
    // port's owner with its containee's icon, which for a shell blanked the page (docs/ghostwire.md).
    const listener = lab.spawn("ip", ["netns", "exec", u, "sh", "-c", `${process.execPath} -e 'Bun.listen({ hostname: "0.0.0.0", port: 80, socket: { data() {} } }); console.log("ready")'; true`]);
    await lab.waitFor(listener, "ready");
    sh("ip", ["netns", "exec", t, "nft", "-f", "-"], { input: "table ip wsfwd {\n  chain pre {\n    type nat hook prerouting priority -100;\n    tcp dport 8081 dnat to 10.93.0.2:80\n  }\n}\n" });

    server = await startServeBinary(["--db", join(lab.dir, "history.db"), "--ui", WEBUI_BUILD, "--full-pass", "5s"], { startMs: 60_000 });
    base = server.url;
    // The state the tests look at: both containers, the tap with its holder, the vxlan.
    for (let i = 0; ; i++) {
      const doc = await json();
      const tapNs = nsWith(doc, hasNif(names.tap));
      const tap = tapNs?.["network-interfaces"].find((n: Json) => n.name === names.tap);
      const forwarded = tapNs?.["forwarded-ports"].ipv4.some((f: Json) => f.port === 8081 && f.owners.length > 0);
      if (nsWith(doc, hasContainer(names.web)) && nsWith(doc, hasContainer(names.db)) && tap?.tuntap?.processors.length && nsWith(doc, hasNif(names.vxlan)) && forwarded) break;
      if (i > 240) throw new Error(`the lab never showed up in /json; server said: ${server.stderr()}`);
      await Bun.sleep(250);
    }
    profile = mkdtempSync(join(tmpdir(), "wiresight-chromium-"));
    browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, userDataDir: profile, args: CHROMIUM_FLAGS });
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await engine?.stop();
    lab.cleanup();
  }, SETUP_TIMEOUT);

  /** A page of the UI with data loaded; its page errors and error toasts are collected. */
  async function open(path: string, ready: (body: string) => boolean): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(`page error: ${(e as Error).message}`));
    // A fresh profile fetches /json only once a refresh interval is set (the UI's README).
    await page.evaluateOnNewDocument(() => localStorage.setItem("gw.refresh.interval", "5000"));
    await page.goto(`${base}${path}`, { waitUntil: "domcontentloaded" });
    try {
      await page.waitForFunction((f: string) => new Function("body", `return (${f})(body)`)(document.body.innerText), { timeout: 30_000 }, ready.toString());
    } catch (err) {
      const body = await page.evaluate(() => document.body.innerText).catch(() => "(unreadable)");
      throw new Error(`${path} never showed what was waited for (${ready}): ${(err as Error).message}\nerrors: ${errors.join("; ")}\npage: ${body.slice(0, 1500)}`);
    }
    return { page, errors };
  }

  /** What must never be on a page: an error toast ("refreshing failed: …") or a page error. */
  async function expectNoErrors(page: Page, errors: string[]): Promise<void> {
    const toasts = await page.$$eval('[class*="notistack-MuiContent-error"]', (els) => els.map((e) => (e as HTMLElement).innerText));
    expect([...errors, ...toasts.map((t) => `error toast: ${t}`)]).toEqual([]);
  }

  /** Clicks every interface's ⓘ: each must open the dialog naming that interface; returns their kind lines. */
  async function everyInfoButton(page: Page, errors: string[]): Promise<Map<string, string>> {
    const kinds = new Map<string, string>();
    const buttons = await page.$$('button[aria-label="network interface information"]');
    for (const b of buttons) {
      // A DOM click: the everything view is long, and a mouse click at the button's centre may land
      // on the sticky app bar instead; what is asserted is that the ⓘ opens its dialog.
      await b.evaluate((e) => (e as HTMLElement).click());
      const dialog = await page.waitForSelector('[role="dialog"]', { timeout: 10_000 });
      const text = await dialog!.evaluate((e) => (e as HTMLElement).innerText);
      expect(text).toContain("Network Interface Information");
      const name = /interface name\s+(\S+)/.exec(text)?.[1];
      expect(name).toBeDefined();
      kinds.set(name!, /type\/kind\s+([^\n]+)/.exec(text)?.[1] ?? "");
      const close = await page.$$('[role="dialog"] button');
      await close.at(-1)!.evaluate((e) => (e as HTMLElement).click());
      await page.waitForSelector('[role="dialog"]', { hidden: true, timeout: 10_000 });
    }
    expect(buttons.length).toBeGreaterThan(0);
    await expectNoErrors(page, errors);
    return kinds;
  }

  test("wiring view: the lab's containers, no error", async () => {
    const { page, errors } = await open("/w", (b) => b.includes("-web"));
    await expectNoErrors(page, errors);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain(names.web);
    expect(text).toContain(names.db);
    await page.close();
  }, 120_000);

  test("everything view: every namespace with its interfaces, no error; its ⓘ open nothing (the UI's dialog is a details page's)", async () => {
    const { page, errors } = await open("/n", (b) => b.includes("-web"));
    const text = await page.evaluate(() => document.body.innerText);
    for (const n of [names.web, names.db, names.tap, names.vxlan, names.macvlan]) expect(text).toContain(n);
    // The Ghostwire UI provides its interface dialog on details pages only (below): here its ⓘ
    // have no handler, with Ghostwire as with us. Clicking them must not break the page.
    const buttons = await page.$$('button[aria-label="network interface information"]');
    expect(buttons.length).toBeGreaterThan(0);
    for (const b of buttons) await b.evaluate((e) => (e as HTMLElement).click());
    await expectNoErrors(page, errors);
    await page.close();
  }, 300_000);

  test("every namespace's details page: no error, every ⓘ opens its dialog", async () => {
    const doc = await json();
    let visited = 0;
    const kinds = new Map<string, string>();
    for (const ns of doc["network-namespaces"]) {
      const { page, errors } = await open(`/n/${ns.netnsid}`, (b) => b.includes("network interfaces") || b.includes("unknown network namespace"));
      const body = await page.evaluate(() => document.body.innerText);
      if (body.includes("unknown network namespace")) {
        // Only a namespace that is gone by now (another test's) may be unknown.
        expect((await json())["network-namespaces"].some((n: Json) => n.netnsid === ns.netnsid)).toBe(false);
      } else {
        for (const [name, kind] of await everyInfoButton(page, errors)) kinds.set(name, kind);
        visited++;
      }
      await page.close();
    }
    expect(visited).toBeGreaterThanOrEqual(4);
    expect([kinds.get(names.tap), kinds.get(names.vxlan), kinds.get(names.macvlan)]).toEqual(["virtual tuntap", "virtual vxlan", "virtual macvlan"]);
  }, 600_000);

  test("the tap is a TAP, with the process serving it", async () => {
    const tapNs = nsWith(await json(), hasNif(names.tap));
    const { page, errors } = await open(`/n/${tapNs.netnsid}`, (b) => b.includes("network interfaces"));
    const row = await rowOf(page, names.tap);
    expect(row).toContain(`(${tapPid})`); // the processor line: command and PID
    expect(row).toContain("tapholder");
    // The forwarded port into u, served from under a shell, is drawn (the page is not blank).
    expect(await page.evaluate(() => document.body.innerText)).toContain("8081");
    await page.hover(`[id="${await badgeId(page, names.tap)}"]`);
    const tip = await page.waitForSelector('[role="tooltip"]', { timeout: 10_000 });
    expect(await tip!.evaluate((e) => (e as HTMLElement).innerText)).toContain("layer 2 TAP network interface");
    await expectNoErrors(page, errors);
    await page.close();
  }, 120_000);

  test("the vxlan shows its VNI and its underlay", async () => {
    const vxNs = nsWith(await json(), hasNif(names.vxlan));
    const { page, errors } = await open(`/n/${vxNs.netnsid}`, (b) => b.includes("network interfaces"));
    const row = await rowOf(page, names.vxlan);
    expect(row).toContain("VXLAN ID: 4093");
    expect(row).toContain(names.under);
    await expectNoErrors(page, errors);
    await page.close();
  }, 120_000);

  test("gateways show: a container's default route via its network's gateway", async () => {
    const net = engine.inspect(names.net);
    const gateway = net.IPAM.Config[0].Gateway as string;
    const webNs = nsWith(await json(), hasContainer(names.web));
    const { page, errors } = await open(`/n/${webNs.netnsid}`, (b) => b.includes("routing"));
    await expandAll(page);
    const hops = await page.$$eval('[aria-label="next hop"]', (els) => els.map((e) => (e as HTMLElement).innerText.trim()));
    expect(hops).toContain(gateway);
    await expectNoErrors(page, errors);
    await page.close();
  }, 120_000);

  test("the neighbourhood view lists the containers' names and checks them over /mobydig", async () => {
    const webNs = nsWith(await json(), hasContainer(names.web));
    const { page, errors } = await open(`/n/${webNs.netnsid}`, (b) => b.includes("neighborhood services"));
    await expandAll(page);
    const section = async () => page.evaluate(() => document.body.innerText);
    const listed = await section();
    for (const n of ["web", "db", `web.${names.net}`, `db.${names.net}`, names.web, names.db, `${names.db}.${names.net}`]) expect(listed).toContain(n);
    const buttons = await page.$$("button");
    let clicked = false;
    for (const b of buttons) {
      if ((await b.evaluate((e) => e.textContent?.trim())) !== "Check") continue;
      await b.click();
      clicked = true;
      break;
    }
    expect(clicked).toBe(true);
    const dbIp = engine.inspect(names.db).NetworkSettings.Networks[names.net].IPAddress as string;
    const webIp = engine.inspect(names.web).NetworkSettings.Networks[names.net].IPAddress as string;
    // Each address is pinged from inside the web container; both must end verified.
    await page.waitForFunction(
      (ips: string[]) => ips.every((ip) => [...document.querySelectorAll(".qa.verified")].some((e) => (e as HTMLElement).innerText.includes(ip))),
      { timeout: 60_000 },
      [dbIp, webIp],
    );
    expect(await page.$$eval(".qa.invalid", (els) => els.length)).toBe(0);
    await expectNoErrors(page, errors);
    await page.close();
  }, 120_000);

  test("capture buttons link to this server's /capture in Packetflix's form; the link captures the container's packets", async () => {
    const webNs = nsWith(await json(), hasContainer(names.web));
    const { page, errors } = await open(`/n/${webNs.netnsid}`, (b) => b.includes("network interfaces"));
    const links = await page.$$eval('a[href^="packetflix:"]', (as) => as.map((a) => a.getAttribute("href")!));
    const prefix = `packetflix:${base.replace(/^http/, "ws")}/capture?container=`;
    const ofWeb = links
      .filter((l) => l.startsWith(prefix))
      .map((l) => new URL(l.slice("packetflix:".length)))
      .find((u) => JSON.parse(u.searchParams.get("container")!).name === names.web);
    expect(ofWeb).toBeDefined();
    const container = JSON.parse(ofWeb!.searchParams.get("container")!);
    const nifs = webNs["network-interfaces"].filter((i: Json) => i.operstate !== "DOWN").map((i: Json) => i.name);
    expect(container).toEqual({ netns: webNs.netnsid, "network-interfaces": expect.arrayContaining(nifs.filter((n: string) => n !== "lo")), name: names.web, type: "docker", prefix: "" });
    expect(ofWeb!.searchParams.get("nif")!.split("/").sort()).toEqual([...container["network-interfaces"]].sort());
    await expectNoErrors(page, errors);
    await page.close();

    // What Edgeshark's Wireshark plugin does with the link: a websocket to it, pcapng in binary
    // messages. Requests to the published port reach httpd in the container while it captures.
    const chunks: Uint8Array[] = [];
    const ws = new WebSocket(ofWeb!.toString());
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (m) => chunks.push(new Uint8Array(m.data as ArrayBuffer)));
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("close", (e) => reject(new Error(`capture refused: ${e.code} ${e.reason}`)), { once: true });
    });
    for (let i = 0; i < 40 && chunks.reduce((n, c) => n + c.length, 0) < 4096; i++) {
      await fetch(`http://127.0.0.1:${WEB_PORT}/`).then((r) => r.text()).catch(() => "");
      await Bun.sleep(250);
    }
    ws.close();
    const file = join(lab.dir, "ui-link.pcapng");
    await Bun.write(file, new Blob(chunks as BlobPart[]));
    const http = tshark(file, "-Y", "http.request", "-T", "fields", "-e", "frame.interface_name");
    expect(http.length).toBeGreaterThan(0);
  }, 120_000);

  test("the same check from the command line: wiresight mobydig CONTAINER", async () => {
    const dbIp = engine.inspect(names.db).NetworkSettings.Networks[names.net].IPAddress as string;
    const json = Bun.spawnSync([BUILT_BINARY, "mobydig", names.web, "--json"], { stderr: "pipe" });
    const verdicts = json.stdout.toString().trim().split("\n").map((l) => JSON.parse(l));
    expect(verdicts.filter((v) => v.quality === "invalid")).toEqual([]);
    expect([json.exitCode, json.stderr.toString()]).toEqual([0, ""]);
    const final = (fqdn: string) => verdicts.filter((v) => v.fqdn === fqdn).at(-1);
    for (const n of [names.db, `${names.db}.${names.net}`, "db", names.alias, `${names.alias}.${names.net}`]) expect(final(`${n}.`)).toEqual({ fqdn: `${n}.`, address: dbIp, quality: "verified" });
    const text = Bun.spawnSync([BUILT_BINARY, "mobydig", names.web]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout.toString()).toContain(`ok   ${`${names.db}.${names.net}.`.padEnd(40)} ${dbIp}`);
    const unknown = Bun.spawnSync([BUILT_BINARY, "mobydig", `${lab.prefix}-nope`], { stderr: "pipe" });
    expect([unknown.exitCode, unknown.stderr.toString().trim()]).toEqual([1, `wiresight: Docker container "${lab.prefix}-nope" not found`]);
  }, 120_000);

  /** The innerText of the interface list row (badge, relations, details) of `name`. */
  async function rowOf(page: Page, name: string): Promise<string> {
    return page.$$eval(
      ".nif",
      (rows, n) => rows.map((r) => (r as HTMLElement).innerText).find((t) => t.split("\n")[0]!.includes(n as string)) ?? "",
      name,
    );
  }

  async function badgeId(page: Page, name: string): Promise<string> {
    return page.$$eval(".name", (els, n) => {
      const el = els.find((e) => e.textContent === n);
      let p: Element | null | undefined = el;
      while (p && !p.id) p = p.parentElement;
      return p?.id ?? "";
    }, name);
  }

  /** Opens the collapsed sections of a details page. */
  async function expandAll(page: Page): Promise<void> {
    for (const b of await page.$$('button[aria-label="expand"]')) await b.click().catch(() => {});
  }
});
