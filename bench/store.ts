// History store benchmark. Builds the benchmark lab (N container namespaces wired to bridges,
// bench/lab.ts), discovers it, and measures the store on that real topology:
//   - the first recording, and recording it again unchanged (1000 times): time per recording and
//     how much the database grows (target: under 1 MB for the 1000);
//   - 10 000 revisions made by recording mutated copies of it (an alias changes every revision,
//     a namespace disappears and comes back, routes come and go), then at() and diff() across
//     them (target: under 50 ms each).
// The topology is cut down to the lab plus the initial namespace, so that whatever else runs on
// the host does not change N. Usage: bun bench/store.ts [--n 100] [--unchanged 1000] [--revisions 10000]

import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { discover } from "../src/discovery/discover.ts";
import type { Route, Topology } from "../src/model/topology.ts";
import { routeKey } from "../src/model/keys.ts";
import { Store } from "../src/store/index.ts";
import { cleanupOnExit, createLab, newPrefix, removeStaleLabs, waitForIdle } from "./lab.ts";

const { values: opts } = parseArgs({
  options: { n: { type: "string", default: "100" }, unchanged: { type: "string", default: "1000" }, revisions: { type: "string", default: "10000" } },
});
const N = Number(opts.n);
const UNCHANGED = Number(opts.unchanged);
const REVISIONS = Number(opts.revisions);
if (process.getuid?.() !== 0) {
  console.error("bench: must run as root (it creates network namespaces)");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "wiresight-bench-store-"));
const cleanup = cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
const fileBytes = (p: string) => ["", "-wal"].reduce((n, s) => n + (statSync(p + s, { throwIfNoEntry: false })?.size ?? 0), 0);
function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const r = fn();
  return [r, performance.now() - t];
}
function timeMedian(runs: number, fn: () => unknown): number {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(time(fn)[1]);
  return median(xs);
}

/** The lab and the initial namespace only. */
function labOnly(t: Topology, prefix: string): Topology {
  const keep = new Set(t.namespaces.filter((n) => n.initial || n.displayName.startsWith(prefix)).map((n) => n.key));
  const out: Topology = { ...t, namespaces: t.namespaces.filter((n) => keep.has(n.key)), processes: t.processes.filter((p) => p.netns === null || keep.has(p.netns)) };
  const ifs = out.namespaces.flatMap((n) => n.interfaces);
  out.stats = { ...t.stats, namespaces: out.namespaces.length, interfaces: ifs.length, addresses: ifs.reduce((k, i) => k + i.addresses.length, 0), routes: out.namespaces.reduce((k, n) => k + n.routes.length, 0), processes: out.processes.length };
  return out;
}

