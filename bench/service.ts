// Service benchmark: `wiresight serve` as users run it (a child process, default settings), measured
// from outside, the way a client sees it:
//   1. change → event at a websocket client: with N container namespaces (bench/lab.ts), the time
//      from `ip -n <container> link set eth0 down|up` to the matching topologyChanges event over
//      graphql-ws, p50/p99 (target p99 < 100 ms). The clock starts before `ip` is spawned.
//   2. query latency of the full topology (every namespace with its interfaces, addresses,
//      relations, routes, sockets) at M namespaces, over HTTP.
//   3. churn soak: namespaces (each with a veth pair and addresses) created and deleted without
//      pause for S minutes while the server watches; its RSS is sampled throughout and should
//      stay flat. A websocket subscriber counts the events it receives meanwhile.
// Everything it creates lives under a unique prefix and is removed whatever happens.
//
//   bun bench/service.ts [--namespaces 100] [--repetitions 200] [--query-namespaces 500]
//                        [--queries 20] [--soak-minutes 10] [--binary dist/wiresight]

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient, type Client } from "graphql-ws";
import { cleanupOnExit, createLab, destroyCreated, newPrefix, percentile, removeStaleLabs, waitForIdle } from "./lab.ts";

const { values: opts } = parseArgs({
  options: {
    namespaces: { type: "string", default: "100" },
    repetitions: { type: "string", default: "200" },
    "query-namespaces": { type: "string", default: "500" },
    queries: { type: "string", default: "20" },
    "soak-minutes": { type: "string", default: "10" },
    binary: { type: "string" },
  },
});
const N = Number(opts.namespaces);
const REPS = Number(opts.repetitions);
const M = Number(opts["query-namespaces"]);
const QUERIES = Number(opts.queries);
const SOAK_MS = Number(opts["soak-minutes"]) * 60_000;
if (process.getuid?.() !== 0) {
  console.error("bench: must run as root (it creates network namespaces)");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "wiresight-bench-service-"));
let server: ChildProcess | null = null;
const churned = new Set<string>();
const cleanup = cleanupOnExit(() => {
  server?.kill("SIGKILL");
  for (const ns of churned) Bun.spawnSync(["ip", "netns", "del", ns]);
  rmSync(dir, { recursive: true, force: true });
});

const ms = (x: number) => `${x.toFixed(1)} ms`;
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

async function startServer(): Promise<{ url: string; pid: number }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const cmd = opts.binary
    ? [opts.binary]
    : [process.execPath, join(import.meta.dir, "../src/cli/main.ts")];
  const child = spawn(cmd[0]!, [...cmd.slice(1), "serve", "--listen", `127.0.0.1:${port}`, "--db", join(dir, "serve.db")], { stdio: ["ignore", "ignore", "pipe"] });
  server = child;
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; !stderr.includes("listening on"); i++) {
    if (i > 1200 || child.exitCode !== null) throw new Error(`serve did not start: ${stderr}`);
    await Bun.sleep(100);
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid! };
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

async function waitForNamespaces(url: string, prefix: string, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { data } = await query(url, "{ topology { namespaces { displayName } } }");
    const n = data.topology.namespaces.filter((x: { displayName: string }) => x.displayName.startsWith(prefix)).length;
    if (n >= count) return;
    if (Date.now() > deadline) throw new Error(`the server sees ${n} of ${count} lab namespaces after 120 s`);
    await Bun.sleep(500);
  }
}

async function latency(url: string, prefix: string): Promise<void> {
  const lab = await createLab(prefix, N);
  console.log(`lab: ${lab.containers} containers + ${lab.hubs} hubs in ${ms(lab.setupMs)}`);
  await waitForNamespaces(url, prefix, lab.namespaces.length);
  await waitForIdle(30_000);
  const { data } = await query(url, "{ topology { namespaces { displayName interfaces { key name } } } }");
  const eth0 = new Map<string, string>();
  for (const ns of data.topology.namespaces) {
    const i = ns.interfaces.find((x: { name: string }) => x.name === "eth0");
    if (i) eth0.set(ns.displayName, i.key);
  }
  const containers = lab.namespaces.filter((n) => n.role === "container" && eth0.has(n.name));
  const client = wsClientFor(url);
  let waiting: { key: string; resolve: () => void } | null = null;
  const unsubscribe = client.subscribe(
    { query: "subscription { topologyChanges(filter: { kinds: [INTERFACE], ops: [CHANGED] }) { key } }" },
    {
      next: (r: any) => {
        if (waiting && r.data?.topologyChanges?.key === waiting.key) {
          const w = waiting;
          waiting = null;
          w.resolve();
        }
      },
      error: (e) => console.error("bench: subscription error", e),
      complete: () => {},
    },
  );
  await Bun.sleep(1000);
  const latencies: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const c = containers[r % containers.length]!;
    const state = Math.floor(r / containers.length) % 2 === 0 ? "down" : "up";
    const arrived = new Promise<void>((resolve, reject) => {
      waiting = { key: eth0.get(c.name)!, resolve };
      setTimeout(() => reject(new Error(`no event for ${c.name} within 10 s`)), 10_000);
    });
    const t = performance.now();
    const ip = Bun.spawn(["ip", "-n", c.name, "link", "set", "eth0", state], { stdout: "ignore", stderr: "inherit" });
    await arrived;
    latencies.push(performance.now() - t);
    await ip.exited;
    await Bun.sleep(50); // the hub's side of the veth reports too: let that pass go by
  }
  unsubscribe();
  await client.dispose();
  console.log(`\n1. change → event at a websocket client, N=${N} containers (+${lab.hubs} hubs), ${REPS} repetitions (server defaults):`);
  console.log(`   p50 ${ms(percentile(latencies, 0.5))}   p90 ${ms(percentile(latencies, 0.9))}   p99 ${ms(percentile(latencies, 0.99))}   max ${ms(Math.max(...latencies))}   (target p99 < 100 ms)`);
}

