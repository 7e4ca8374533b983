// Map benchmark: the first full render of the map at `/` in Debian's Chromium, at 300 and 1000
// namespaces (issue 19: under 2 s at 300). The host is Docker-like and made by hand (no kernel,
// no root): a host namespace with eth0 and a docker0 bridge whose ports are veths to N container
// namespaces, each with lo and eth0 (an address) and a container with an image. The real schema
// and server serve it from a temporary store, as `serve` would after its first discovery.
//
// Measured per N, over R fresh page loads (no cache): from navigation start to the first complete
// drawing (`performance.mark("wiresight:first-render")`, set once ELK's layout is drawn: script
// load, history and topology queries, layout, SVG), and the render alone (layout + SVG, the page's
// `renderMs`). Baseline in the same run: the same topology query fetched by Bun (no browser), so
// the ratio says what the browser adds to the server's answer.
//
//   bun bench/map.ts [--namespaces 300,1000] [--repetitions 3]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import puppeteer from "puppeteer-core";
import { AlertEngine } from "../src/alerts/index.ts";
import { containerKey, engineKey } from "../src/model/containers.ts";
import type { Topology } from "../src/model/topology.ts";
import { buildSchema, schemaLimits } from "../src/schema/index.ts";
import { startServer } from "../src/server/server.ts";
import { Store } from "../src/store/index.ts";
import { MAP_TOPOLOGY } from "../src/web/data/queries.ts";
import { LiveDouble } from "../test/helpers/live-double.ts";
import { TopologyBuilder } from "../test/model/build-topology.ts";

const { values: opts } = parseArgs({ options: { namespaces: { type: "string", default: "300,1000" }, repetitions: { type: "string", default: "3" } } });
const SIZES = opts.namespaces.split(",").map(Number);
const REPS = Number(opts.repetitions);

function dockerHost(n: number): Topology {
  const b = new TopologyBuilder();
  const host = b.ns("host", { initial: true });
  b.iface(host, "eth0", "physical", ["192.0.2.10/24"]);
  const ports = [];
  const containers: Topology["containers"] = [];
  for (let i = 0; i < n; i++) {
    const ns = b.ns(`c${i}`);
    const [port] = b.veth(host, `veth${i.toString(16).padStart(7, "0")}`, ns, "eth0", [], [`172.${16 + (i >> 16)}.${(i >> 8) & 255}.${(i & 255) + 1}/16`]);
    ports.push(port);
    const key = containerKey("docker", i.toString(16).padStart(64, "0"));
    ns.containers = [key];
    containers.push({ key, engine: engineKey("docker", "proc:bench:1:1"), id: i.toString(16).padStart(64, "0"), name: `app-${i}`, image: "nginx:1.27", state: "running", enginePid: 1, process: null, netns: ns.key, labels: {}, privileged: false, groups: [{ kind: "compose-project", name: `p${i % 20}` }], networks: [], containerdNamespace: null, pod: null });
  }
  b.bridge(host, "docker0", ports, ["172.16.0.1/16"]);
  const t = b.build();
  t.containers.push(...containers);
  return t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const profile = mkdtempSync(join(tmpdir(), "wiresight-bench-chromium-"));
const browser = await puppeteer.launch({
  executablePath: Bun.which("chromium")!,
  userDataDir: profile,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  console.log("namespaces  first render (median, ms)  render alone (ms)  topology query by Bun (ms)  first render / query");
  for (const n of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), "wiresight-bench-map-"));
    const store = Store.open(join(dir, "history.db"));
    const live = new LiveDouble(store, dockerHost(n));
    const alerts = AlertEngine.open({ store, live, tickMs: null, warn: () => {} });
    const server = await startServer({ schema: buildSchema(), plugins: schemaLimits(), context: { live, store, alerts, baseUrl: "" }, live, listen: "127.0.0.1:0", logging: false });
    try {
      const queryMs: number[] = [];
      for (let r = 0; r < REPS; r++) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: MAP_TOPOLOGY, variables: { at: null } }) });
        await res.json();
        queryMs.push(performance.now() - t0);
      }
      await (await fetch(`${server.url}/`)).text(); // bundles the page when run from source: not the browser's time
      const firstMs: number[] = [];
      const renderMs: number[] = [];
      for (let r = 0; r < REPS; r++) {
        const page = await browser.newPage();
        await page.setCacheEnabled(false);
        await page.setViewport({ width: 1600, height: 1000 });
        await page.goto(`${server.url}/`);
        await page.waitForFunction((want: number) => document.body.dataset.state === "ready" && Number(document.body.dataset.groups) === want, { timeout: 600_000, polling: 50 }, n + 1);
        const m = await page.evaluate(() => ({ first: performance.getEntriesByName("wiresight:first-render")[0]?.startTime ?? NaN, render: Number(document.body.dataset.renderMs) }));
        firstMs.push(m.first);
        renderMs.push(m.render);
        await page.close();
      }
      const first = median(firstMs);
      console.log(`${String(n).padStart(10)}  ${first.toFixed(0).padStart(25)}  ${median(renderMs).toFixed(0).padStart(17)}  ${median(queryMs).toFixed(0).padStart(26)}  ${(first / median(queryMs)).toFixed(1).padStart(20)}`);
    } finally {
      await server.stop();
      await alerts.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