async function main(): Promise<void> {
  removeStaleLabs((s) => console.log(`bench: ${s}`));
  const prefix = newPrefix();
  console.log(`wiresight store benchmark — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} CPUs, lab prefix ${prefix}`);
  const lab = await createLab(prefix, N);
  await Bun.sleep(3000); // IPv6 link-local addresses and their routes appear over a few seconds
  await waitForIdle(30_000);
  const base = labOnly(discover(), prefix);
  const s = base.stats;
  console.log(`topology: ${s.namespaces} namespaces (${lab.containers} containers, ${lab.hubs} hubs, the initial one), ${s.interfaces} interfaces, ${s.addresses} addresses, ${s.routes} routes, ${s.processes} processes`);
  const at = (t: Topology, i: number): Topology => ({ ...t, discoveredAt: new Date(Date.parse(base.discoveredAt) + i * 1000).toISOString() });

  // 1. first and unchanged recordings
  const dbA = join(dir, "unchanged.db");
  let store = Store.open(dbA);
  const [first, firstMs] = time(() => store.record(base));
  store.close();
  const afterFirst = fileBytes(dbA);
  store = Store.open(dbA);
  const times: number[] = [];
  for (let i = 1; i <= UNCHANGED; i++) {
    const [r, t] = time(() => store.record(at(base, i)));
    if (r.added + r.removed + r.changed !== 0) throw new Error(`unchanged recording ${i} wrote versions: ${JSON.stringify(r)}`);
    times.push(t);
  }
  store.close();
  const growth = fileBytes(dbA) - afterFirst;
  console.log(`\nfirst recording: ${ms(firstMs)} (${first.added} entities), database ${kib(afterFirst)}`);
  console.log(`unchanged recording: median ${ms(median(times))}, p95 ${ms(p95(times))} (the first, without the in-memory current versions of a long-running recorder: ${ms(times[0]!)})`);
  console.log(`growth over ${UNCHANGED} unchanged recordings: ${kib(growth)} (${(growth / UNCHANGED).toFixed(0)} bytes each) — target < 1024 KiB: ${growth < 1024 * 1024 ? "met" : "MISSED"}`);

  // a fresh discovery each time, as `record --every` does: the host's own life shows up here
  store = Store.open(dbA);
  const live: string[] = [];
  for (let i = 0; i < 5; i++) {
    const [t, dMs] = time(() => labOnly(discover(), prefix));
    const [r, rMs] = time(() => store.record(t));
    live.push(`+${r.added} -${r.removed} ~${r.changed} (discover ${ms(dMs)}, record ${ms(rMs)})`);
  }
  store.close();
  console.log(`discover + record, 5 times: ${live.join("; ")}`);

  // 2. 10 000 revisions of mutated copies
  const dbB = join(dir, "revisions.db");
  store = Store.open(dbB);
  const t = structuredClone(base);
  const ifaces = t.namespaces.flatMap((n) => n.interfaces);
  const containers = t.namespaces.filter((n) => !n.initial);
  const parked = new Map<number, (typeof t.namespaces)[number]>();
  const extraRoute = (i: number): Route => {
    const ns = containers[i % containers.length]!;
    const r = { family: "ipv4" as const, table: 254, destination: `10.250.${(i >> 8) & 255}.${i & 255}`, prefixLength: 32, source: null, sourcePrefixLength: 0, tos: 0, priority: 0, type: "blackhole" };
    return { ...r, key: routeKey(ns.key, r), netns: ns.key, preferredSource: null, gateway: null, outputInterface: null, nexthops: [], tableName: "main", preference: null, protocol: "static", scope: "global" };
  };
  const started = performance.now();
  const recordTimes: number[] = [];
  for (let i = 1; i <= REVISIONS; i++) {
    ifaces[i % ifaces.length]!.alias = `revision ${i}`; // one interface changes every time
    if (i % 20 === 0) {
      const j = 1 + ((i / 20) % (t.namespaces.length - 1)); // a namespace (and all in it) goes…
      parked.set(i + 10, t.namespaces.splice(j, 1)[0]!);
    }
    const back = parked.get(i); // …and comes back ten revisions later
    if (back) {
      t.namespaces.push(back);
      parked.delete(i);
    }
    if (i % 7 === 0) {
      const r = extraRoute(i); // routes appear, and go away after a while
      const ns = t.namespaces.find((n) => n.key === r.netns);
      ns?.routes.push(r);
      for (const n of t.namespaces) if (n.routes.length > 0 && n.routes[0]!.protocol === "static") n.routes.shift();
    }
    recordTimes.push(time(() => store.record(at(t, UNCHANGED + i)))[1]);
  }
  const buildS = (performance.now() - started) / 1000;
  const info = store.info();
  console.log(`\n${REVISIONS} revisions recorded in ${buildS.toFixed(1)} s (median ${ms(median(recordTimes))} each); database ${kib(info.fileBytes)}; rows: ${Object.entries(info.rows).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  const last = info.revisions.last!;
  const mid = Math.floor(last / 2);
  const rows: [string, number][] = [
    [`at(revision 1)`, timeMedian(5, () => store.at({ revision: 1 }))],
    [`at(revision ${mid})`, timeMedian(5, () => store.at({ revision: mid }))],
    [`at(revision ${last})`, timeMedian(5, () => store.at({ revision: last }))],
    [`at(time of revision ${mid})`, timeMedian(5, () => store.at({ time: Date.parse(base.discoveredAt) + (UNCHANGED + mid) * 1000 }))],
    [`diff(1, ${last})`, timeMedian(5, () => store.diff({ revision: 1 }, { revision: last }))],
    [`diff(${mid}, ${mid + 1})`, timeMedian(5, () => store.diff({ revision: mid }, { revision: mid + 1 }))],
    [`diff(${last - 1}, ${last})`, timeMedian(5, () => store.diff({ revision: last - 1 }, { revision: last }))],
    [`diff(${mid}, ${last})`, timeMedian(5, () => store.diff({ revision: mid }, { revision: last }))],
    [`changes(${last - 100}, ${last})`, timeMedian(5, () => store.changes({ revision: last - 100 }, { revision: last }))],
  ];
  const d = store.diff({ revision: 1 }, { revision: last });
  for (const [label, v] of rows) {
    const target = label.startsWith("changes") ? "" : ` — target < 50 ms: ${v < 50 ? "met" : "MISSED"}`;
    console.log(`${label.padEnd(28)} ${ms(v).padStart(10)}${target}`);
  }
  console.log(`(diff(1, ${last}) reports ${d.entities.length} entities; at() rebuilds ${store.at({ revision: last }).stats.interfaces} interfaces' worth of topology)`);
  store.close();
}

try {
  await main();
} catch (err) {
  console.error(`bench: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
