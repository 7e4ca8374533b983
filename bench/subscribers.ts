// Subscriber and query load on `wiresight serve` (the compiled binary, a child process with its
// default settings), measured from outside. Every figure is printed next to a baseline measured
// in the same run; nothing is asserted on time.
//   1. fan-out: S graphql-ws subscribers follow topologyChanges; a lab of C containers is deleted
//      in one `ip -batch` (one revision of ~28 changes per container). /healthz and a small query
//      are probed every few ms from another process throughout: their latency while the revision
//      is written to the subscribers, against the same probes on the idle server.
//   2. concurrent queries: Q clients send the full-topology query at once, at N containers, with
//      the same text and with distinct texts (executed each); against one query at a time.
//   3. a paused subscriber: a raw websocket client subscribes, stops reading while veth pairs
//      are added to the lab's containers, then reads again. What it got is compared with the
//      history (`changes`): was it told where it stopped, and does `sinceRevision` from there
//      fill in the rest exactly?
// Everything it creates lives under a unique prefix and is removed whatever happens.
//
//   bun bench/subscribers.ts [--binary dist/wiresight] [--subscribers 200] [--fanout-containers 60]
//                            [--query-containers 200] [--queries 200] [--rounds 12]

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createClient, type Client } from "graphql-ws";
import { RawGraphqlWs } from "../test/helpers/raw-clients.ts";
import { cleanupOnExit, createLab, destroyCreated, newPrefix, percentile, removeStaleLabs, waitForIdle, type Lab } from "./lab.ts";

const { values: opts } = parseArgs({
  options: {
    binary: { type: "string", default: join(import.meta.dir, "../dist/wiresight") },
    subscribers: { type: "string", default: "200" },
    "fanout-containers": { type: "string", default: "60" },
    "query-containers": { type: "string", default: "200" },
    queries: { type: "string", default: "200" },
    rounds: { type: "string", default: "12" },
  },
});
const SUBSCRIBERS = Number(opts.subscribers);
const FANOUT_CONTAINERS = Number(opts["fanout-containers"]);
const QUERY_CONTAINERS = Number(opts["query-containers"]);
const QUERIES = Number(opts.queries);
const ROUNDS = Number(opts.rounds);
if (process.getuid?.() !== 0) {
  console.error("bench: must run as root (it creates network namespaces)");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "wiresight-bench-subscribers-"));
let server: ChildProcess | null = null;
const cleanup = cleanupOnExit(() => {
  server?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const ms = (x: number) => `${x.toFixed(1)} ms`;
const ratio = (a: number, b: number) => `${(a / Math.max(b, 0.001)).toFixed(1)}×`;

async function startServer(): Promise<string> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(opts.binary!, ["serve", "--listen", `127.0.0.1:${port}`, "--db", join(dir, "serve.db")], { stdio: ["ignore", "ignore", "pipe"] });
  server = child;
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; !stderr.includes("listening on"); i++) {
    if (i > 1200 || child.exitCode !== null) throw new Error(`serve did not start: ${stderr}`);
    await Bun.sleep(100);
  }
  return `http://127.0.0.1:${port}`;
}