const FULL_TOPOLOGY = `{ topology { revision namespaces { key displayName inode
  interfaces { key name kind mac mtu operState up addresses { address prefixLength } peer { key } bridge { key } ports { key } master { key } }
  routes { destination prefixLength gateway table }
  sockets { protocol localAddress localPort state processes { pid comm } } } } }`;

async function queryLatency(url: string, prefix: string): Promise<void> {
  const lab = await createLab(prefix, M);
  console.log(`\nlab: ${lab.containers} containers + ${lab.hubs} hubs in ${ms(lab.setupMs)}`);
  await waitForNamespaces(url, prefix, lab.namespaces.length);
  await waitForIdle(30_000);
  const times: number[] = [];
  let bytes = 0;
  let namespaces = 0;
  for (let i = 0; i < QUERIES + 2; i++) {
    const t = performance.now();
    const r = await query(url, FULL_TOPOLOGY);
    if (i >= 2) times.push(performance.now() - t); // two warm-ups
    bytes = r.bytes;
    namespaces = r.data.topology.namespaces.length;
  }
  console.log(`2. full-topology query (${namespaces} namespaces, ${(bytes / 1e6).toFixed(1)} MB of JSON), ${QUERIES} queries:`);
  console.log(`   p50 ${ms(percentile(times, 0.5))}   p99 ${ms(percentile(times, 0.99))}   max ${ms(Math.max(...times))}`);
}

async function soak(url: string, pid: number, prefix: string): Promise<void> {
  console.log(`\n3. churn soak, ${SOAK_MS / 60_000} min: namespaces with a veth pair created and deleted continuously`);
  const client = wsClientFor(url);
  let events = 0;
  const unsubscribe = client.subscribe(
    { query: "subscription { topologyChanges { revision op key } }" },
    { next: () => void events++, error: (e) => console.error("bench: soak subscription error", e), complete: () => {} },
  );
  const samples: { t: number; kb: number }[] = [];
  const started = Date.now();
  let cycles = 0;
  let stop = false;
  const sampler = (async () => {
    while (!stop) {
      samples.push({ t: Date.now() - started, kb: rssKb(pid) });
      await Bun.sleep(5000);
    }
  })();
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
    cycles++;
  }
  stop = true;
  await sampler;
  unsubscribe();
  await client.dispose();
  const minute = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t < to).map((s) => s.kb);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const first = minute(60_000, 120_000);
  const last = minute(SOAK_MS - 60_000, SOAK_MS + 10_000);
  console.log(`   ${cycles} cycles (${cycles * 5} namespaces created and deleted), ${events} change events received over the websocket`);
  for (let m = 0; m * 60_000 < SOAK_MS; m++) {
    const xs = minute(m * 60_000, (m + 1) * 60_000);
    if (xs.length) console.log(`   minute ${String(m + 1).padStart(2)}: RSS ${mb(Math.min(...xs))} … ${mb(Math.max(...xs))}`);
  }
  console.log(`   RSS minute 2 avg ${mb(avg(first))} → last minute avg ${mb(avg(last))} (${(((avg(last) - avg(first)) / avg(first)) * 100).toFixed(1)}%)`);
}

async function main(): Promise<void> {
  removeStaleLabs((s) => console.log(`bench: ${s}`));
  console.log(`wiresight service benchmark — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} CPUs, ${opts.binary ?? "bun src/cli/main.ts"} serve`);
  const { url, pid } = await startServer();
  console.log(`server ${url}, pid ${pid}, RSS at start ${mb(rssKb(pid))}`);
  if (REPS > 0) await latency(url, newPrefix());
  destroyCreated();
  if (QUERIES > 0) await queryLatency(url, newPrefix());
  console.log(`   server RSS with ${M} namespaces: ${mb(rssKb(pid))}`);
  if (SOAK_MS > 0) await soak(url, pid, newPrefix());
  server?.kill("SIGTERM");
}

try {
  await main();
} finally {
  cleanup();
}
