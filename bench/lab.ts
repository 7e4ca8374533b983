// The benchmark lab: N "container" namespaces wired like a container host, created fast with
// iproute2 batches and removed again whatever happens. Everything lives in namespaces named
// `<prefix>-…` with a prefix unique to the run; nothing is created in (or moved out of) the
// initial namespace, so the host's own interfaces are never touched.
//
// Shape, per group of 50 containers: one hub namespace `<prefix>-hubGGG` holding a bridge br0
// (10.64+G/24-ish + fd77:G::1/64) with one veth port per container; each container
// `<prefix>-cNNNNN` has lo up, eth0 (the veth's other end) with one IPv4 and one IPv6 address and a
// default route; every 10th container also has eth1 (a second veth to the same bridge) and a
// route in table 100. A rich lab (`rich`) gives every container more of what crosses or stacks on
// interfaces: a macvlan on eth0, a vxlan over eth0 (its remote the hub's bridge), a tap, and
// listening sockets (TCP v4 and v6, UDP) held by one helper process (listeners.py).

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const GROUP = 50;
const STATE_DIR = join(import.meta.dir, "out");

export interface LabNamespace {
  name: string;
  role: "hub" | "container";
  /** Interfaces we expect discovery to report in it (lo included). */
  expectedInterfaces: number;
}

export interface Lab {
  prefix: string;
  namespaces: LabNamespace[];
  containers: number;
  hubs: number;
  setupMs: number;
}

/** Names this process asked the kernel to create; teardown deletes exactly these. */
const created = new Set<string>();
/** iproute2 processes started asynchronously during setup, killed (by pid) on an abort. */
const helpers = new Set<Subprocess>();
/** listeners.py processes: they hold sockets in lab namespaces, so they go before the namespaces. */
const listenerHolders = new Set<Subprocess>();
let statePath: string | null = null;

export function newPrefix(): string {
  return `wbench${randomBytes(2).toString("hex")}`;
}

function run(argv: string[], input?: string): { ok: boolean; stderr: string } {
  const r = Bun.spawnSync(argv, { stdin: input === undefined ? "ignore" : Buffer.from(input), stdout: "ignore", stderr: "pipe" });
  return { ok: r.exitCode === 0, stderr: r.stderr.toString() };
}

function ipBatch(ns: string | null, lines: string[], force = false): void {
  const argv = ["ip", ...(force ? ["-force"] : []), ...(ns ? ["-n", ns] : []), "-batch", "-"];
  const r = run(argv, lines.join("\n") + "\n");
  if (!r.ok) throw new Error(`${argv.join(" ")} failed: ${r.stderr.trim().split("\n").slice(0, 3).join(" | ")}`);
}

