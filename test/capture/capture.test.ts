// Live capture, for real: two lab namespaces joined by a veth, ping and a small TCP exchange
// between their addresses, captured from one side through the CLI; tshark reads the pcapng as
// an independent reader. Plus the ways a capture ends (count, duration, SIGINT, a consumer that
// goes away, a vanished target) with the fd count checked to be back where it was.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { Capture } from "../../src/capture/engine.ts";
import { aliveCheck, openNamespace, resolveTarget, selectInterfaces } from "../../src/capture/target.ts";
import { discover } from "../../src/discovery/discover.ts";
import { closeQuietly } from "../../src/ffi/index.ts";
import { fdTable, newFds } from "../ffi/helpers.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";

const root = requireRoot();
const lab = new Lab();
const MAIN = join(import.meta.dir, "../../src/cli/main.ts");
let A = "";
let B = "";
let vethA = "";
const ADDR_A = "10.213.7.1";
const ADDR_B = "10.213.7.2";
// Each test runs the CLI (a discovery, then the capture) one or more times: seconds on a busy machine.
const CLI_TIMEOUT = 60_000;

beforeAll(() => {
  if (!root) return;
  ensureTool("tshark", "tshark");
  ensureTool("ping", "iputils-ping");
  A = lab.netns("a");
  B = lab.netns("b");
  vethA = `${lab.prefix}va`;
  lab.veth({ ns: A, name: vethA, cidr: `${ADDR_A}/24` }, { ns: B, name: `${lab.prefix}vb`, cidr: `${ADDR_B}/24` });
  // Resolve the neighbours first, so the captures below see only the traffic the tests make.
  sh("ip", ["netns", "exec", A, "ping", "-c", "1", "-W", "2", ADDR_B]);
});
afterAll(() => lab.cleanup());

interface CliRun {
  code: number | null;
  stderr: string;
}

/** Start `wiresight capture`, wait until its sockets are open, run `traffic`, then end it (SIGINT unless it ends itself). */
async function captureWhile(args: string[], traffic: () => Promise<void> | void, opts: { interrupt?: boolean } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [MAIN, "capture", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`capture did not start: ${stderr}`)), 20_000);
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("capturing on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (child.exitCode === null) {
    await traffic();
    if (opts.interrupt !== false) child.kill("SIGINT");
  }
  const code = await exited;
  return { code, stderr };
}

function pingFromA(count: number): void {
  sh("ip", ["netns", "exec", A, "ping", "-c", String(count), "-i", "0.2", "-W", "2", ADDR_B]);
}

/** A TCP echo in B and a client in A: handshake, 5 bytes each way, close. */
async function tcpExchange(): Promise<void> {
  const server = lab.spawn("ip", [
    "netns", "exec", B, process.execPath, "-e",
    `Bun.listen({ hostname: "${ADDR_B}", port: 7007, socket: { data(s, d) { s.write(d); s.end(); } } }); console.log("ready");`,
  ]);
  await lab.waitFor(server, "ready");
  const client = spawnSync("ip", [
    "netns", "exec", A, process.execPath, "-e",
    `await new Promise((done) => Bun.connect({ hostname: "${ADDR_B}", port: 7007, socket: { open(s) { s.write("hello"); }, data(s, d) { console.log(String(d)); s.end(); }, close() { done(); } } }));`,
  ], { encoding: "utf8", timeout: 15_000 });
  expect(client.stdout.trim()).toBe("hello");
  server.kill("SIGKILL");
}

function tshark(file: string, ...args: string[]): string[] {
  const out = sh("tshark", ["-r", file, ...args]);
  return out.split("\n").filter((l) => l.trim() !== "");
}

function summaryCount(stderr: string): number {
  const m = /wiresight: (\d+) packet\(s\) captured/.exec(stderr);
  if (!m) throw new Error(`no summary in: ${stderr}`);
  return Number(m[1]);
}

