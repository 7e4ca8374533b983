// The capture engine's TPACKET_V3 rings at their edges, on real sockets: a reader too slow for
// the traffic (the kernel's ring overflows; the consumer's queue fills), frames cut at the
// snaplen, an interface deleted while it is captured. Whatever is lost is counted, and every
// packet the kernel passed the filter is accounted for: written, dropped by us, or dropped by
// the kernel — in the stats and in the stream's interface statistics blocks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Capture, type CaptureOptions } from "../../src/capture/engine.ts";
import { openNamespace, resolveTarget, selectInterfaces } from "../../src/capture/target.ts";
import { discover } from "../../src/discovery/discover.ts";
import { closeQuietly, RING_BLOCK_SIZE } from "../../src/ffi/index.ts";
import { fdTable, newFds } from "../ffi/helpers.ts";
import { eventually, ourPacketSockets, ping, tshark, vethPair } from "../helpers/capture-lab.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";

const root = requireRoot();
const lab = new Lab();
let A = "";
let B = "";
let vethA = "";
let vethB = "";
let ADDR_A = "";
let ADDR_B = "";
const PORT = 7912;
const TIMEOUT = 60_000;
const MAIN = join(import.meta.dir, "../../src/cli/main.ts");

beforeAll(() => {
  if (!root) return;
  ensureTool("mausezahn", "netsniff-ng");
  ({ A, B, vethA, vethB, addrA: ADDR_A, addrB: ADDR_B } = vethPair(lab, "10.213.12"));
});
afterAll(() => lab.cleanup());

/** A capture in A (or `netns`) on the named interfaces (all when none). */
function start(names: string[], extra: Partial<CaptureOptions> = {}, netns = A): Capture {
  const ns = resolveTarget(discover(), netns);
  const fd = openNamespace(ns);
  try {
    return Capture.start({
      netnsFd: fd,
      interfaces: selectInterfaces(ns, names).map((i) => ({ index: i.index, name: i.name, arphrd: i.linkType })),
      promiscuous: false,
      comments: ["ring test"],
      ...extra,
    });
  } finally {
    closeQuietly(fd);
  }
}

async function drain(c: Capture): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of c) parts.push(chunk.slice());
  return Buffer.concat(parts);
}

/** `count` UDP datagrams of `size` bytes from A to B's PORT, as fast as one process sends them. */
const FLOOD = (count: number, size: number) => `
const s = require("node:dgram").createSocket("udp4");
const msg = Buffer.alloc(${size}); let sent = 0;
function burst() { for (let i = 0; i < 256 && sent < ${count}; i++) { s.send(msg, ${PORT}, "${ADDR_B}"); sent++; }
  if (sent < ${count}) setImmediate(burst); else s.close(() => console.log(sent)); }
burst();`;

interface Blocks {
  packets: { iface: number; captured: number; original: number }[];
  frames: Buffer[];
  stats: { iface: number; received: bigint; osDropped: bigint; delivered: bigint; comment: string }[];
  snaplens: number[];
}

/** The blocks of a pcapng stream we care about, read with the spec's layout. */
function readBlocks(bytes: Uint8Array): Blocks {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Blocks = { packets: [], frames: [], stats: [], snaplens: [] };
  for (let off = 0; off + 12 <= bytes.byteLength; ) {
    const type = v.getUint32(off, true);
    const len = v.getUint32(off + 4, true);
    expect(v.getUint32(off + len - 4, true)).toBe(len);
    if (type === 1) out.snaplens.push(v.getUint32(off + 12, true));
    if (type === 6) {
      const captured = v.getUint32(off + 20, true);
      out.packets.push({ iface: v.getUint32(off + 8, true), captured, original: v.getUint32(off + 24, true) });
      out.frames.push(Buffer.from(bytes.buffer, bytes.byteOffset + off + 28, captured));
    }
    if (type === 5) {
      const s = { iface: v.getUint32(off + 8, true), received: 0n, osDropped: 0n, delivered: 0n, comment: "" };
      for (let o = off + 20; o + 4 <= off + len - 4; ) {
        const code = v.getUint16(o, true);
        const olen = v.getUint16(o + 2, true);
        if (code === 0) break;
        if (code === 4) s.received = v.getBigUint64(o + 4, true);
        if (code === 7) s.osDropped = v.getBigUint64(o + 4, true);
        if (code === 8) s.delivered = v.getBigUint64(o + 4, true);
        if (code === 1) s.comment = Buffer.from(bytes.subarray(o + 4, o + 4 + olen)).toString();
        o += 4 + ((olen + 3) & ~3);
      }
      out.stats.push(s);
    }
    off += len;
  }
  return out;
}

