// Discovery benchmark: for each size N, build N container namespaces (plus one bridge hub per 50),
// then time, interleaved and repeated, each as its own process:
//   - `wiresight dump > /dev/null` (reader Workers: one per core, the default),
//     `wiresight dump --workers 1`, `wiresight dump --listening-only` (and `wiresight --version`,
//     the process start-up floor),
//   - the C raw-netlink limit (/work/shared/bench/netlink-limit.c), as is, listening sockets only
//     (NLLISTEN), and a bench-made copy without socket dumps,
//   - the iproute2 loop a user would write (bench/iproute2-loop.sh).
// It prints figures and ratios from this run only, with the targets beside them; it asserts no
// timing. It checks that wiresight's dump holds every lab namespace. Everything it creates is
// named `<prefix>-…` (prefix unique to the run) and deleted on exit, error or signal.
//
//   bun bench/discovery.ts [--sizes 10,100,500] [--runs 5] [--binary PATH] [--inprocess-runs 3]
//
// Root only (it creates network namespaces). Not a test: never run it under `bun test`.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cleanupOnExit, createLab, destroyCreated, inodeOf, newPrefix, removeStaleLabs, waitForIdle, type Lab } from "./lab.ts";

const ROOT = join(import.meta.dir, "..");
const OUT = join(import.meta.dir, "out");
const C_SOURCE = process.env.NETLINK_LIMIT_SOURCE ?? join(ROOT, "..", "shared", "bench", "netlink-limit.c");
const LOOP_SCRIPT = join(import.meta.dir, "iproute2-loop.sh");
const TIME = "/usr/bin/time";

// ---------------------------------------------------------------------------------------------
// arguments