describe.if(root)("wiresight capture (CLI) read back by tshark", () => {
  test("every interface, no filter: ICMP and TCP between the namespaces, per-interface names and directions", async () => {
    const file = join(lab.dir, "all.pcapng");
    const r = await captureWhile([A, "-w", file], async () => {
      pingFromA(4);
      await tcpExchange();
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`capturing on lo, ${vethA} of ${A}`);
    // Every packet we counted is in the file, and tshark agrees on the count.
    const all = tshark(file, "-T", "fields", "-e", "frame.number");
    expect(all.length).toBe(summaryCount(r.stderr));
    // 4 echo requests out of A, 4 replies in, all on the veth.
    const icmp = tshark(file, "-Y", "icmp", "-T", "fields", "-e", "frame.interface_name", "-e", "icmp.type", "-e", "frame.packet_flags_direction");
    expect(icmp.length).toBe(8);
    const rows = icmp.map((l) => l.split("\t"));
    for (const [ifname] of rows) expect(ifname).toBe(vethA);
    const byType = (t: string) => rows.filter((x) => x[1] === t).map((x) => Number(x[2]));
    expect(byType("8")).toEqual([2, 2, 2, 2]); // echo request: outbound
    expect(byType("0")).toEqual([1, 1, 1, 1]); // echo reply: inbound
    // The TCP exchange: a SYN from A, a SYN/ACK from B, and the 5 bytes each way.
    const tcp = tshark(file, "-Y", `tcp.port == 7007`, "-T", "fields", "-e", "tcp.flags.str", "-e", "tcp.len");
    expect(tcp.length).toBeGreaterThanOrEqual(6);
    expect(tcp.filter((l) => l.includes("S") && !l.includes("A")).length).toBeGreaterThanOrEqual(1);
    expect(tcp.map((l) => Number(l.split("\t")[1])).filter((n) => n === 5).length).toBe(2);
    // The file describes both interfaces and says what it is a capture of.
    const info = sh("capinfos", [file]);
    expect(info).toMatch(/Number of interfaces in file: 2/);
    expect(info).toContain("Name = lo");
    expect(info).toContain(`Name = ${vethA}`);
    expect(info).toContain("Time precision = nanoseconds (9)");
    expect(info).toContain(`Capture comment:     wiresight capture of ${A}`);
  }, CLI_TIMEOUT);

  test("-f icmp -i IF: only ICMP reaches the file, written to stdout", async () => {
    const file = join(lab.dir, "icmp.pcapng");
    const child = spawn("sh", ["-c", `exec "${process.execPath}" "${MAIN}" capture ${A} -i ${vethA} -f icmp --count 6 > ${file}`], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    while (!stderr.includes("capturing on") && child.exitCode === null) await Bun.sleep(20);
    await tcpExchange(); // filtered out in the kernel
    pingFromA(3);
    expect(await exited).toBe(0);
    expect(stderr).toContain("6 packet(s) captured (packet count reached)");
    expect(tshark(file, "-T", "fields", "-e", "frame.number").length).toBe(6);
    expect(tshark(file, "-Y", "icmp").length).toBe(6);
    expect(tshark(file, "-Y", "!icmp").length).toBe(0);
    expect(sh("capinfos", [file])).toMatch(/Number of interfaces in file: 1/);
  }, CLI_TIMEOUT);

  test("--duration ends the capture by itself; a path target works too", async () => {
    const file = join(lab.dir, "duration.pcapng");
    const r = await captureWhile([`/run/netns/${A}`, "-i", vethA, "--duration", "1.5", "--no-promisc", "-w", file], () => {}, { interrupt: false });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("(duration elapsed)");
    expect(r.stderr).not.toContain("promiscuous");
    expect(sh("capinfos", [file])).toContain(`Name = ${vethA}`);
  }, CLI_TIMEOUT);

  test("-s cuts each packet at the snaplen (its length on the wire kept); -B sizes the kernel ring", async () => {
    const file = join(lab.dir, "snaplen.pcapng");
    const r = await captureWhile([A, "-i", vethA, "-f", "icmp", "-s", "64", "-B", "512", "-w", file], () => {
      sh("ip", ["netns", "exec", A, "ping", "-c", "2", "-i", "0.2", "-s", "600", "-W", "2", ADDR_B]);
    });
    expect(r.code).toBe(0);
    expect(summaryCount(r.stderr)).toBe(4);
    const rows = tshark(file, "-T", "fields", "-e", "frame.cap_len", "-e", "frame.len");
    expect(rows).toEqual(Array(4).fill("64\t642"));
    expect(sh("capinfos", [file])).toContain("Capture length = 64");
  }, CLI_TIMEOUT);

  test("clear errors: bad filter, unknown target, unknown interface, bad options", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, "capture", ...args], { encoding: "utf8" });
    const bad = run(A, "-f", "tcp port nope", "-w", join(lab.dir, "x.pcapng"));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`wiresight: invalid capture filter "tcp port nope": `);
    expect(bad.stderr).not.toContain("    at ");
    const unknown = run(`${lab.prefix}-nope`, "-w", join(lab.dir, "x.pcapng"));
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain(`no network namespace matches '${lab.prefix}-nope'`);
    const noIf = run(A, "-i", "nope0", "-w", join(lab.dir, "x.pcapng"));
    expect(noIf.status).toBe(1);
    expect(noIf.stderr).toContain(`no interface 'nope0' in ${A}`);
    expect(noIf.stderr).toContain(vethA); // lists what there is
    expect(run(A, "--count", "0").stderr).toContain("--count takes a positive integer, not '0'");
    expect(run(A, "--duration", "soon").stderr).toContain("--duration takes a positive number");
    expect(run(A, "-s", "300000").stderr).toContain("--snaplen takes at most 262144 bytes, not '300000'");
    expect(run(A, "-B", "0").stderr).toContain("--buffer-size takes a positive integer, not '0'");
    const full = run(A, "-w", "/dev/full", "--duration", "0.2");
    expect(full.status).toBe(1);
    expect(full.stderr).toContain("wiresight: writing /dev/full: ENOSPC");
    expect(run().stderr).toContain("'capture' needs a TARGET");
  }, CLI_TIMEOUT);

  test("a target namespace that disappears ends the capture cleanly, with a readable file", async () => {
    const C = lab.netns("c");
    const file = join(lab.dir, "vanish.pcapng");
    const r = await captureWhile([C, "-w", file], () => {
      sh("ip", ["netns", "del", C]);
      lab.forgetNetns(C);
    }, { interrupt: false });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("(the target namespace disappeared)");
    expect(sh("capinfos", [file])).toContain("Name = lo");
  }, CLI_TIMEOUT);
});

