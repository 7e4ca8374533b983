// Makes the README's screenshot of the map (docs/map.png), reproducibly: a private Docker engine
// (test/helpers/docker.ts: its own data root, socket and bridges; image built locally, no
// registry) with a user-defined network holding two containers, one of them publishing httpd on a
// host port, plus a lab namespace with a bridge, a vxlan over it and a tap held by a process.
// `dist/wiresight serve` is started over that, `/` is opened in Debian's Chromium (puppeteer-core)
// and, once the map is drawn, captured. Everything made is removed again, whatever happens.
//
//   npm run build && flock /tmp/wiresight-heavy.lock node_modules/.bin/bun scripts/map-screenshot.ts docs/map.png
//
// Needs root. The map shows the whole host: namespaces other programs made appear in it too.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { DockerEngine, ensureDockerInstalled, IMAGE } from "../test/helpers/docker.ts";
import { Lab } from "../test/helpers/lab.ts";
import { ensureTool } from "../test/helpers/packages.ts";
import { startServeBinary, type ServeProcess } from "../test/helpers/serve-binary.ts";
import { holdTap, tapHolderBinary } from "../test/helpers/tap-holder.ts";

const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const out = process.argv[2];
if (out === undefined || !out.endsWith(".png")) {
  console.error("usage: bun scripts/map-screenshot.ts OUT.png   (as root, after npm run build)");
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error("map-screenshot: needs root (it starts dockerd and makes network namespaces)");
  process.exit(2);
}

const lab = new Lab();
const profile = mkdtempSync(join(tmpdir(), "wiresight-chromium-"));
let engine: DockerEngine | undefined;
let serve: ServeProcess | undefined;
let browser: Browser | undefined;
try {
  ensureDockerInstalled();
  ensureTool("chromium", "chromium");
  engine = new DockerEngine(lab);
  await engine.start();
  // A published port unlikely to be taken; Docker's DNAT rule and docker-proxy forward it.
  const webPort = 20000 + Math.floor(Math.random() * 20000);
  engine.network(`${lab.prefix}-shop`, "--subnet", "172.31.251.0/24");
  engine.run(`${lab.prefix}-web`, "--network", `${lab.prefix}-shop`, "-p", `${webPort}:80`, IMAGE, "httpd", "-f", "-p", "80", "-h", "/www");
  engine.run(`${lab.prefix}-db`, "--network", `${lab.prefix}-shop`, IMAGE, "sleep", "3600");

  const edge = lab.netns("edge");
  lab.ip(edge, "link", "add", "br0", "type", "bridge");
  lab.ip(edge, "addr", "add", "10.78.0.1/24", "dev", "br0");
  lab.ip(edge, "link", "set", "br0", "up");
  lab.ip(edge, "link", "add", "vx0", "type", "vxlan", "id", "42", "dev", "br0", "dstport", "4789");
  await holdTap(lab, tapHolderBinary(lab), edge, "tp0");

  serve = await startServeBinary(["--db", join(lab.dir, "serve.db"), "--full-pass", "1h"]);
  browser = await puppeteer.launch({ executablePath: Bun.which("chromium")!, userDataDir: profile, args: CHROMIUM_FLAGS });
  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 1000 });
  await page.goto(`${serve.url}/`, { waitUntil: "networkidle0", timeout: 120_000 });
  await page.waitForFunction(() => document.body.dataset.state === "ready", { timeout: 60_000 });
  // Drawn once the published port's forwarding row is in the map (Docker's rules are discovered).
  await page.waitForFunction(
    (port: string) => [...document.querySelectorAll<SVGElement>("[data-row]")].some((r) => r.dataset.name?.startsWith(`tcp *:${port}`)),
    { timeout: 60_000 },
    String(webPort),
  );
  await page.screenshot({ path: resolve(out) as `${string}.png` });
  console.log(`map-screenshot: wrote ${out}`);
} finally {
  await browser?.close().catch(() => {});
  await serve?.stop(5_000);
  await engine?.stop();
  lab.cleanup();
  rmSync(profile, { recursive: true, force: true });
}
