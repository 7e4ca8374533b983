// `dump --format dot` and `--format mermaid` (src/api/dot.ts, mermaid.ts) read by the programs
// that draw them: Graphviz's `dot` (its JSON output lists the clusters, nodes and edges it laid
// out) and Mermaid itself in Chromium (the SVG it renders). Then the compiled binary's dot output
// over a real lab: the lab's namespaces are clusters, its veth pair an edge.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { toDot } from "../../src/api/dot.ts";
import { toMermaid } from "../../src/api/mermaid.ts";
import { wiringOf } from "../../src/model/wiring.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";
import { waitForOperUp } from "../helpers/link-state.ts";
import { ensureTool } from "../helpers/packages.ts";
import { BUILT_BINARY } from "../helpers/serve-binary.ts";
import { sampleHost } from "../model/sample-host.ts";

/** The sample host, with a namespace whose name holds what both formats must escape. */
function awkwardHost() {
  const t = sampleHost();
  t.namespaces[2]!.displayName = 'db "main" <b>#1</b> \\ *x_y*';
  return t;
}
const wiring = wiringOf(awkwardHost());

interface DotJson {
  objects?: { name: string; label?: string; nodes?: number[] }[];
  edges?: { tail: number; head: number; label?: string }[];
}

/** A label as Graphviz's JSON gives it back (its DOT escapes kept): the lines it says. */
function lines(label: string): string[] {
  return label.split("\\n").map((l) => l.replace(/\\(.)/g, "$1"));
}

function dotJson(text: string): DotJson {
  ensureTool("dot", "graphviz");
  const r = spawnSync("dot", ["-Tjson"], { input: text, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`dot refused the graph: ${r.stderr}`);
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout);
}

describe("dot", () => {
  test("Graphviz lays it out: a cluster per namespace with its rows, an edge per wire with its kind", () => {
    const g = dotJson(toDot(wiring));
    const clusters = (g.objects ?? []).filter((o) => o.name.startsWith("cluster_"));
    expect(clusters.map((c) => lines(c.label!))).toEqual([["host (host)"], ["web", "nginx:1.25 · compose shop"], ['db "main" <b>#1</b> \\ *x_y*']]);
    const nodes = (g.objects ?? []).filter((o) => !o.name.startsWith("cluster_"));
    expect(clusters.map((c) => c.nodes!.length)).toEqual(wiring.groups.map((x) => x.rows.length));
    expect(nodes.map((n) => lines(n.label!))).toContainEqual(["docker0 (bridge)", "172.17.0.1/16", "network bridge"]);
    expect(nodes.map((n) => lines(n.label!))).toContainEqual(["tap0 (tuntap, down)"]);
    expect((g.edges ?? []).map((e) => e.label).sort()).toEqual(wiring.wires.map((w) => ({ veth: "veth", bridge: "bridge port", lower: "lower device", underlay: "underlay", controller: "member", tun: "tun/tap user", forward: "forwarded port" })[w.kind]).sort());
  });
});

describe("mermaid", () => {
  let browser: Browser;
  const profile = mkdtempSync(join(tmpdir(), "wiresight-chromium-"));
  beforeAll(async () => {
    ensureTool("chromium", "chromium");
    browser = await puppeteer.launch({
      executablePath: Bun.which("chromium")!,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  test("Mermaid renders it: a subgraph per namespace, a node per row, a link per wire; names shown as written", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.setContent("<!doctype html><html><body></body></html>");
    await page.addScriptTag({ path: join(import.meta.dir, "../../node_modules/mermaid/dist/mermaid.min.js") });
    const drawn = await page.evaluate(async (text: string) => {
      const m = (window as any).mermaid;
      m.initialize({ startOnLoad: false });
      const { svg } = await m.render("wiring", text);
      document.body.innerHTML = svg;
      const doc = document.body;
      const texts = (sel: string) => [...doc.querySelectorAll(sel)].map((e) => (e as HTMLElement).innerText ?? e.textContent ?? "");
      return { clusters: texts("g.cluster .cluster-label"), nodes: doc.querySelectorAll("g.node").length, links: doc.querySelectorAll("g.edgePaths path, path.flowchart-link").length, edgeLabels: texts("g.edgeLabel") };
    }, toMermaid(wiring));
    expect(errors).toEqual([]);
    // Lines join with <br>, so a label's text runs them together.
    expect(drawn.clusters.map((c) => c.trim()).sort()).toEqual(["host (host)", "webnginx:1.25 · compose shop", 'db "main" <b>#1</b> \\ *x_y*'].sort());
    expect(drawn.nodes).toBe(wiring.groups.reduce((n, g) => n + g.rows.length, 0));
    expect(drawn.links).toBe(wiring.wires.length);
    expect(drawn.edgeLabels.filter((l) => l.trim() === "bridge port")).toHaveLength(2);
    await page.close();
  }, 60_000);
});

describe("the compiled binary's dump --format dot over a lab", () => {
  const root = requireRoot();
  const lab = new Lab();
  afterAll(() => lab.cleanup());

  test.if(root)("the lab's namespaces are clusters with their interfaces; its veth pair is one edge between them", async () => {
    const a = lab.netns("a");
    const b = lab.netns("b");
    lab.veth({ ns: a, name: "to-b", cidr: "10.77.0.1/30" }, { ns: b, name: "to-a", cidr: "10.77.0.2/30" });
    // The kernel's link watch sets a veth's operational state up a moment after both ends are.
    await waitForOperUp([[a, "to-b"], [b, "to-a"]]);
    const r = spawnSync(BUILT_BINARY, ["dump", "--format", "dot", "--listening-only"], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
    expect(r.status).toBe(0);
    const g = dotJson(r.stdout);
    const objects = g.objects ?? [];
    const cluster = (name: string) => objects.find((o) => o.name.startsWith("cluster_") && lines(o.label!)[0] === name);
    const [ca, cb] = [cluster(a), cluster(b)];
    expect(ca).toBeDefined();
    expect(cb).toBeDefined();
    const label = (i: number) => lines(objects[i]!.label!);
    expect(ca!.nodes!.map((i) => label(i)[0])).toEqual(["lo (loopback)", "to-b (veth)"]);
    expect(cb!.nodes!.map((i) => label(i)[0])).toEqual(["lo (loopback)", "to-a (veth)"]);
    expect(ca!.nodes!.map((i) => label(i)).find((l) => l[0] === "to-b (veth)")).toContain("10.77.0.1/30");
    const toB = ca!.nodes!.find((i) => label(i)[0] === "to-b (veth)")!;
    const toA = cb!.nodes!.find((i) => label(i)[0] === "to-a (veth)")!;
    const between = (g.edges ?? []).filter((e) => [e.tail, e.head].sort().join() === [toA, toB].sort().join());
    expect(between.map((e) => e.label)).toEqual(["veth"]);
  }, 120_000);
});
