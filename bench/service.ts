// Service benchmark: `wiresight serve` as users run it — the compiled binary as a child process,
// default settings — measured from outside, at several sizes in one run. The lab (bench/lab.ts,
// rich: each container namespace has a veth into a bridge hub, a macvlan, a vxlan, a tap and
// listening TCP/UDP sockets) grows from one size to the next while the server runs. At each size:
//   1. change → event: `ip -n <container> link add bvA type veth peer name bvB` (then `link del
//      bvA`), --changes times, each timed from just before `ip` is spawned to the matching
//      topologyChanges event at a graphql-ws client: p50 / p90 / max;
//   2. RSS after a full pass at that size: of a server started fresh on the host as it is (its
//      start, then discoverNow), and of the long-running one (which has served the benchmark's
//      queries and grown with the lab);
// and at the largest size:
//   3. during a full pass (discoverNow): /healthz and a one-namespace GraphQL query, each asked
//      in a loop, one at a time — the longest each waited, and how long the pass took;
//   4. a full-topology query (every namespace with interfaces, addresses, relations, routes,
//      sockets), p50 of --queries;
//   5. optionally a churn soak (--soak-minutes): namespaces created and deleted without pause,
//      RSS sampled every 5 s.
// Ratios against the smallest size are printed beside the targets; nothing is asserted. The
// machine is measured as it is: other work on it shows in the figures.
//
//   bun bench/service.ts [--sizes 20,300,1000] [--changes 40] [--binary dist/wiresight]
//                        [--workers N] [--queries 10] [--soak-minutes 0]

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient, type Client } from "graphql-ws";
import { cleanupOnExit, createLab, destroyCreated, newPrefix, percentile, removeStaleLabs, waitForIdle, type LabNamespace } from "./lab.ts";

const { values: opts } = parseArgs({
  options: {
    sizes: { type: "string", default: "20,300,1000" },
    changes: { type: "string", default: "40" },
    binary: { type: "string", default: join(import.meta.dir, "../dist/wiresight") },
    workers: { type: "string" },
    queries: { type: "string", default: "10" },
    "soak-minutes": { type: "string", default: "0" },
  },
});
const SIZES = opts.sizes!.split(",").map(Number);
const CHANGES = Number(opts.changes);
const QUERIES = Number(opts.queries);
const SOAK_MS = Number(opts["soak-minutes"]) * 60_000;
if (process.getuid?.() !== 0) {
  console.error("bench: must run as root (it creates network namespaces)");
  process.exit(2);
}
if (!SIZES.every((n) => Number.isInteger(n) && n > 0) || SIZES.some((n, i) => i > 0 && n <= SIZES[i - 1]!)) {
  console.error("bench: --sizes takes growing whole numbers, like 20,300,1000");
  process.exit(2);
}
const binary = opts.binary!;
if (!existsSync(binary)) {
  console.error(`bench: ${binary} is missing: npm run build`);
  process.exit(2);
}
const newestSource = newest(join(import.meta.dir, "../src"));
if (statSync(binary).mtimeMs < newestSource) console.error(`bench: warning: ${binary} is older than src/ (npm run build)`);

const dir = mkdtempSync(join(tmpdir(), "wiresight-bench-service-"));
let server: ChildProcess | null = null;
const extraServers = new Set<ChildProcess>();
const churned = new Set<string>();
const cleanup = cleanupOnExit(() => {
  server?.kill("SIGKILL");
  for (const c of extraServers) c.kill("SIGKILL");
  for (const ns of churned) Bun.spawnSync(["ip", "netns", "del", ns]);
  rmSync(dir, { recursive: true, force: true });
});

const ms = (x: number) => `${x.toFixed(1)} ms`;
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let latest = 0;
  for (const name of new Bun.Glob("**/*.ts").scanSync(path)) latest = Math.max(latest, statSync(join(path, name)).mtimeMs);
  return latest;
}

function memory(pid: number): { rssKb: number; peakKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  return { rssKb: field("VmRSS"), peakKb: field("VmHWM") };
}