describe.if(root)("capture engine: every way of stopping closes every socket", () => {
  async function drain(c: Capture, max = Infinity): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let n = 0;
    for await (const chunk of c) {
      parts.push(chunk);
      if (++n >= max) break;
    }
    return Buffer.concat(parts);
  }

  function start(extra: Partial<Parameters<typeof Capture.start>[0]> = {}): Capture {
    const ns = resolveTarget(discover(), A);
    const fd = openNamespace(ns);
    try {
      return Capture.start({
        netnsFd: fd,
        interfaces: selectInterfaces(ns, []).map((i) => ({ index: i.index, name: i.name, arphrd: i.linkType })),
        promiscuous: true,
        isAlive: aliveCheck(ns),
        comments: ["test"],
        ...extra,
      });
    } finally {
      closeQuietly(fd);
    }
  }

  test("stop(), --count, --duration, a consumer that breaks off, a vanished target, a bad filter", async () => {
    // Warm up what is created once per process (discovery's scratch, the netns fd cache, libpcap).
    const warm = start({ filter: "icmp" });
    warm.stop();
    await drain(warm);
    const before = fdTable();

    const a = start();
    expect(a.fds.length).toBe(2);
    setTimeout(() => a.stop(), 200);
    await drain(a);
    expect(await a.ended).toBe("stopped");

    const b = start({ count: 2, filter: "icmp" });
    const pinging = spawn("ip", ["netns", "exec", A, "ping", "-c", "5", "-i", "0.2", ADDR_B]);
    const bytes = await drain(b);
    pinging.kill();
    expect(await b.ended).toBe("count");
    expect(b.stats.packets).toBe(2);
    expect(bytes.byteLength).toBeGreaterThan(0);

    const c = start({ durationMs: 300 });
    await drain(c);
    expect(await c.ended).toBe("duration");

    const d = start();
    await drain(d, 1); // the client goes away after the header chunk
    expect(await d.ended).toBe("consumer closed");
    expect(d.fds).toEqual([]);

    const e = start({ isAlive: () => false });
    await drain(e);
    expect(await e.ended).toBe("target vanished");

    expect(() => start({ filter: "icmp and and" })).toThrow(/invalid capture filter/);

    expect(newFds(before)).toEqual([]);
  }, CLI_TIMEOUT);
});