async function query(url: string, q: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: q, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`query failed: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data;
}

async function waitForLab(url: string, lab: Lab, present: boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const data = await query(url, "{ topology { namespaces { displayName } } }");
    const n = data.topology.namespaces.filter((x: { displayName: string }) => x.displayName.startsWith(lab.prefix)).length;
    if (present ? n >= lab.namespaces.length : n === 0) return;
    if (Date.now() > deadline) throw new Error(`the server sees ${n} of the ${lab.namespaces.length} lab namespaces after 120 s`);
    await Bun.sleep(500);
  }
}

interface Probe {
  /** When it was sent (ms since the epoch) and how long the answer took. */
  at: number;
  ms: number;
}

/** Wall clock in ms with sub-ms precision, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

// The probes run in their own process: 200 websocket clients keep this one's event loop busy,
// which would otherwise count as the server's latency.
const PROBE_SCRIPT = `
const [url, query] = process.argv.slice(-2);
const now = () => performance.timeOrigin + performance.now();
const probes = { health: [], small: [] };
let stopped = false;
const loop = async (list, run) => {
  while (!stopped) {
    const at = now();
    await run();
    list.push({ at, ms: now() - at });
    await Bun.sleep(3);
  }
};
const runs = [
  loop(probes.health, () => fetch(url + "/healthz").then((r) => r.arrayBuffer())),
  loop(probes.small, () => fetch(url + "/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) }).then((r) => r.arrayBuffer())),
];
for await (const _ of Bun.stdin.stream()) {}
stopped = true;
await Promise.all(runs);
process.stdout.write(JSON.stringify(probes));
`;

/** Probes /healthz and a small query back to back (a few ms apart) until stopped. */
function startProbes(url: string): { stop: () => Promise<{ health: Probe[]; small: Probe[] }> } {
  const child = Bun.spawn([process.execPath, "-e", PROBE_SCRIPT, url, SMALL_QUERY], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  return {
    stop: async () => {
      await child.stdin.end();
      return JSON.parse(await new Response(child.stdout).text());
    },
  };
}

const summary = (p: Probe[]) => {
  const xs = p.map((x) => x.ms);
  return xs.length === 0 ? "no probes" : `p50 ${ms(percentile(xs, 0.5))}  p99 ${ms(percentile(xs, 0.99))}  max ${ms(Math.max(...xs))}  (${xs.length} probes)`;
};

const CHANGE_FIELDS = `revision time kind op key nodeId
  ... on EntityAdded { after } ... on EntityRemoved { before } ... on EntityChanged { before after fields { field before after } }`;
const SUBSCRIPTION = `subscription { topologyChanges { ${CHANGE_FIELDS} } }`;
const SMALL_QUERY = "{ revision }";

async function fanout(url: string): Promise<void> {
  const lab = await createLab(newPrefix(), FANOUT_CONTAINERS);
  await waitForLab(url, lab, true);
  await waitForIdle(30_000);
  let probes = startProbes(url);
  await Bun.sleep(3000);
  const idle = await probes.stop();

  const labKeys = new Set<string>(
    (await query(url, "{ topology { namespaces { key displayName } } }")).topology.namespaces
      .filter((n: { displayName: string }) => n.displayName.startsWith(lab.prefix))
      .map((n: { key: string }) => n.key),
  );
  const clients: Client[] = [];
  const counts = new Array<number>(SUBSCRIBERS).fill(0);
  // Other programs on the host make revisions too: the lab's deletion is the revisions that
  // remove its namespaces, timed at every subscriber from their first event to their last.
  const labRevisions = new Set<number>();
  const arrivals = new Map<number, { first: number; last: number; events: number }>();
  let errors = 0;
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const client = createClient({ url: url.replace(/^http/, "ws") + "/graphql", webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
    clients.push(client);
    client.subscribe(
      { query: SUBSCRIPTION },
      {
        next: (r: any) => {
          const at = now();
          const e = r.data?.topologyChanges;
          counts[i]!++;
          if (!e) return;
          if (e.kind === "NAMESPACE" && e.op === "REMOVED" && labKeys.has(e.key)) labRevisions.add(e.revision);
          const a = arrivals.get(e.revision);
          if (a) {
            a.first = Math.min(a.first, at);
            a.last = Math.max(a.last, at);
            a.events++;
          } else arrivals.set(e.revision, { first: at, last: at, events: 1 });
        },
        error: () => void errors++,
        complete: () => {},
      },
    );
  }
  await Bun.sleep(3000); // every client connected and subscribed

  probes = startProbes(url);
  await Bun.sleep(500);
  const deleted = now();
  destroyCreated();
  // Until the lab's namespaces are gone (by key: a deleted namespace something still holds
  // loses its name first), their removal has reached subscriber 0, every subscriber has the
  // same count and nothing arrived for 2 s.
  const gone = async () => {
    const keys = (await query(url, "{ topology { namespaces { key } } }")).topology.namespaces.map((n: { key: string }) => n.key);
    return !keys.some((k: string) => labKeys.has(k));
  };
  while (!(await gone()) || labRevisions.size === 0) {
    if (now() - deleted > 180_000) throw new Error("the lab's namespaces were not removed within 180 s");
    await Bun.sleep(250);
  }
  for (let quiet = 0; quiet < 2000; ) {
    const before = counts.reduce((a, b) => a + b, 0);
    await Bun.sleep(250);
    const after = counts.reduce((a, b) => a + b, 0);
    quiet = after === before && counts.every((c) => c === counts[0]) ? quiet + 250 : 0;
    if (now() - deleted > 180_000) break;
  }
  const busy = await probes.stop();
  for (const c of clients) await c.dispose();
  const deletion = [...labRevisions].map((r) => arrivals.get(r)!);
  const first = Math.min(...deletion.map((a) => a.first));
  const last = Math.max(...deletion.map((a) => a.last));
  const labEvents = deletion.reduce((n, a) => n + a.events, 0) / SUBSCRIBERS;

  // Probes by when they were sent: during the watcher's pass (deletion → first event) or during
  // the fan-out (first → last event at any subscriber); and every probe whose wait overlapped the
  // fan-out at all (one sent just before it and held up by it included).
  const sentIn = (p: Probe[], from: number, to: number) => p.filter((x) => x.at >= from && x.at <= to);
  const overlapping = (p: Probe[]) => p.filter((x) => x.at <= last && x.at + x.ms >= first);
  const total = counts.reduce((a, b) => a + b, 0);
  console.log(`\n1. fan-out: ${SUBSCRIBERS} graphql-ws subscribers, ${FANOUT_CONTAINERS} containers (+${lab.hubs} hubs) deleted in one batch`);
  console.log(`   the deletion: ${labEvents} events per subscriber in revision(s) ${[...labRevisions].sort((a, b) => a - b).join(", ")}; all events per subscriber meanwhile ${Math.min(...counts)}…${Math.max(...counts)} (${total} messages), ${errors} subscription errors`);
  console.log(`   deletion → first event ${ms(first - deleted)} (the watcher's pass), first → last event at any subscriber ${ms(last - first)} (the fan-out)`);
  for (const [name, key] of [["/healthz", "health"], [SMALL_QUERY, "small"]] as const) {
    console.log(`   ${name.padEnd(12)} idle:                       ${summary(idle[key])}`);
    console.log(`   ${"".padEnd(12)} sent during the watcher's pass: ${summary(sentIn(busy[key], deleted, first))}`);
    console.log(`   ${"".padEnd(12)} sent during the fan-out:      ${summary(sentIn(busy[key], first, last))}`);
    console.log(`   ${"".padEnd(12)} waiting while it ran:         ${summary(overlapping(busy[key]))}`);
  }
  const longest = (p: Probe[]) => Math.max(0, ...p.map((x) => x.ms));
  const worst = Math.max(longest(overlapping(busy.health)), longest(overlapping(busy.small)));
  const idleWorst = Math.max(longest(idle.health), longest(idle.small));
  console.log(`   longest wait of a request while the fan-out ran ${ms(worst)} = ${ratio(worst, idleWorst)} the longest when idle (target: no request waits more than 100 ms)`);
}

const FULL_TOPOLOGY = `{ topology { revision namespaces { key displayName inode
  interfaces { key name kind mac mtu operState up addresses { address prefixLength } peer { key } bridge { key } ports { key } master { key } }
  routes { destination prefixLength gateway table }
  sockets { protocol localAddress localPort state processes { pid comm } } } } }`;

/** The full-topology query, its body read but not parsed (parsing 200 large answers would measure this process). */
async function fullQuery(url: string, text = FULL_TOPOLOGY): Promise<number> {
  const res = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: text }) });
  const bytes = (await res.arrayBuffer()).byteLength;
  if (res.status !== 200) throw new Error(`full-topology query: HTTP ${res.status}`);
  return bytes;
}