async function startServer(db = "serve.db"): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const args = ["serve", "--listen", `127.0.0.1:${port}`, "--db", join(dir, db), ...(opts.workers ? ["--workers", opts.workers] : [])];
  const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  if (db === "serve.db") server = child;
  else extraServers.add(child);
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; !stderr.includes("listening on"); i++) {
    if (i > 3000 || child.exitCode !== null) throw new Error(`serve did not start: ${stderr}`);
    await Bun.sleep(100);
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, child };
}

/**
 * A second server started on the host as it is now: its RSS once its first full pass is done
 * (its start, then discoverNow), with no query served but that one — the watcher's own memory at
 * this size, apart from what the long-running server's queries and history left behind.
 */
async function freshServerRss(size: number): Promise<number> {
  const fresh = await startServer(`fresh-${size}.db`);
  try {
    await query(fresh.url, "mutation { discoverNow { revision { revision } } }");
    return memory(fresh.pid).rssKb;
  } finally {
    fresh.child.kill("SIGTERM");
    await new Promise((r) => (fresh.child.exitCode !== null ? r(null) : fresh.child.on("exit", r)));
    extraServers.delete(fresh.child);
  }
}

async function query(url: string, q: string): Promise<{ data: any; bytes: number }> {
  const res = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: q }) });
  const text = await res.text();
  const body = JSON.parse(text);
  if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return { data: body.data, bytes: text.length };
}

function wsClientFor(url: string): Client {
  return createClient({ url: url.replace(/^http/, "ws") + "/graphql", webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
}

async function waitForNamespaces(url: string, names: string[]): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const { data } = await query(url, "{ topology { namespaces { displayName } } }");
    const seen = new Set(data.topology.namespaces.map((x: { displayName: string }) => x.displayName));
    const missing = names.filter((n) => !seen.has(n)).length;
    if (missing === 0) return;
    if (Date.now() > deadline) throw new Error(`the server still misses ${missing} of ${names.length} lab namespaces after 600 s`);
    await Bun.sleep(1000);
  }
}

/** Change → event at a websocket subscriber: a veth pair added, then deleted, in one container at a time. */
async function changeLatency(url: string, containers: LabNamespace[]): Promise<number[]> {
  const client = wsClientFor(url);
  let waiting: { op: string; netns: string; resolve: () => void } | null = null;
  const keyOf = new Map<string, string>();
  const { data } = await query(url, "{ topology { namespaces { key displayName } } }");
  for (const ns of data.topology.namespaces) keyOf.set(ns.displayName, ns.key);
  const unsubscribe = client.subscribe(
    { query: "subscription { topologyChanges(filter: { kinds: [INTERFACE], ops: [ADDED, REMOVED] }) { op key ... on EntityAdded { after } ... on EntityRemoved { before } } }" },
    {
      next: (r: any) => {
        const c = r.data?.topologyChanges;
        const name = (c?.after ?? c?.before)?.name;
        if (waiting && c?.op === waiting.op && name === "bvA" && c.key.startsWith(`${waiting.netns}/`)) {
          const w = waiting;
          waiting = null;
          w.resolve();
        }
      },
      error: (e) => console.error("bench: subscription error", e),
      complete: () => {},
    },
  );
  await Bun.sleep(500);
  const latencies: number[] = [];
  for (let r = 0; r < CHANGES; r++) {
    const c = containers[Math.floor(r / 2) % containers.length]!;
    const add = r % 2 === 0;
    const arrived = new Promise<void>((resolve, reject) => {
      waiting = { op: add ? "ADDED" : "REMOVED", netns: keyOf.get(c.name)!, resolve };
      setTimeout(() => reject(new Error(`no event for ${c.name} within 30 s`)), 30_000);
    });
    const t = performance.now();
    const ip = Bun.spawn(["ip", "-n", c.name, "link", ...(add ? ["add", "bvA", "type", "veth", "peer", "name", "bvB"] : ["del", "bvA"])], { stdout: "ignore", stderr: "inherit" });
    await arrived;
    latencies.push(performance.now() - t);
    await ip.exited;
    await Bun.sleep(100 + Math.random() * 100); // spread over the server's timers (full passes, rescans)
  }
  unsubscribe();
  await client.dispose();
  return latencies;
}

