// Cost of the tenant collection (leaders, CapBnd, UTS names, DNS files) that runs in every
// discovery. Not a test: prints figures, never fails on timing.
//
//   bun bench/tenants.ts [--namespaces 100] [--runs 15]
//
// Builds N namespaces, each with one tenant in its own UTS and mount namespace (`ip netns exec`
// gives every process its own mount namespace, `unshare --uts` its own UTS namespace): the worst
// case for the caches, N distinct file sets and N UTS namespaces. Then times collectTenants()
// alone, and whole discover() runs for scale.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { discover } from "../src/discovery/discover.ts";
import { readProcesses } from "../src/discovery/procfs/processes.ts";
import { readFdTable, scanNetworkNamespaces } from "../src/discovery/procfs/namespaces.ts";
import { collectTenants } from "../src/discovery/tenants/collect-tenants.ts";
import { readBootId } from "../src/discovery/procfs/boot.ts";

const { values } = parseArgs({ options: { namespaces: { type: "string", default: "100" }, runs: { type: "string", default: "15" } } });
const n = Number(values.namespaces);
const runs = Number(values.runs);
if (process.getuid?.() !== 0) throw new Error("needs root (creates network namespaces)");

const prefix = `wt${randomBytes(3).toString("hex")}`;
const names: string[] = [];
const children: ChildProcess[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  for (let i = 0; i < n; i++) names.push(`${prefix}-${String(i).padStart(4, "0")}`);
  spawnSync("ip", ["-batch", "-"], { input: names.map((x) => `netns add ${x}\n`).join("") });
  await Promise.all(
    names.map(
      (ns, i) =>
        new Promise<void>((resolve, reject) => {
          const c = spawn("ip", ["netns", "exec", ns, "unshare", "--uts", "sh", "-c", `hostname t${i} && echo ready && exec sleep 3600`], {
            stdio: ["ignore", "pipe", "inherit"],
          });
          children.push(c);
          c.stdout!.once("data", () => resolve());
          c.once("exit", (code) => reject(new Error(`tenant ${i} exited (${code})`)));
        }),
    ),
  );

  const bootId = readBootId("/proc");
  const times: number[] = [];
  let stats;
  for (let r = 0; r < runs + 1; r++) {
    const processes = readProcesses("/proc");
    const fdTable = readFdTable(processes, "/proc");
    const scan = scanNetworkNamespaces(processes, { fdTable });
    const memberships = scan.namespaces.map((c) => new Set(c.references.flatMap((x) => (x.kind === "process" ? [x.pid] : []))));
    const t0 = performance.now();
    const result = collectTenants(memberships, processes, bootId, "/proc", () => {});
    const dt = performance.now() - t0;
    if (r > 0) times.push(dt); // first run warms up the JIT
    stats = result.stats;
  }
  const whole: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = discover();
    whole.push(t.stats.durationMs);
  }
  console.log(`namespaces with a tenant: ${n} (+ the host's); tenants found: ${stats!.tenants}`);
  console.log(`distinct DNS file sets read: ${stats!.dnsFileSets}, UTS namespaces entered: ${stats!.utsNamespaces}`);
  console.log(`collectTenants: median ${median(times).toFixed(2)} ms, min ${Math.min(...times).toFixed(2)} ms over ${runs} runs`);
  console.log(`  per tenant: ${(median(times) / stats!.tenants * 1000).toFixed(1)} µs`);
  console.log(`whole discover() on this host: median ${median(whole).toFixed(1)} ms (5 runs)`);
} finally {
  for (const c of children) c.kill("SIGKILL");
  spawnSync("ip", ["-batch", "-"], { input: names.map((x) => `netns del ${x}\n`).join("") });
}
