// Capture benchmark: packets per second captured and written, losses, and CPU per 10k packets/s,
// for `wiresight capture` and `tcpdump -w` in the same namespace, in the same run, on the same
// traffic (a UDP flood over a veth between two namespaces, as fast as the senders go). Rounds
// alternate the two tools so that a busy machine slows both alike; the summary compares medians.
// CPU is measured in the steady state: the flood first runs `warmup` seconds unmeasured, for both
// tools alike (wiresight's JIT compiles its per-packet code in the first second or so of traffic,
// about 0.1 CPU-s, which `warmup=0` shows).
// Run as root: bun bench/capture.ts [seconds=5] [rounds=1] [senders=1] [warmup=2]
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 1);
const senders = Number(process.argv[4] ?? 1);
const warmup = Number(process.argv[5] ?? 2);
const prefix = `wb${randomBytes(3).toString("hex")}`;
const A = `${prefix}-a`;
const B = `${prefix}-b`;
const dir = mkdtempSync(join(tmpdir(), "wiresight-bench-"));
const bin = join(import.meta.dir, "../dist/wiresight");
const TICKS = 100; // USER_HZ

function sh(cmd: string, ...args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) / TICKS; // utime, stime
}

// A sender: as many small UDP datagrams as it can for SECONDS, then prints how many.
const SENDER = `
const s = require("node:dgram").createSocket("udp4");
const msg = Buffer.alloc(64); let n = 0; const end = Date.now() + Number(process.argv[1]) * 1000;
function burst() { for (let i = 0; i < 256; i++) { s.send(msg, 9, "10.214.0.2"); n++; } if (Date.now() < end) setImmediate(burst); else setTimeout(() => { console.log(n); process.exit(0); }, 200); }
burst();`;

async function flood(forSeconds: number): Promise<number> {
  if (forSeconds <= 0) return 0;
  const counts = await Promise.all(
    Array.from({ length: senders }, () => {
      const child = spawn("ip", ["netns", "exec", A, process.execPath, "-e", SENDER, String(forSeconds)], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      return new Promise<number>((resolve) => child.on("exit", () => resolve(Number(out.trim()))));
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

interface Result {
  tool: string;
  sent: number;
  captured: number;
  lost: number;
  kernelDropped: number;
  pps: number;
  cpuPer10kpps: number;
}

async function run(tool: string, argv: string[], file: string): Promise<Result> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((r) => child.on("exit", r));
  await Bun.sleep(1500); // sockets open (wiresight runs a discovery first)
  const warm = await flood(warmup);
  const cpu0 = cpuSeconds(child.pid!);
  const measured = await flood(seconds);
  await Bun.sleep(500);
  const cpu = cpuSeconds(child.pid!) - cpu0;
  const sent = warm + measured;
  child.kill("SIGINT");
  await exited;
  const captured = Number(/Number of packets:\s+(\d+)/.exec(sh("capinfos", "-M", "-c", file))![1]);
  // wiresight: "…, K dropped by the kernel"; tcpdump: "K packets dropped by kernel"
  const kernelDropped = Number(/(\d+) (?:packets )?dropped by (?:the )?kernel/.exec(stderr)?.[1] ?? NaN);
  const pps = measured / seconds;
  return { tool, sent, captured, lost: sent - captured, kernelDropped, pps: Math.round(pps), cpuPer10kpps: +(cpu / seconds / (pps / 10_000)).toFixed(4) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  sh("ip", "netns", "add", A);
  sh("ip", "netns", "add", B);
  sh("ip", "link", "add", "veth0", "netns", A, "type", "veth", "peer", "name", "veth0", "netns", B);
  sh("ip", "-n", A, "addr", "add", "10.214.0.1/24", "dev", "veth0");
  sh("ip", "-n", B, "addr", "add", "10.214.0.2/24", "dev", "veth0");
  sh("ip", "-n", A, "link", "set", "veth0", "up");
  sh("ip", "-n", B, "link", "set", "veth0", "up");
  sh("ip", "netns", "exec", A, "ping", "-c", "1", "10.214.0.2");
  const results: Result[] = [];
  for (let r = 0; r < rounds; r++) {
    results.push(await run("wiresight", [bin, "capture", A, "-i", "veth0", "-f", "udp", "-w", join(dir, "w.pcapng")], join(dir, "w.pcapng")));
    // The same ring as wiresight's (8 MiB), nanosecond timestamps.
    results.push(await run("tcpdump", ["ip", "netns", "exec", A, "tcpdump", "-i", "veth0", "-s", "262144", "-B", "8192", "-n", "udp", "-w", join(dir, "t.pcapng"), "--time-stamp-precision=nano"], join(dir, "t.pcapng")));
  }
  console.table(results);
  const of = (tool: string, k: keyof Result) => median(results.filter((x) => x.tool === tool).map((x) => x[k] as number));
  const w = of("wiresight", "cpuPer10kpps");
  const t = of("tcpdump", "cpuPer10kpps");
  console.log(
    `median CPU-s/s per 10k pps: wiresight ${w}, tcpdump ${t} → ${(w / t).toFixed(2)}× tcpdump; ` +
      `median pps ${of("wiresight", "pps")} vs ${of("tcpdump", "pps")}; ` +
      `lost (sent − captured) ${of("wiresight", "lost")} vs ${of("tcpdump", "lost")}, ` +
      `kernel drops ${of("wiresight", "kernelDropped")} vs ${of("tcpdump", "kernelDropped")}; load ${readFileSync("/proc/loadavg", "utf8").trim()}`,
  );
} finally {
  spawnSync("ip", ["netns", "del", A]);
  spawnSync("ip", ["netns", "del", B]);
  rmSync(dir, { recursive: true, force: true });
}