/** During one full pass: /healthz and a one-namespace query, each asked one at a time in a loop; the longest wait of each. */
async function waitsDuringFullPass(url: string, oneNamespace: string): Promise<{ passMs: number; healthz: number[]; query: number[] }> {
  const healthz: number[] = [];
  const q: number[] = [];
  let done = false;
  const loop = async (times: number[], ask: () => Promise<unknown>) => {
    while (!done) {
      const t = performance.now();
      await ask();
      times.push(performance.now() - t);
      await Bun.sleep(10);
    }
  };
  const one = `{ namespaces(filter: { name: ${JSON.stringify(oneNamespace)} }) { edges { node { displayName interfaces { name mtu addresses { address } } } } } }`;
  const loops = [loop(healthz, () => fetch(`${url}/healthz`).then((r) => r.text())), loop(q, () => query(url, one))];
  await Bun.sleep(200);
  const t = performance.now();
  await query(url, "mutation { discoverNow { revision { revision } } }");
  const passMs = performance.now() - t;
  done = true;
  await Promise.all(loops);
  return { passMs, healthz, query: q };
}

const FULL_TOPOLOGY = `{ topology { revision namespaces { key displayName inode
  interfaces { key name kind mac mtu operState up addresses { address prefixLength } peer { key } bridge { key } ports { key } master { key } }
  routes { destination prefixLength gateway table }
  sockets { protocol localAddress localPort state processes { pid comm } } } } }`;

async function fullQuery(url: string): Promise<{ p50: number; max: number; namespaces: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  let namespaces = 0;
  for (let i = 0; i < QUERIES + 1; i++) {
    const t = performance.now();
    const r = await query(url, FULL_TOPOLOGY);
    if (i > 0) times.push(performance.now() - t); // one warm-up
    bytes = r.bytes;
    namespaces = r.data.topology.namespaces.length;
  }
  return { p50: percentile(times, 0.5), max: Math.max(...times), namespaces, bytes };
}

async function soak(url: string, pid: number, prefix: string): Promise<void> {
  console.log(`\nchurn soak, ${SOAK_MS / 60_000} min: namespaces with a veth pair created and deleted continuously`);
  const client = wsClientFor(url);
  let events = 0;
  const unsubscribe = client.subscribe(
    { query: "subscription { topologyChanges { revision op key } }" },
    { next: () => void events++, error: (e) => console.error("bench: soak subscription error", e), complete: () => {} },
  );
  const samples: { t: number; kb: number }[] = [];
  const started = Date.now();
  let cycles = 0;
  while (Date.now() - started < SOAK_MS) {
    const batch = Array.from({ length: 5 }, (_, i) => `${prefix}-k${cycles}x${i}`);
    for (const ns of batch) churned.add(ns);
    Bun.spawnSync(["ip", "-batch", "-"], { stdin: Buffer.from(batch.map((ns) => `netns add ${ns}`).join("\n") + "\n") });
    batch.forEach((ns, i) =>
      Bun.spawnSync(["ip", "-n", ns, "-batch", "-"], { stdin: Buffer.from(["link add a type veth peer name b", `addr add 10.99.${i}.1/24 dev a`, "link set a up", "link set b up", ""].join("\n")) }),
    );
    await Bun.sleep(300);
    Bun.spawnSync(["ip", "-batch", "-"], { stdin: Buffer.from(batch.map((ns) => `netns del ${ns}`).join("\n") + "\n") });
    for (const ns of batch) churned.delete(ns);
    await Bun.sleep(200);
    if (samples.length === 0 || Date.now() - started - samples.at(-1)!.t >= 5000) samples.push({ t: Date.now() - started, kb: memory(pid).rssKb });
    cycles++;
  }
  unsubscribe();
  await client.dispose();
  const first = samples.filter((s) => s.t < 60_000).map((s) => s.kb);
  const last = samples.filter((s) => s.t >= SOAK_MS - 60_000).map((s) => s.kb);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(`   ${cycles} cycles (${cycles * 5} namespaces created and deleted), ${events} change events received`);
  console.log(`   RSS first minute avg ${mb(avg(first))} → last minute avg ${mb(avg(last))}`);
}

