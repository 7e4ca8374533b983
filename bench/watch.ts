// Watch-loop latency: with N container namespaces (bench/lab.ts, unique prefix, removed again
// whatever happens), the time from `ip -n <container> link set eth0 down|up` to the revision batch
// for that namespace reaching a subscriber, over many repetitions. The clock starts before the ip
// process is spawned, so each figure includes ip's own start-up (an upper bound).
//
//   bun bench/watch.ts [--namespaces 100] [--repetitions 300] [--debounce 10] [--poll 10]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Store } from "../src/store/index.ts";
import type { RevisionBatch } from "../src/watch/live.ts";
import { Watcher } from "../src/watch/watcher.ts";
import { cleanupOnExit, createLab, inodeOf, newPrefix, percentile, removeStaleLabs, waitForIdle } from "./lab.ts";

const { values: opts } = parseArgs({
  options: {
    namespaces: { type: "string", default: "100" },
    repetitions: { type: "string", default: "300" },
    debounce: { type: "string", default: "10" },
    poll: { type: "string", default: "10" },
  },
});
const N = Number(opts.namespaces);
const REPS = Number(opts.repetitions);
if (process.getuid?.() !== 0) {
  console.error("bench: must run as root (it creates network namespaces)");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "wiresight-bench-watch-"));
const cleanup = cleanupOnExit(() => rmSync(dir, { recursive: true, force: true }));

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  removeStaleLabs((s) => console.log(`bench: ${s}`));
  const prefix = newPrefix();
  console.log(`wiresight watch benchmark — ${new Date().toISOString()}, ${navigator.hardwareConcurrency} CPUs, lab prefix ${prefix}`);
  const lab = await createLab(prefix, N);
  console.log(`lab: ${lab.containers} containers + ${lab.hubs} hubs in ${ms(lab.setupMs)}`);
  await Bun.sleep(3000); // IPv6 link-local addresses and their routes settle
  await waitForIdle(30_000);

  const store = Store.open(join(dir, "watch.db"));
  const t0 = performance.now();
  // Long periods: the figures are for the event path alone.
  const watcher = await Watcher.start({
    store,
    withEngines: false,
    fullPassEveryMs: 3_600_000,
    namespaceRescanEveryMs: 3_600_000,
    debounceMs: Number(opts.debounce),
    pollEveryMs: Number(opts.poll),
  });
  const start = watcher.current().topology;
  console.log(`watcher start (full discovery + record): ${ms(performance.now() - t0)}, ${start.namespaces.length} namespaces watched`);
  await Bun.sleep(1000);

  const containers = lab.namespaces.filter((n) => n.role === "container");
  const keyOf = new Map<string, string>();
  for (const c of containers) {
    const ns = start.namespaces.find((n) => n.inode === inodeOf(c.name));
    if (!ns) throw new Error(`${c.name} not discovered`);
    keyOf.set(c.name, ns.key);
  }

  const latencies: number[] = [];
  const passMs: number[] = [];
  let waiting: { key: string; resolve: (b: RevisionBatch) => void } | null = null;
  watcher.subscribe((b) => {
    if (waiting && b.cause.kind === "netlink" && b.cause.namespaces.includes(waiting.key)) {
      const w = waiting;
      waiting = null;
      w.resolve(b);
    }
  });
  for (let r = 0; r < REPS; r++) {
    const c = containers[r % containers.length]!;
    const state = Math.floor(r / containers.length) % 2 === 0 ? "down" : "up";
    const key = keyOf.get(c.name)!;
    const arrived = new Promise<RevisionBatch>((resolve, reject) => {
      waiting = { key, resolve };
      setTimeout(() => reject(new Error(`no batch for ${c.name} within 10 s`)), 10_000);
    });
    const t = performance.now();
    const ip = Bun.spawn(["ip", "-n", c.name, "link", "set", "eth0", state], { stdout: "ignore", stderr: "inherit" });
    await arrived;
    latencies.push(performance.now() - t);
    await ip.exited;
    passMs.push(watcher.current().topology.stats.durationMs);
    await Bun.sleep(60); // the hub's side of the veth reports too: let that pass go by
  }
  const status = watcher.status();
  await watcher.stop();
  store.close();

  console.log(`\nchange → batch at a subscriber, N=${N} containers (+${lab.hubs} hubs), ${REPS} repetitions, debounce ${opts.debounce} ms, poll ${opts.poll} ms:`);
  console.log(`  p50 ${ms(percentile(latencies, 0.5))}   p90 ${ms(percentile(latencies, 0.9))}   p99 ${ms(percentile(latencies, 0.99))}   max ${ms(Math.max(...latencies))}`);
  console.log(`incremental pass (re-read one namespace, reassemble ${start.namespaces.length}, record): p50 ${ms(percentile(passMs, 0.5))}, p99 ${ms(percentile(passMs, 0.99))}`);
  console.log(`status: ${JSON.stringify(status)}`);
}

try {
  await main();
} finally {
  cleanup();
}