/** The same query with a comment that makes its text unique: the server must execute it. */
let unique = 0;
const uncached = () => `${FULL_TOPOLOGY}\n# ${++unique}`;

async function concurrentQueries(url: string, lab: Lab): Promise<void> {
  const answer = await query(url, FULL_TOPOLOGY); // and it is a real answer
  const one = async (text: () => string) => {
    const times: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t = performance.now();
      await fullQuery(url, text());
      if (i >= 2) times.push(performance.now() - t);
    }
    return times;
  };
  const burst = async (text: () => string, rounds: number) => {
    const times: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      times.push(...(await Promise.all(Array.from({ length: QUERIES }, () => fullQuery(url, text()).then(() => performance.now() - started)))));
      await Bun.sleep(500);
    }
    return times;
  };
  const bytes = await fullQuery(url);
  const executed = await one(uncached);
  const same = await one(() => FULL_TOPOLOGY);
  const burstSame = await burst(() => FULL_TOPOLOGY, 3);
  const burstExecuted = await burst(uncached, 1);
  const line = (xs: number[]) => `p50 ${ms(percentile(xs, 0.5))}  p99 ${ms(percentile(xs, 0.99))}  max ${ms(Math.max(...xs))}`;
  console.log(`\n2. ${QUERIES} concurrent full-topology queries at ${answer.topology.namespaces.length} namespaces (${lab.containers} lab containers, ${(bytes / 1e6).toFixed(1)} MB of JSON each):`);
  console.log(`   one at a time, each executed (distinct text):   ${line(executed)}`);
  console.log(`   one at a time, the same text:                   ${line(same)}`);
  console.log(`   ${QUERIES} at once, the same text (3 rounds):        ${line(burstSame)}`);
  console.log(`   ${QUERIES} at once, each executed (distinct text):  ${line(burstExecuted)}`);
  console.log(`   p50 of ${QUERIES} identical at once = ${ratio(percentile(burstSame, 0.5), percentile(executed, 0.5))} one executed query; of ${QUERIES} distinct at once = ${ratio(percentile(burstExecuted, 0.5), percentile(executed, 0.5))}`);
}