/** Every packet that passed the filter is written, dropped by us or dropped by the kernel. */
function expectAccounted(c: Capture, blocks: Blocks): void {
  const s = c.stats;
  const i = s.interfaces[0]!;
  expect(i.packets + i.dropped + i.kernelDropped).toBe(i.kernelReceived);
  expect(blocks.packets.length).toBe(s.packets);
  expect(blocks.stats[0]).toMatchObject({ received: BigInt(i.kernelReceived), osDropped: BigInt(i.kernelDropped), delivered: BigInt(i.packets) });
  if (i.dropped > 0) expect(blocks.stats[0]!.comment).toBe(`wiresight dropped ${i.dropped} packets: the reader did not keep up`);
}

function ringMappings(): string[] {
  return readFileSync("/proc/self/maps", "utf8").split("\n").filter((l) => l.includes("socket:["));
}

describe.if(root)("capture rings at their edges", () => {
  let before: Map<number, string>;
  beforeAll(() => {
    const warm = start([vethA], { filter: "udp" }); // what is created once per process (libpcap, discovery scratch)
    warm.stop("consumer closed");
    before = fdTable();
  });

  test("a reader that does not come for a while: the kernel's ring overflows, its drops are counted", async () => {
    const c = start([vethA], { filter: `udp and dst port ${PORT}`, ringBytes: 2 * RING_BLOCK_SIZE });
    // spawnSync holds the event loop for the whole flood: nothing reads the two-block ring.
    const flood = spawnSync("ip", ["netns", "exec", A, process.execPath, "-e", FLOOD(20_000, 64)], { encoding: "utf8" });
    expect(flood.stdout.trim()).toBe("20000");
    c.stop();
    const blocks = readBlocks(await drain(c));
    expect(await c.ended).toBe("stopped");
    expect(c.stats.kernelDropped).toBeGreaterThan(0);
    expect(c.stats.packets).toBeGreaterThan(0);
    expect(c.stats.interfaces[0]!.kernelReceived).toBeLessThanOrEqual(20_000);
    expectAccounted(c, blocks);
  }, TIMEOUT);

  test("a consumer that does not read: blocks past its queue's bound are dropped and counted, not kept", async () => {
    const c = start([vethA], { filter: `udp and dst port ${PORT}`, maxBufferedBytes: RING_BLOCK_SIZE + 4096 });
    const flood = spawn("ip", ["netns", "exec", A, process.execPath, "-e", FLOOD(20_000, 200)], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((resolve) => flood.on("exit", resolve));
    c.stop();
    const blocks = readBlocks(await drain(c)); // only now does the consumer read
    expect(c.stats.dropped).toBeGreaterThan(0);
    expect(c.stats.packets).toBeGreaterThan(0);
    expectAccounted(c, blocks);
  }, TIMEOUT);

  test("frames longer than the snaplen are cut, their length on the wire kept; with and without a filter", async () => {
    for (const filter of ["icmp", undefined]) {
      const c = start([vethA], { snaplen: 100, filter });
      ping(A, ADDR_B, 2, "-s", "1000");
      c.stop();
      const blocks = readBlocks(await drain(c));
      expect(blocks.snaplens).toEqual([100]);
      const icmp = blocks.packets.filter((p) => p.original === 14 + 20 + 8 + 1000);
      expect(icmp.length).toBe(4); // two echo requests, two replies
      for (const p of icmp) expect(p.captured).toBe(100);
      for (const p of blocks.packets) expect(p.captured).toBeLessThanOrEqual(100);
    }
    expect(() => start([vethA], { snaplen: 0 })).toThrow("snaplen must be an integer from 1 to 262144");
  }, TIMEOUT);

  test("an interface deleted mid-capture: what it captured is kept, its socket closes, the others go on", async () => {
    const gone = `${lab.prefix}vg`;
    lab.veth({ ns: A, name: gone, cidr: "10.213.13.1/24" }, { ns: B, name: `${lab.prefix}vh`, cidr: "10.213.13.2/24" });
    const c = start(["lo", gone], { filter: "icmp" });
    expect(ourPacketSockets(A)).toBe(2);
    ping(A, "10.213.13.2", 2);
    sh("ip", ["-n", A, "link", "del", gone]);
    await eventually("the deleted interface's socket is closed, lo's is not", () => ourPacketSockets(A) === 1);
    expect(c.stopReason).toBeUndefined();
    ping(A, ADDR_A, 1); // over lo, still captured
    c.stop();
    const blocks = readBlocks(await drain(c));
    expect(await c.ended).toBe("stopped");
    expect(blocks.packets.filter((p) => p.iface === 1).length).toBe(4); // the deleted interface's pings
    expect(blocks.packets.filter((p) => p.iface === 0).length).toBeGreaterThanOrEqual(2);
    expect(blocks.stats.map((s) => s.iface)).toEqual([0, 1]);

    // The only interface deleted: the capture ends by itself, with what it had.
    const last = `${lab.prefix}vl`;
    lab.veth({ ns: A, name: last, cidr: "10.213.14.1/24" }, { ns: B, name: `${lab.prefix}vm`, cidr: "10.213.14.2/24" });
    const d = start([last], { filter: "icmp" });
    ping(A, "10.213.14.2", 1);
    sh("ip", ["-n", A, "link", "del", last]);
    const dBlocks = readBlocks(await drain(d));
    expect(await d.ended).toBe("interfaces gone");
    expect(dBlocks.packets.length).toBe(2);
  }, TIMEOUT);

  test("an 802.1Q tag the receiving kernel took out of the frame is put back, as tcpdump shows it", async () => {
    const c = start([vethB], { filter: `udp dst port ${PORT + 1}` }, B); // the filter sees the frame without its tag
    sh("ip", ["netns", "exec", A, "mausezahn", vethA, "-q", "-c", "2", "-Q", "5:100", "-b", "ff:ff:ff:ff:ff:ff", "-t", "udp", `dp=${PORT + 1}`, "-A", ADDR_A, "-B", ADDR_B]);
    await eventually("both tagged frames arrived", () => c.stats.packets >= 2);
    c.stop();
    const file = `${lab.dir}/vlan.pcapng`;
    await Bun.write(file, await drain(c));
    const rows = tshark(file, "-T", "fields", "-e", "vlan.id", "-e", "vlan.priority", "-e", "udp.dstport");
    expect(rows).toEqual([`100\t5\t${PORT + 1}`, `100\t5\t${PORT + 1}`]);
  }, TIMEOUT);

  test("a flood through the CLI into a pipe arrives whole, block buffers reused: every packet once and in order", async () => {
    const file = `${lab.dir}/pipe.pcapng`;
    const fifo = `${lab.dir}/pipe`;
    sh("mkfifo", [fifo]);
    const reader = spawn("sh", ["-c", `exec cat < ${fifo} > ${file}`]);
    const read = new Promise((resolve) => reader.on("exit", resolve));
    const cli = spawn("sh", ["-c", `exec "${process.execPath}" "${MAIN}" capture ${A} -i ${vethA} -f "udp dst port ${PORT + 2}" > ${fifo}`], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    cli.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise((resolve) => cli.on("exit", resolve));
    while (!stderr.includes("capturing on") && cli.exitCode === null) await Bun.sleep(20);
    // 30000 datagrams numbered in their first 4 bytes, as fast as one process sends them.
    const numbered = `const s = require("node:dgram").createSocket("udp4"); let n = 0;
      function burst() { for (let i = 0; i < 256 && n < 30000; i++) { const b = Buffer.alloc(64); b.writeUInt32BE(n++); s.send(b, ${PORT + 2}, "${ADDR_B}"); }
        if (n < 30000) setImmediate(burst); else s.close(); }
      burst();`;
    sh("ip", ["netns", "exec", A, process.execPath, "-e", numbered]);
    cli.kill("SIGINT");
    await exited;
    await read;
    const summary = /wiresight: (\d+) packet\(s\) captured \(stopped\); (\d+) dropped because the output was too slow, (\d+) dropped by the kernel/.exec(stderr);
    expect(summary).not.toBeNull();
    const numbers = readBlocks(readFileSync(file)).frames.map((f) => f.readUInt32BE(14 + 20 + 8));
    expect(numbers.length).toBe(Number(summary![1]));
    expect(numbers.every((n, i) => i === 0 || n > numbers[i - 1]!)).toBe(true); // none twice, none out of order
    if (summary![2] === "0" && summary![3] === "0") expect(numbers.length).toBeGreaterThan(29_900); // a sender may lose a few
  }, TIMEOUT);

  test("no fd and no ring mapping outlives its capture", () => {
    expect(newFds(before)).toEqual([]);
    expect(ringMappings()).toEqual([]);
  });
});