interface Row {
  n: number;
  namespaces: number;
  latencies: number[];
  rssKb: number;
  freshRssKb: number;
}

async function main(): Promise<void> {
  removeStaleLabs((s) => console.log(`bench: ${s}`));
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(`wiresight service benchmark — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} CPUs, load ${load}, ${binary} serve${opts.workers ? ` --workers ${opts.workers}` : ""}`);
  const { url, pid } = await startServer();
  console.log(`server ${url}, pid ${pid}, RSS at start ${mb(memory(pid).rssKb)}`);
  const rows: Row[] = [];
  const containers: LabNamespace[] = [];
  let have = 0;
  for (const n of SIZES) {
    const t = performance.now();
    const lab = await createLab(newPrefix(), n - have, { rich: true });
    have = n;
    containers.push(...lab.namespaces.filter((x) => x.role === "container"));
    await waitForNamespaces(url, lab.namespaces.map((x) => x.name));
    await waitForIdle(60_000);
    await query(url, "mutation { discoverNow { revision { revision } } }"); // RSS is measured after a full pass at this size
    const rssKb = memory(pid).rssKb;
    const { data } = await query(url, "{ topology { namespaces { key } } }");
    console.log(`\nN = ${n} containers (${data.topology.namespaces.length} namespaces on the host), lab grown in ${ms(performance.now() - t)}; RSS after a full pass ${mb(rssKb)}`);
    const freshRssKb = await freshServerRss(n);
    console.log(`   a server started fresh at this size: RSS after its first full pass ${mb(freshRssKb)}`);
    await waitForIdle(30_000);
    const latencies = await changeLatency(url, containers);
    rows.push({ n, namespaces: data.topology.namespaces.length, latencies, rssKb, freshRssKb });
    console.log(`   change → event: p50 ${ms(percentile(latencies, 0.5))}   p90 ${ms(percentile(latencies, 0.9))}   max ${ms(Math.max(...latencies))}   (${CHANGES} changes)`);
  }
  const largest = containers.at(-1)!.name;
  await waitForIdle(30_000);
  const w = await waitsDuringFullPass(url, largest);
  console.log(`\nduring a full pass at N = ${SIZES.at(-1)} (${ms(w.passMs)}): /healthz waited at most ${ms(Math.max(...w.healthz))} (${w.healthz.length} asked), a one-namespace query at most ${ms(Math.max(...w.query))} (${w.query.length} asked)   (target ≤ 50 ms each)`);
  if (QUERIES > 0) {
    const f = await fullQuery(url);
    console.log(`full-topology query (${f.namespaces} namespaces, ${(f.bytes / 1e6).toFixed(1)} MB of JSON): p50 ${ms(f.p50)}, max ${ms(f.max)}`);
  }
  const mem = memory(pid);
  console.log(`server RSS now ${mb(mem.rssKb)}, peak ${mb(mem.peakKb)}`);

  const base = rows[0]!;
  const p90 = (r: Row) => percentile(r.latencies, 0.9);
  console.log(`\nsummary (targets: p90 ≤ 50 ms at every N, p90 at the largest ≤ 1.5 × at the smallest; RSS ≤ 100 MB at 20, ≤ 150 MB at 1000)`);
  for (const r of rows)
    console.log(
      `   N = ${String(r.n).padStart(5)}: p90 ${ms(p90(r)).padStart(9)} (${(p90(r) / p90(base)).toFixed(2)} × N = ${base.n})   p50 ${ms(percentile(r.latencies, 0.5)).padStart(9)}   max ${ms(Math.max(...r.latencies)).padStart(9)}   ` +
        `RSS ${mb(r.freshRssKb)} fresh, ${mb(r.rssKb)} long-running`,
    );

  if (SOAK_MS > 0) {
    destroyCreated();
    await soak(url, pid, newPrefix());
  }
  server?.kill("SIGTERM");
}

try {
  await main();
} finally {
  cleanup();
}