/** Run `ip -n <ns> -batch -` for many namespaces, a few processes at a time. */
async function ipBatchParallel(jobs: { ns: string; lines: string[] }[], parallel: number): Promise<void> {
  let next = 0;
  const errors: string[] = [];
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const proc = Bun.spawn(["ip", "-n", job.ns, "-batch", "-"], { stdin: "pipe", stdout: "ignore", stderr: "pipe" });
      helpers.add(proc);
      proc.stdin.write(job.lines.join("\n") + "\n");
      await proc.stdin.end();
      const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
      helpers.delete(proc);
      if (code !== 0) errors.push(`ip -n ${job.ns} -batch: ${stderr.trim().split("\n")[0]}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  if (errors.length > 0) throw new Error(`${errors.length} namespace batches failed, first: ${errors[0]}`);
}

function v4(group: number, host: number): string {
  return `10.${64 + (group >> 8)}.${group & 255}.${host}`;
}
function v6(group: number, host: number): string {
  return `fd77:0:0:${group.toString(16)}::${host.toString(16)}`;
}

function saveState(prefix: string): void {
  mkdirSync(STATE_DIR, { recursive: true });
  statePath ??= join(STATE_DIR, `lab-${prefix}.json`);
  writeFileSync(statePath, JSON.stringify({ pid: process.pid, names: [...created] }));
}

export interface LabOptions {
  /** macvlan, vxlan, tap and listeners in every container (see the top of this file). */
  rich?: boolean;
}

export async function createLab(prefix: string, containers: number, options: LabOptions = {}): Promise<Lab> {
  const started = performance.now();
  const hubs = Math.ceil(containers / GROUP);
  const hubName = (g: number) => `${prefix}-hub${String(g).padStart(3, "0")}`;
  const ctName = (i: number) => `${prefix}-c${String(i).padStart(5, "0")}`;
  const namespaces: LabNamespace[] = [];
  const hubPorts = new Array<number>(hubs).fill(0);
  for (let i = 0; i < containers; i++) {
    const second = i % 10 === 9;
    namespaces.push({ name: ctName(i), role: "container", expectedInterfaces: (second ? 3 : 2) + (options.rich ? 3 : 0) });
    hubPorts[Math.floor(i / GROUP)]! += second ? 2 : 1;
  }
  for (let g = 0; g < hubs; g++) namespaces.unshift({ name: hubName(g), role: "hub", expectedInterfaces: 2 + hubPorts[g]! });

  // 1. every namespace, in one ip process. Recorded (and saved to disk) before asking, so a
  //    failure half-way still deletes whatever got made.
  for (const ns of namespaces) created.add(ns.name);
  saveState(prefix);
  ipBatch(null, namespaces.map((ns) => `netns add ${ns.name}`));

  // 2. per hub (one ip process each): the bridge, and the veth pairs, created directly with
  //    their container end inside the container namespace.
  for (let g = 0; g < hubs; g++) {
    const lines = [
      "link set lo up",
      "link add br0 type bridge",
      `addr add ${v4(g, 1)}/24 dev br0`,
      `addr add ${v6(g, 1)}/64 dev br0 nodad`,
      "link set br0 up",
    ];
    for (let i = g * GROUP; i < Math.min(containers, (g + 1) * GROUP); i++) {
      lines.push(`link add v${i} type veth peer name eth0 netns ${ctName(i)}`, `link set v${i} master br0 up`);
      if (i % 10 === 9) lines.push(`link add w${i} type veth peer name eth1 netns ${ctName(i)}`, `link set w${i} master br0 up`);
    }
    ipBatch(hubName(g), lines);
  }

  // 3. per container: addresses and routes must be set from inside (a move flushes them).
  const jobs = [];
  for (let i = 0; i < containers; i++) {
    const g = Math.floor(i / GROUP);
    const host = (i % GROUP) + 2;
    const lines = [
      "link set lo up",
      "link set eth0 up",
      `addr add ${v4(g, host)}/24 dev eth0`,
      `addr add ${v6(g, host)}/64 dev eth0 nodad`,
      `route add default via ${v4(g, 1)} dev eth0`,
    ];
    if (i % 10 === 9)
      lines.push("link set eth1 up", `addr add 192.168.${g & 255}.${host}/24 dev eth1`, `route add 172.16.0.0/12 via 192.168.${g & 255}.1 dev eth1 table 100 onlink`);
    if (options.rich)
      lines.push(
        "link add mv0 link eth0 type macvlan mode bridge",
        "link set mv0 up",
        `link add vx0 type vxlan id ${i + 1} dev eth0 remote ${v4(g, 1)} dstport 4789`,
        "link set vx0 up",
        "tuntap add dev tap0 mode tap",
      );
    jobs.push({ ns: ctName(i), lines });
  }
  await ipBatchParallel(jobs, 4);
  if (options.rich) await holdListeners(namespaces.filter((n) => n.role === "container").map((n) => n.name));

  return { prefix, namespaces, containers, hubs, setupMs: performance.now() - started };
}

/**
 * Listening sockets in each namespace, held by one helper process (listeners.py, killed with the
 * lab). Resolves when all are open.
 */
async function holdListeners(names: string[]): Promise<void> {
  const proc = Bun.spawn(["python3", join(import.meta.dir, "listeners.py")], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  listenerHolders.add(proc);
  proc.stdin.write(names.map((n) => `/run/netns/${n}\n`).join(""));
  await proc.stdin.end();
  const reader = proc.stdout.getReader();
  let out = "";
  while (!out.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`listeners.py exited before it was ready (${await proc.exited}): ${out}`);
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
}

/**
 * Delete exactly the namespaces this process created (`ip netns del <name>`), synchronously, so
 * it can run from exit and signal handlers. Returns the names that could not be removed.
 */
export function destroyCreated(): string[] {
  for (const h of [...helpers, ...listenerHolders]) h.kill("SIGKILL");
  helpers.clear();
  listenerHolders.clear();
  if (created.size === 0) {
    if (statePath) rmSync(statePath, { force: true });
    return [];
  }
  const names = [...created];
  run(["ip", "-force", "-batch", "-"], names.map((n) => `netns del ${n}`).join("\n") + "\n");
  const left = names.filter((n) => existsSync(`/run/netns/${n}`));
  created.clear();
  for (const n of left) created.add(n);
  if (left.length === 0 && statePath) rmSync(statePath, { force: true });
  else if (statePath) saveState("");
  return left;
}

/**
 * Labs left behind by a benchmark that was killed outright (SIGKILL, power loss): their state
 * files name their namespaces; remove those whose owner process is gone. Only names recorded by
 * a previous run are deleted.
 */
export function removeStaleLabs(log: (s: string) => void): void {
  if (!existsSync(STATE_DIR)) return;
  for (const f of readdirSync(STATE_DIR)) {
    if (!/^lab-.*\.json$/.test(f)) continue;
    const path = join(STATE_DIR, f);
    let state: { pid: number; names: string[] };
    try {
      state = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      continue;
    }
    if (state.pid !== process.pid && existsSync(`/proc/${state.pid}`)) continue; // still running
    const names = state.names.filter((n) => /^wbench[0-9a-f]{4}-/.test(n) && existsSync(`/run/netns/${n}`));
    if (names.length > 0) {
      log(`removing ${names.length} namespaces left by an earlier benchmark run (${f})`);
      run(["ip", "-force", "-batch", "-"], names.map((n) => `netns del ${n}`).join("\n") + "\n");
    }
    if (!names.some((n) => existsSync(`/run/netns/${n}`))) rmSync(path, { force: true });
  }
}

function cpuTicks(): { busy: number; total: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/**
 * Namespace deletion finishes in kernel workers after `ip netns del` returns (and setup leaves
 * IPv6 autoconfiguration running for a moment). Wait until the machine is quiet (under 10% CPU
 * for two 250 ms windows in a row, at most `timeoutMs`) so the next measurement does not share
 * the CPU with that work.
 */
export async function waitForIdle(timeoutMs: number): Promise<{ waitedMs: number; settled: boolean }> {
  const started = performance.now();
  let quiet = 0;
  let prev = cpuTicks();
  while (performance.now() - started < timeoutMs) {
    await Bun.sleep(250);
    const cur = cpuTicks();
    const busy = cur.total > prev.total ? (cur.busy - prev.busy) / (cur.total - prev.total) : 0;
    prev = cur;
    quiet = busy < 0.1 ? quiet + 1 : 0;
    if (quiet >= 2) return { waitedMs: performance.now() - started, settled: true };
  }
  return { waitedMs: performance.now() - started, settled: false };
}

export function inodeOf(name: string): number | null {
  try {
    return statSync(`/run/netns/${name}`).ino;
  } catch {
    return null;
  }
}

/**
 * Removes this process's lab (and whatever `extra` removes first) on every way out: a normal
 * exit, an exception, SIGINT/SIGTERM/SIGHUP. Runs once; returns it for an explicit call.
 */
export function cleanupOnExit(extra: () => void = () => {}): () => void {
  let done = false;
  const cleanup = () => {
    if (done) return;
    done = true;
    extra();
    const left = destroyCreated();
    if (left.length > 0) console.error(`bench: ERROR could not delete ${left.length} namespaces: ${left.slice(0, 5).join(" ")}…`);
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(sig, () => {
      console.error(`\nbench: ${sig}, removing the lab`);
      cleanup();
      process.exit(sig === "SIGINT" ? 130 : 143);
    });
  process.on("exit", cleanup);
  return cleanup;
}

/** The p-quantile (0…1) of some measurements, nearest rank. */
export function percentile(xs: number[], p: number): number {
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
}