type Change = { revision: number; key: string; op: string };

/** The history's changes after revision `from` up to `to`, oldest first, every page of them. */
async function changesBetween(url: string, from: number, to: number): Promise<Change[]> {
  const out: Change[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { nodes: Change[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = (
      await query(url, `query($a: Moment!, $b: Moment, $after: String) { changes(from: $a, to: $b, first: 1000, after: $after) { nodes { revision key op } pageInfo { hasNextPage endCursor } } }`, { a: from, b: to, after })
    ).changes;
    out.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

async function pausedSubscriber(url: string, lab: Lab): Promise<void> {
  const start = (await query(url, SMALL_QUERY)).revision as number;
  const client = await RawGraphqlWs.connect(url);
  // A dashboard's selection: each change with the whole namespace it is in (tens of kB each).
  const withNamespace = `node { id ... on Interface { namespace { key displayName
    interfaces { key name kind mac mtu operState flags addresses { address prefixLength } } routes { destination prefixLength gateway table } } } }`;
  client.subscribe("1", `subscription($since: Int) { topologyChanges(sinceRevision: $since) { ${CHANGE_FIELDS} ${withNamespace} } }`, { since: start });
  await Bun.sleep(500);
  client.ws.pause();
  // Each round adds a veth pair (up, with an address) to every container: ~12 changes per
  // container and round (interfaces, addresses, routes) that no later pass takes back.
  const containers = lab.namespaces.filter((n) => n.role === "container").map((n) => n.name);
  const paused = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    const lines = [`link add x${r}a type veth peer name x${r}b`, `addr add 192.0.2.${r + 1}/32 dev x${r}a`, `link set x${r}a up`, `link set x${r}b up`];
    await Promise.all(containers.map((ns) => Bun.spawn(["ip", "-n", ns, "-batch", "-"], { stdin: Buffer.from(lines.join("\n") + "\n"), stdout: "ignore", stderr: "ignore" }).exited));
    await Bun.sleep(500);
  }
  const latest = (await query(url, SMALL_QUERY)).revision as number;
  const pausedS = (performance.now() - paused) / 1000;
  const expected = await changesBetween(url, start, latest);
  client.ws.resume();
  const got: typeof expected = [];
  let ended: any = null;
  // Until it ends, sends a change after `latest` (they come in revision order: whatever up to
  // `latest` has not come by then is not coming), or nothing came for 30 s.
  for (;;) {
    const m = await client.next(30_000).catch(() => null);
    if (m === null) break;
    if (m.type === "next") {
      const e = m.payload.data.topologyChanges;
      if (e.revision > latest) break;
      got.push(e);
      if (got.length === expected.length) break;
    } else if (m.type === "error" || m.type === "complete") {
      ended = m;
      break;
    }
  }
  client.ws.close();
  const id = (e: { revision: number; key: string; op: string }) => `${e.revision} ${e.op} ${e.key}`;
  console.log(`\n3. a paused subscriber (raw websocket, not reading for ${pausedS.toFixed(0)} s while ${ROUNDS} rounds of veth pairs were added to each of ${containers.length} containers: revisions ${start + 1}…${latest}, ${expected.length} changes)`);
  const lastRevision = ended?.payload?.[0]?.extensions?.lastRevision as number | undefined;
  const delivered = lastRevision === undefined ? got : got.filter((e) => e.revision <= lastRevision);
  const gotIds = new Set(got.map(id));
  const missing = expected.filter((e) => e.revision <= (lastRevision ?? got.at(-1)?.revision ?? start)).map(id).filter((k) => !gotIds.has(k));
  console.log(`   received ${got.length} changes, then ${ended ? `${ended.type}: ${JSON.stringify(ended.payload ?? null).slice(0, 300)}` : "nothing more (no error, no complete)"}`);
  console.log(`   changes up to the last one received that never arrived: ${missing.length}${missing.length ? ` (e.g. ${missing.slice(0, 2).join(", ")})` : ""}`);
  if (lastRevision === undefined) return;
  const again = await RawGraphqlWs.connect(url);
  again.subscribe("1", `subscription($since: Int) { topologyChanges(sinceRevision: $since) { revision key op } }`, { since: lastRevision });
  const resumed: typeof got = [];
  const want = expected.filter((e) => e.revision > lastRevision).length;
  while (resumed.length < want) {
    const m = await again.next(30_000).catch(() => null);
    if (m?.type !== "next") break;
    resumed.push(m.payload.data.topologyChanges);
  }
  again.ws.close();
  const seen = [...delivered, ...resumed].filter((e) => e.revision <= latest).map(id);
  const wanted = expected.map(id);
  const seenIds = new Set(seen);
  const dup = seen.length - seenIds.size;
  const gaps = wanted.filter((k) => !seenIds.has(k)).length;
  console.log(`   resumed with sinceRevision: ${lastRevision}: ${resumed.length} changes; together ${seen.length} of ${wanted.length}, ${gaps} missing, ${dup} duplicated`);
}

async function main(): Promise<void> {
  removeStaleLabs((s) => console.log(`bench: ${s}`));
  console.log(`wiresight subscriber benchmark — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} CPUs, ${opts.binary} serve`);
  const url = await startServer();
  if (SUBSCRIBERS > 0) await fanout(url);
  if (QUERIES === 0 && ROUNDS === 0) return;
  await waitForIdle(30_000);
  const lab = await createLab(newPrefix(), QUERY_CONTAINERS);
  await waitForLab(url, lab, true);
  await waitForIdle(30_000);
  if (QUERIES > 0) await concurrentQueries(url, lab);
  if (ROUNDS > 0) await pausedSubscriber(url, lab);
  server?.kill("SIGTERM");
}

try {
  await main();
} finally {
  cleanup();
}