const { values: opts } = parseArgs({
  args: process.argv.slice(2),
  options: {
    sizes: { type: "string", default: "10,100,500" },
    runs: { type: "string", default: "5" },
    binary: { type: "string" },
    "inprocess-runs": { type: "string", default: "3" },
    help: { type: "boolean", short: "h" },
  },
});
if (opts.help) {
  console.log("usage: bun bench/discovery.ts [--sizes 10,100,500] [--runs 5] [--binary PATH] [--inprocess-runs 3]");
  process.exit(0);
}
const sizes = opts.sizes.split(",").map((s) => Number(s.trim()));
const runs = Number(opts.runs);
const inprocessRuns = Number(opts["inprocess-runs"]);
if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1 || !Number.isInteger(inprocessRuns) || inprocessRuns < 0) {
  console.error("bench: --sizes takes positive integers (10,100,500), --runs and --inprocess-runs whole numbers");
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error("bench: must run as root (it creates network namespaces)");
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// cleanup on every way out

mkdirSync(OUT, { recursive: true });
const timeFile = join(OUT, `time-${process.pid}.txt`);
const cleanup = cleanupOnExit(() => rmSync(timeFile, { force: true }));

// ---------------------------------------------------------------------------------------------
// measuring one process

interface Sample {
  wallMs: number;
  rssMB: number;
  cpuMs: number;
  ok: boolean;
  error?: string;
}

const haveTime = (() => {
  if (!existsSync(TIME)) return false;
  const r = Bun.spawnSync([TIME, "-f", "%e %M %U %S", "-o", timeFile, "true"]);
  return r.exitCode === 0 && /^[\d.]+ \d+ [\d.]+ [\d.]+$/m.test(readFileSync(timeFile, "utf8"));
})();

/**
 * Run argv once with stdout to /dev/null. Wall time is measured here around the spawn (so it
 * includes fork/exec, the same for every tool; /usr/bin/time's %e has only 10 ms resolution);
 * peak RSS is the child's ru_maxrss, from /usr/bin/time's %M where present, else from
 * Bun.spawnSync's resourceUsage (both are wait4's rusage).
 */
async function measure(argv: string[], env: Record<string, string> = {}): Promise<Sample> {
  const full = haveTime ? [TIME, "-f", "%e %M %U %S", "-o", timeFile, ...argv] : argv;
  const t0 = performance.now();
  const r = Bun.spawnSync(full, { stdin: "ignore", stdout: "ignore", stderr: "pipe", env: { ...process.env, ...env } });
  const wallMs = performance.now() - t0;
  await yieldToSignals();
  const ok = r.exitCode === 0;
  const error = ok ? undefined : `exit ${r.exitCode}: ${r.stderr.toString().trim().split("\n").slice(-1)[0] ?? ""}`;
  // CPU (user + system) from resourceUsage either way: microseconds, where /usr/bin/time's %U
  // and %S have 10 ms steps (with /usr/bin/time in between it includes time's own ~0.5 ms).
  const ru = r.resourceUsage;
  const cpuMs = ru ? Number(ru.cpuTime.total) / 1000 : NaN;
  if (haveTime) {
    const last = readFileSync(timeFile, "utf8").trim().split("\n").slice(-1)[0] ?? "";
    const maxKB = Number(last.split(" ")[1]);
    return { wallMs, rssMB: maxKB / 1024, cpuMs, ok, error };
  }
  return { wallMs, rssMB: ru ? ru.maxRSS / 1048576 : NaN, cpuMs, ok, error };
}

/**
 * Signal handlers run from the event loop, which a run of spawnSync calls never reaches: a
 * Ctrl-C would kill the child and then wait for the whole benchmark. Yield after every spawn.
 */
async function yieldToSignals(): Promise<void> {
  await Bun.sleep(0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// the tools

/** Compile the C limit (once; again only if the source changed) and a copy without socket dumps. */
function prepareC(): { full: string; noSock: string | null; note: string[] } {
  const note: string[] = [];
  if (!existsSync(C_SOURCE)) throw new Error(`C limit source not found: ${C_SOURCE}`);
  const full = join(OUT, "netlink-limit");
  const compile = (src: string, bin: string) => {
    if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(src).mtimeMs) return;
    const r = Bun.spawnSync(["gcc", "-O2", "-o", bin, src], { stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`gcc ${src} failed: ${r.stderr.toString().trim()}`);
  };
  compile(C_SOURCE, full);
  // Like for like with today's wiresight: the same program, minus the four sock_diag dumps per
  // namespace (it keeps the /proc fd scan, which wiresight also does to find namespaces held by
  // fds). Made by editing two exact lines; if the source no longer has them, the variant is skipped.
  const src = readFileSync(C_SOURCE, "utf8");
  const diagOpen = "int diag = nlsock(NETLINK_SOCK_DIAG);";
  const diagLoop = "for (int a = 0; a < 2; a++) for (int b = 0; b < 2; b++) {";
  let noSock: string | null = null;
  if (src.includes(diagOpen) && src.includes(diagLoop)) {
    const patched = join(OUT, "netlink-limit-nosock.c");
    const text = src.replace(diagOpen, "int diag = -1;").replace(diagLoop, `if (0) ${diagLoop}`);
    if (!existsSync(patched) || readFileSync(patched, "utf8") !== text) writeFileSync(patched, text);
    noSock = join(OUT, "netlink-limit-nosock");
    compile(patched, noSock);
  } else note.push("C limit without sockets: skipped (netlink-limit.c changed shape; update prepareC)");
  return { full, noSock, note };
}

/** dist/wiresight if it is newer than every source file; else a fresh build into bench/out/. */
function prepareWiresight(): { path: string | null; note: string } {
  if (opts.binary) return { path: opts.binary, note: `binary: ${opts.binary} (--binary)` };
  const dist = join(ROOT, "dist", "wiresight");
  const newestSource = newestMtime(join(ROOT, "src"));
  if (existsSync(dist) && statSync(dist).mtimeMs >= newestSource) return { path: dist, note: "binary: dist/wiresight (up to date with src/)" };
  // Same flags as `npm run build`, but into bench/out/ so dist/ is left alone.
  const out = join(OUT, "wiresight");
  let args = ["build", "--compile", "--minify", "--sourcemap", "src/cli/main.ts", "--outfile", out];
  try {
    const script: string = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts.build;
    const words = script.trim().split(/\s+/);
    const at = words.indexOf("dist/wiresight");
    if (words[0] === "bun" && words[1] === "build" && at > 0) {
      words[at] = out;
      args = words.slice(1);
    }
  } catch {}
  const r = Bun.spawnSync([process.execPath, ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    const msg = (r.stderr.toString() + r.stdout.toString()).trim().split("\n").filter((l) => /error/i.test(l))[0] ?? `exit ${r.exitCode}`;
    return { path: null, note: `wiresight build failed: ${msg.trim()}` };
  }
  return { path: out, note: `binary: bench/out/wiresight, built now from src/ (dist/wiresight ${existsSync(dist) ? "is older than src/" : "is missing"})` };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

interface Tool {
  id: string;
  label: string;
  argv: string[];
  env?: Record<string, string>;
}

/**
 * Run the (fast) C program every 500 ms until the links, addresses and routes it counts are the
 * same three times in a row.
 */
async function waitForStableCounts(probe: string, timeoutMs: number): Promise<{ waitedMs: number; settled: boolean }> {
  const started = performance.now();
  let last = "";
  let same = 0;
  while (performance.now() - started < timeoutMs) {
    const out = Bun.spawnSync([probe], { stdout: "pipe", stderr: "ignore" }).stdout.toString();
    let key = out;
    try {
      const j = JSON.parse(out);
      key = `${j.netns} ${j.links} ${j.addrs} ${j.routes}`;
    } catch {}
    same = key === last ? same + 1 : 0;
    last = key;
    if (same >= 2) return { waitedMs: performance.now() - started, settled: true };
    await Bun.sleep(500);
  }
  return { waitedMs: performance.now() - started, settled: false };
}

// ---------------------------------------------------------------------------------------------
// correctness: every lab namespace in wiresight's dump, by inode

interface DumpCheck {
  ok: boolean;
  lines: string[];
  stats: Record<string, unknown> | null;
  jsonMB: number;
}

function checkDump(binary: string, lab: Lab): DumpCheck {
  const r = Bun.spawnSync([binary, "dump"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0)
    return { ok: false, lines: [`ERROR wiresight dump exited ${r.exitCode}: ${r.stderr.toString().trim().split("\n")[0]}`], stats: null, jsonMB: 0 };
  let topo: { namespaces: { inode: number; interfaces: unknown[] }[]; stats: Record<string, unknown>; warnings: unknown[] };
  try {
    topo = JSON.parse(r.stdout.toString());
  } catch (err) {
    return { ok: false, lines: [`ERROR wiresight dump is not JSON: ${(err as Error).message}`], stats: null, jsonMB: 0 };
  }
  const byInode = new Map(topo.namespaces.map((n) => [n.inode, n]));
  const missing: string[] = [];
  const wrongCount: string[] = [];
  for (const ns of lab.namespaces) {
    const ino = inodeOf(ns.name);
    const found = ino === null ? undefined : byInode.get(ino);
    if (!found) missing.push(ns.name);
    else if (found.interfaces.length !== ns.expectedInterfaces)
      wrongCount.push(`${ns.name} has ${found.interfaces.length} interfaces, built ${ns.expectedInterfaces}`);
  }
  const lines: string[] = [];
  if (missing.length > 0)
    lines.push(`ERROR wiresight dump misses ${missing.length} of ${lab.namespaces.length} lab namespaces (by inode of /run/netns/<name>): ${missing.slice(0, 5).join(" ")}${missing.length > 5 ? " …" : ""}`);
  if (wrongCount.length > 0) lines.push(`ERROR interface counts differ in ${wrongCount.length} lab namespaces, e.g. ${wrongCount[0]}`);
  if (lines.length === 0) lines.push(`check: all ${lab.namespaces.length} lab namespaces are in wiresight's dump (matched by inode), each with the interfaces built`);
  if (topo.warnings.length > 0) {
    const w = topo.warnings[0] as { subject: string; message: string };
    lines.push(`note: the dump carries ${topo.warnings.length} warnings, first: ${w.subject}: ${w.message}`);
  }
  return { ok: missing.length === 0 && wrongCount.length === 0, lines, stats: topo.stats, jsonMB: r.stdout.length / 1048576 };
}

// ---------------------------------------------------------------------------------------------
// discover() in this process: the discovery alone, without process start-up and output

type DiscoverFn = typeof import("../src/discovery/discover.ts").discover;
type Timings = import("../src/discovery/discover.ts").DiscoveryTimings;

async function loadDiscover(): Promise<{ fn: DiscoverFn | null; error?: string }> {
  try {
    const mod = await import("../src/discovery/discover.ts");
    return { fn: mod.discover };
  } catch (err) {
    return { fn: null, error: (err as Error).message.split("\n")[0] };
  }
}

interface InProcess {
  /** The first call: JIT still cold, as in the compiled binary's one and only call. */
  coldMs: number;
  durationMs: number[];
  wallMs: number[];
  stringifyMs: number[];
  nsidQueries: number[];
  dumpRetries: number[];
  namespaces: number;
  interfaces: number;
  sockets: number;
  /** Median per phase over the warm runs. */
  split: Timings | null;
  error?: string;
}

function runInProcess(discover: DiscoverFn, times: number, listeningOnly: boolean): InProcess {
  const res: InProcess = { coldMs: NaN, durationMs: [], wallMs: [], stringifyMs: [], nsidQueries: [], dumpRetries: [], namespaces: 0, interfaces: 0, sockets: 0, split: null };
  const splits: Timings[] = [];
  try {
    res.coldMs = discover({ listeningOnly }).stats.durationMs; // warm-up: JIT, page cache
    for (let i = 0; i < times; i++) {
      Bun.gc(true);
      const timings = {} as Timings;
      const t0 = performance.now();
      const topo = discover({ listeningOnly, timings });
      splits.push(timings);
      const t1 = performance.now();
      JSON.stringify(topo);
      const t2 = performance.now();
      res.wallMs.push(t1 - t0);
      res.stringifyMs.push(t2 - t1);
      res.durationMs.push(topo.stats.durationMs);
      res.nsidQueries.push(topo.stats.nsidQueries);
      res.dumpRetries.push(topo.stats.dumpRetries);
      res.namespaces = topo.stats.namespaces;
      res.interfaces = topo.stats.interfaces;
      res.sockets = topo.stats.sockets;
    }
    if (splits.length > 0) {
      const m = (k: keyof Timings) => median(splits.map((t) => t[k]));
      res.split = { procWalk: m("procWalk"), collect: m("collect"), netlink: m("netlink"), relations: m("relations") };
    }
  } catch (err) {
    res.error = (err as Error).message.split("\n")[0];
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// output

const f1 = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0)) : "—");
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(a / b < 10 ? 2 : 1)}×` : "—");
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

interface SizeResult {
  n: number;
  lab: Lab;
  samples: Map<string, Sample[]>;
  check: DumpCheck | null;
  cStats: Record<string, unknown> | null;
  inproc: InProcess | null;
  inprocListen: InProcess | null;
  loopSpawns: number;
  cProfile: { line: string; socketMs: number };
  settleMs: number;
}

/**
 * The C limit's NLPROF lines ("type 208: 3 dumps, 5.3 ms total, 1760.7 us each"): µs per dump
 * by kind, and the total spent in socket (sock_diag) dumps.
 */
function parseNlprof(stderr: string): { line: string; socketMs: number } {
  const names: Record<number, string> = { 18: "link", 22: "addr", 28: "route4", 36: "route6", 90: "nsid", 208: "TCP4", 216: "TCP6", 219: "UDP4", 227: "UDP6" };
  const parts: string[] = [];
  let socketMs = 0;
  for (const m of stderr.matchAll(/^type (\d+): (\d+) dumps, ([\d.]+) ms total, ([\d.]+) us each$/gm)) {
    parts.push(`${names[Number(m[1])] ?? `type ${m[1]}`} ${Number(m[4]).toFixed(0)}`);
    if (Number(m[1]) >= 200) socketMs += Number(m[3]);
  }
  return { line: parts.join(", "), socketMs };
}

const med = (r: SizeResult, id: string, k: "wallMs" | "rssMB" | "cpuMs") => median((r.samples.get(id) ?? []).filter((s) => s.ok).map((s) => s[k]));
const min = (r: SizeResult, id: string) => Math.min(...(r.samples.get(id) ?? []).filter((s) => s.ok).map((s) => s.wallMs));

function printSize(r: SizeResult, tools: Tool[]): void {
  const { n, lab } = r;
  console.log(`\n=== N = ${n} containers (+${lab.hubs} hub namespaces = ${lab.namespaces.length} lab namespaces), ${runs} interleaved runs, setup ${lab.setupMs < 1000 ? `${lab.setupMs.toFixed(0)} ms` : `${(lab.setupMs / 1000).toFixed(1)} s`}, settled ${(r.settleMs / 1000).toFixed(1)} s later ===`);
  if (r.check) for (const l of r.check.lines) console.log(l);
  const wsStats = r.check?.stats as { namespaces?: number; interfaces?: number; addresses?: number; routes?: number; sockets?: number } | null;
  if (wsStats) console.log(`wiresight saw ${wsStats.namespaces} namespaces (all on the host, initial included), ${wsStats.interfaces} interfaces, ${wsStats.addresses} addresses, ${wsStats.routes} routes, ${wsStats.sockets} sockets; JSON ${r.check!.jsonMB.toFixed(1)} MB`);
  if (r.cStats) {
    const c = r.cStats as { netns: number; links: number; addrs: number; routes: number; socks: number; nsidQueries: number; ms: Record<string, number> };
    console.log(`C limit saw ${c.netns} namespaces, ${c.links} links, ${c.addrs} addresses, ${c.routes} routes, ${c.socks} sockets; its own split: dumps ${c.ms.enumAndDump} ms, nsid ${c.ms.nsidResolve} ms (${c.nsidQueries} queries), /proc fd scan ${c.ms.procScan} ms`);
  }
  if (r.cProfile.line) console.log(`C limit, µs per dump per namespace (NLPROF): ${r.cProfile.line}; socket dumps ${f1(r.cProfile.socketMs)} ms in all`);
  console.log("");
  console.log(`${pad("", 44)}${lpad("wall ms", 10)}${lpad("", 9)}${lpad("peak RSS", 10)}${lpad("CPU ms", 9)}`);
  console.log(`${pad("", 44)}${lpad("median", 10)}${lpad("min", 9)}${lpad("MB", 10)}${lpad("median", 9)}`);
  for (const t of tools) {
    const s = r.samples.get(t.id) ?? [];
    const bad = s.filter((x) => !x.ok);
    if (s.length === 0) continue;
    const label = t.id === "loop" ? `${t.label} (${r.loopSpawns} ip runs)` : t.label;
    console.log(
      `${pad(label, 44)}${lpad(f1(med(r, t.id, "wallMs")), 10)}${lpad(f1(min(r, t.id)), 9)}${lpad(f1(med(r, t.id, "rssMB")), 10)}${lpad(f1(med(r, t.id, "cpuMs")), 9)}` +
        (bad.length ? `   ${bad.length} failed: ${bad[0]!.error}` : ""),
    );
  }
  const ws = med(r, "wiresight", "wallMs");
  const at500 = n === 500;
  const mark = (good: boolean) => (at500 ? (good ? "  met" : "  NOT MET") : "");
  console.log("");
  console.log(`${pad("ratios (median wall)", 44)}${lpad("now", 10)}   target at N = 500`);
  const cFull = med(r, "c-full", "wallMs");
  // Like for like: both dump TCP in every state and UDP, v4 and v6, in every namespace; the TCP
  // dumps walk the host-wide established hash once per namespace and are most of either's time.
  const sockShare = r.cProfile.socketMs / ((r.cStats as { ms?: { total?: number } } | null)?.ms?.total ?? NaN);
  console.log(
    `${pad("wiresight / C limit", 44)}${lpad(ratio(ws, cFull), 10)}   ≤ 0.6× on 2 cores${mark(ws / cFull <= 0.6)}  (socket dumps are ` +
      `${Number.isFinite(sockShare) ? `${(100 * sockShare).toFixed(0)}%` : "part"} of the C limit's time; the C limit is one thread)`,
  );
  const ws1 = med(r, "ws-1", "wallMs");
  if (Number.isFinite(ws1))
    console.log(`${pad("wiresight --workers 1 / C limit", 44)}${lpad(ratio(ws1, cFull), 10)}   (one reader thread: what more cores buy is ${ratio(ws1, ws)})`);
  const wsListen = med(r, "ws-listen", "wallMs");
  if (r.samples.has("c-listen") && Number.isFinite(wsListen))
    console.log(`${pad("wiresight --listening-only / C, NLLISTEN=1", 44)}${lpad(ratio(wsListen, med(r, "c-listen", "wallMs")), 10)}   (both listening sockets only)`);
  if (r.samples.has("c-nosock")) console.log(`${pad("wiresight / C limit without sockets", 44)}${lpad(ratio(ws, med(r, "c-nosock", "wallMs")), 10)}   (what the socket dumps add)`);
  const loop = med(r, "loop", "wallMs");
  console.log(`${pad("iproute2 loop / wiresight", 44)}${lpad(ratio(loop, ws), 10)}   ≥ 30×${mark(loop / ws >= 30)}`);
  const rss = med(r, "wiresight", "rssMB");
  console.log(`${pad("wiresight peak RSS", 44)}${lpad(`${f1(rss)} MB`, 10)}   < 120 MB${mark(rss < 120)}`);

  for (const [label, x] of [["discover()", r.inproc], ["discover({ listeningOnly })", r.inprocListen]] as const) {
    const t = x?.split;
    if (!t) continue;
    console.log(
      `split of ${label}, warm, median: netlink (socket opens, send, recv) ${f1(t.netlink)} ms · parsing ${f1(t.collect - t.netlink)} ms · ` +
        `/proc walk ${f1(t.procWalk)} ms · relations (NSIDs, model, owners, sort) ${f1(t.relations)} ms; ${x!.sockets} sockets`,
    );
  }
  const ip = r.inproc;
  if (ip?.error) console.log(`\ndiscover() in-process: failed: ${ip.error}`);
  else if (ip && ip.durationMs.length > 0) {
    const d = median(ip.durationMs);
    const start = med(r, "ws-start", "wallMs");
    console.log(
      `\ndiscover() in this process: first call ${f1(ip.coldMs)} ms (cold JIT); then ${ip.durationMs.length} runs, stats.durationMs median ${f1(d)} min ${f1(Math.min(...ip.durationMs))}, ` +
        `nsidQueries ${ip.nsidQueries.join("/")}, dumpRetries ${ip.dumpRetries.join("/")} (${ip.namespaces} namespaces, ${ip.interfaces} interfaces); JSON.stringify ${f1(median(ip.stringifyMs))} ms`,
    );
    const ws1 = med(r, "ws-1", "wallMs");
    if (Number.isFinite(ws1)) {
      // With one reader Worker the binary does what discover() does, once, with the JIT cold:
      // the first in-process call is the closer estimate; the warm figure is what a
      // long-running process would pay per pass.
      const rest = ws1 - start - ip.coldMs;
      console.log(
        `split of wiresight dump --workers 1's ${f1(ws1)} ms: start-up ≈ ${f1(start)} ms (wiresight --version) + discover() ≈ ${f1(ip.coldMs)} ms (first call, cold JIT) + ` +
          `JSON, write and exit ≈ ${rest > 0 ? f1(rest) : "0"} ms${rest > 0 ? "" : " (within noise)"}; warm, discover() alone takes ${f1(d)} ms`,
      );
    }
  }
}

function printSummary(results: SizeResult[]): void {
  console.log(`\n=== summary (median wall ms; peak RSS MB) ===`);
  const head = ["N", "wiresight", "RSS", "ws 1 wkr", "ws listen", "C limit", "C listen", "C no-sock", "iproute2", "ws/C", "ws1/C", "wsL/CL", "loop/ws"];
  const widths = [6, 11, 7, 10, 11, 9, 10, 11, 10, 8, 8, 9, 9];
  console.log(head.map((h, i) => lpad(h, widths[i]!)).join(""));
  for (const r of results) {
    const ws = med(r, "wiresight", "wallMs");
    const row = [
      String(r.n),
      f1(ws),
      f1(med(r, "wiresight", "rssMB")),
      f1(med(r, "ws-1", "wallMs")),
      f1(med(r, "ws-listen", "wallMs")),
      f1(med(r, "c-full", "wallMs")),
      f1(med(r, "c-listen", "wallMs")),
      f1(med(r, "c-nosock", "wallMs")),
      f1(med(r, "loop", "wallMs")),
      ratio(ws, med(r, "c-full", "wallMs")),
      ratio(med(r, "ws-1", "wallMs"), med(r, "c-full", "wallMs")),
      ratio(med(r, "ws-listen", "wallMs"), med(r, "c-listen", "wallMs")),
      ratio(med(r, "loop", "wallMs"), ws),
    ];
    console.log(row.map((c, i) => lpad(c, widths[i]!)).join(""));
  }
}

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<number> {
  removeStaleLabs((s) => console.log(`bench: ${s}`));
  for (const f of readdirSync(OUT)) {
    const pid = /^time-(\d+)\.txt$/.exec(f)?.[1];
    if (pid && Number(pid) !== process.pid && !existsSync(`/proc/${pid}`)) rmSync(join(OUT, f), { force: true });
  }
  const c = prepareC();
  const wsBin = prepareWiresight();
  const wsWorks = wsBin.path !== null && Bun.spawnSync([wsBin.path, "--version"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;
  const disc = await loadDiscover();

  console.log(`wiresight discovery benchmark — ${new Date().toISOString()}, kernel ${readFileSync("/proc/sys/kernel/osrelease", "utf8").trim()}, ${navigator.hardwareConcurrency} CPUs`);
  console.log(wsBin.note + (wsBin.path && !wsWorks ? " — but it does not run; measuring the others only" : ""));
  console.log(`C limit: ${C_SOURCE} (gcc -O2 → bench/out/netlink-limit); it also dumps TCP/UDP sockets (sock_diag, 4 dumps per namespace) and scans /proc/*/fd for socket owners`);
  for (const n of c.note) console.log(n);
  console.log(`timing: wall around each spawn (stdout → /dev/null); peak RSS from ${haveTime ? "/usr/bin/time -f %M" : "Bun.spawnSync resourceUsage"}; CPU (user+sys) from resourceUsage`);
  if (!disc.fn) console.log(`discover() cannot be imported yet: ${disc.error}`);
  console.log(`lab prefix: ${prefixHolder.prefix}`);

  const tools: Tool[] = [];
  if (wsWorks) {
    tools.push({ id: "wiresight", label: `wiresight dump (${navigator.hardwareConcurrency} workers)`, argv: [wsBin.path!, "dump"] });
    tools.push({ id: "ws-1", label: "wiresight dump --workers 1", argv: [wsBin.path!, "dump", "--workers", "1"] });
    tools.push({ id: "ws-listen", label: "wiresight dump --listening-only", argv: [wsBin.path!, "dump", "--listening-only"] });
    tools.push({ id: "ws-start", label: "  wiresight --version (start-up only)", argv: [wsBin.path!, "--version"] });
  }
  tools.push({ id: "c-full", label: "C limit (sockets in all states)", argv: [c.full] });
  tools.push({ id: "c-listen", label: "C limit, NLLISTEN=1 (listening only)", argv: [c.full], env: { NLLISTEN: "1" } });
  if (c.noSock) tools.push({ id: "c-nosock", label: "C limit without sockets (bench copy)", argv: [c.noSock] });
  tools.push({ id: "loop", label: "iproute2 loop", argv: ["bash", LOOP_SCRIPT] });

  const results: SizeResult[] = [];
  let failed = !wsWorks || !disc.fn;
  for (const n of sizes) {
    await waitForIdle(30_000);
    const lab = await createLab(prefixHolder.prefix, n);
    // IPv6 link-local addresses finish DAD (and get their local routes) about a second after
    // their link comes up, spread over a few seconds for a thousand links: wait until the lab
    // stops changing, so every tool measures the same topology.
    const settled = await waitForStableCounts(c.noSock ?? c.full, 60_000);
    await waitForIdle(30_000);
    const r: SizeResult = { n, lab, samples: new Map(), check: null, cStats: null, inproc: null, inprocListen: null, loopSpawns: 0, cProfile: { line: "", socketMs: NaN }, settleMs: 0 };
    r.loopSpawns = 3 * (1 + readdirSync("/run/netns").length) + 1;
    r.settleMs = settled.waitedMs;
    if (!settled.settled) console.log(`bench: N = ${n}: the lab was still changing after ${(settled.waitedMs / 1000).toFixed(0)} s; measuring anyway`);

    // warm-up (page cache, first-touch) and the correctness check, untimed
    if (wsWorks) {
      r.check = checkDump(wsBin.path!, lab);
      if (!r.check.ok) failed = true;
      await yieldToSignals();
    }
    const cOut = Bun.spawnSync([c.full], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NLPROF: "1" } });
    try {
      r.cStats = JSON.parse(cOut.stdout.toString());
    } catch {}
    r.cProfile = parseNlprof(cOut.stderr.toString());
    await yieldToSignals();
    for (const t of tools) if (t.id !== "wiresight") await measure(t.argv, t.env);

    // measured: every tool once per round, the order rotated each round
    for (let round = 0; round < runs; round++) {
      for (let k = 0; k < tools.length; k++) {
        const t = tools[(k + round) % tools.length]!;
        const s = await measure(t.argv, t.env);
        if (!r.samples.has(t.id)) r.samples.set(t.id, []);
        r.samples.get(t.id)!.push(s);
      }
    }
    if (disc.fn && inprocessRuns > 0) {
      r.inproc = runInProcess(disc.fn, inprocessRuns, false);
      r.inprocListen = runInProcess(disc.fn, inprocessRuns, true);
    }
    if (r.inproc?.error || r.inprocListen?.error) failed = true;

    const left = destroyCreated();
    if (left.length > 0) throw new Error(`could not delete ${left.length} lab namespaces: ${left.slice(0, 5).join(" ")}`);
    results.push(r);
    printSize(r, tools);
  }
  if (results.length > 1) printSummary(results);
  if (!wsWorks) console.log(`\nwiresight was not measured: ${wsBin.path ? `${wsBin.path} --version fails` : wsBin.note}`);
  return failed ? 1 : 0;
}

const prefixHolder = { prefix: newPrefix() };

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`bench: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
} finally {
  cleanup();
}
