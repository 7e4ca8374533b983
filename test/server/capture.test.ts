// Capture through the server, for real: two lab namespaces joined by a veth, ping and a refused
// TCP connection between them, captured from one side over HTTP and over a websocket; tshark
// reads what the client received. A client that goes away frees the packet sockets (ss in the
// namespace as the oracle); a bad filter is a 400 before any byte; a vanished target ends the
// stream cleanly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeNodeId } from "../../src/model/node-id.ts";
import type { RunningServer } from "../../src/server/server.ts";
import { eventually, ourPacketSockets, tshark } from "../helpers/capture-lab.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";
import { startTestServer, TestLive } from "../helpers/server-harness.ts";
import { wsUrl } from "./clients.ts";

const root = requireRoot();
const lab = new Lab();
const TOKEN = "cap-token";
const AUTH = { authorization: `Bearer ${TOKEN}` };
let A = "";
let B = "";
let vethA = "";
const ADDR_A = "10.213.9.1";
const ADDR_B = "10.213.9.2";
let live: TestLive;
let server: RunningServer;

beforeAll(async () => {
  if (!root) return;
  ensureTool("tshark", "tshark");
  ensureTool("ping", "iputils-ping");
  A = lab.netns("a");
  B = lab.netns("b");
  vethA = `${lab.prefix}va`;
  lab.veth({ ns: A, name: vethA, cidr: `${ADDR_A}/24` }, { ns: B, name: `${lab.prefix}vb`, cidr: `${ADDR_B}/24` });
  sh("ip", ["netns", "exec", A, "ping", "-c", "1", "-W", "2", ADDR_B]); // neighbours resolved before any capture
  live = new TestLive();
  server = await startTestServer(live, { token: TOKEN });
});
afterAll(async () => {
  await server?.stop();
  lab.cleanup();
});

function pingFromA(count: number): void {
  sh("ip", ["netns", "exec", A, "ping", "-c", String(count), "-i", "0.2", "-W", "2", ADDR_B]);
}

/** A TCP connection attempt from A to a closed port of B: a SYN and a RST, no ICMP. */
function refusedTcpFromA(): void {
  sh("ip", ["netns", "exec", A, "bash", "-c", `exec 3<>/dev/tcp/${ADDR_B}/9`], { allowFail: true });
}

/** Packet sockets this process holds in namespace `ns`, by ss run inside it. */
/** Enhanced packet blocks in a pcapng byte stream (the engine sends whole blocks only). */
function packetBlocks(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let off = 0; off + 8 <= bytes.byteLength; ) {
    const len = view.getUint32(off + 4, true);
    if (len < 12 || off + len > bytes.byteLength) break;
    if (view.getUint32(off, true) === 6) n++;
    off += len;
  }
  return n;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

function nsKey(name: string): string {
  return live.current().topology.namespaces.find((n) => n.displayName === name)!.key;
}

describe.if(root)("capture through the server", () => {
  test("HTTP: filter=icmp on one interface streams pcapng that tshark reads; closing the request frees the sockets", async () => {
    expect(ourPacketSockets(A)).toBe(0);
    const abort = new AbortController();
    const r = await fetch(`${server.url}/capture?target=${A}&nif=${vethA}&filter=icmp`, { headers: AUTH, signal: abort.signal });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/x-pcapng");
    expect(ourPacketSockets(A)).toBe(1);
    const reader = r.body!.getReader();
    const chunks: Uint8Array[] = [];
    refusedTcpFromA(); // not ICMP: dropped by the filter in the kernel
    pingFromA(3);
    while (packetBlocks(concat(chunks)) < 6) {
      const c = await reader.read();
      if (c.done) throw new Error("the stream ended early");
      chunks.push(c.value);
    }
    abort.abort();
    await reader.cancel().catch(() => {});
    await eventually("the capture's packet socket is closed", () => ourPacketSockets(A) === 0);

    const file = join(lab.dir, "http.pcapng");
    writeFileSync(file, concat(chunks));
    const rows = tshark(file, "-T", "fields", "-e", "frame.interface_name", "-e", "icmp.type").map((l) => l.split("\t"));
    expect(rows.length).toBe(6);
    for (const [ifname] of rows) expect(ifname).toBe(vethA);
    expect(rows.map((x) => x[1]).sort()).toEqual(["0", "0", "0", "8", "8", "8"]);
    expect(sh("capinfos", [file])).toContain(`Capture comment:     wiresight capture of ${A}`);
    // The server keeps serving.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  test("websocket: a GraphQL node id as target, every interface, binary messages; closing the socket frees the sockets", async () => {
    const target = encodeNodeId("NetworkNamespace", nsKey(A));
    const ws = new WebSocket(`${wsUrl(server.url, "/capture")}?target=${target}`, { headers: AUTH } as unknown as string[]);
    ws.binaryType = "arraybuffer";
    const chunks: Uint8Array[] = [];
    const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error("websocket failed"));
    });
    ws.onmessage = (m) => chunks.push(new Uint8Array(m.data as ArrayBuffer));
    expect(ourPacketSockets(A)).toBe(2); // lo and the veth
    refusedTcpFromA();
    pingFromA(2);
    // Every interface, no filter: the veth's own IPv6 chatter (router and neighbour solicitations)
    // may come first, so wait for what is asserted, read by tshark, not for a packet count.
    const file = join(lab.dir, "ws.pcapng");
    const arrived = () => {
      if (packetBlocks(concat(chunks)) < 6) return false;
      writeFileSync(file, concat(chunks));
      return tshark(file, "-Y", "icmp").length >= 4 && tshark(file, "-Y", "tcp.port == 9").length >= 2;
    };
    await eventually("4 ICMP and 2 TCP packets arrived", arrived);
    ws.close(1000, "enough");
    await closed;
    await eventually("the capture's packet sockets are closed", () => ourPacketSockets(A) === 0);

    writeFileSync(file, concat(chunks));
    expect(sh("capinfos", [file])).toMatch(/Number of interfaces in file: 2/);
    expect(tshark(file, "-Y", "icmp").length).toBe(4);
    const tcp = tshark(file, "-Y", "tcp.port == 9", "-T", "fields", "-e", "tcp.flags.syn", "-e", "tcp.flags.reset");
    expect(tcp.length).toBeGreaterThanOrEqual(2);
  });

  test("an interface's node id captures that interface only", async () => {
    const iface = live.current().topology.namespaces.find((n) => n.displayName === A)!.interfaces.find((i) => i.name === vethA)!;
    const abort = new AbortController();
    const r = await fetch(`${server.url}/capture?target=${encodeNodeId("Veth", iface.key)}`, { headers: AUTH, signal: abort.signal });
    expect(r.status).toBe(200);
    expect(ourPacketSockets(A)).toBe(1);
    const reader = r.body!.getReader();
    const first = await reader.read(); // the section header and the one interface description
    abort.abort();
    await reader.cancel().catch(() => {});
    const file = join(lab.dir, "iface.pcapng");
    writeFileSync(file, first.value!);
    const info = sh("capinfos", [file]);
    expect(info).toMatch(/Number of interfaces in file: 1/);
    expect(info).toContain(`Name = ${vethA}`);
    await eventually("the socket is closed", () => ourPacketSockets(A) === 0);
  });

  test("bad requests are refused before streaming, with the reason: filter (libpcap's message), target, interface, parameters", async () => {
    const get = async (query: string, headers: Record<string, string> = AUTH) => {
      const r = await fetch(`${server.url}/capture?${query}`, { headers });
      return { status: r.status, type: r.headers.get("content-type"), message: ((await r.json()) as any).errors[0].message as string };
    };
    const bad = await get(`target=${A}&filter=${encodeURIComponent("icmp and and")}`);
    expect(bad.status).toBe(400);
    expect(bad.type).toStartWith("application/json");
    expect(bad.message).toMatch(/^invalid capture filter "icmp and and": .*syntax error/);
    expect((await get("target=no-such-namespace-here")).status).toBe(404);
    const nif = await get(`target=${A}&nif=eth99`);
    expect(nif.status).toBe(404);
    expect(nif.message).toContain(`no interface 'eth99' in ${A}`);
    expect((await get("nif=lo")).message).toContain("exactly one target=");
    expect((await get(`target=${A}&promisc=maybe`)).message).toBe("promisc takes true or false, not 'maybe'");
    expect((await get(`target=${A}&bogus=1`)).message).toContain("unknown parameter 'bogus'");
    // The same refusal for a websocket: an HTTP answer instead of an upgrade.
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${wsUrl(server.url, "/capture")}?target=${A}&filter=bogus+bogus`, { headers: AUTH } as unknown as string[]);
      ws.onopen = () => resolve("open");
      ws.onerror = () => resolve("refused");
    });
    expect(refused).toBe("refused");
    expect(ourPacketSockets(A)).toBe(0);
  });

  test("a target that vanishes ends the stream cleanly", async () => {
    const C = lab.netns("c");
    await live.discoverNow();
    const r = await fetch(`${server.url}/capture?target=${C}`, { headers: AUTH });
    expect(r.status).toBe(200);
    const reader = r.body!.getReader();
    await reader.read(); // the headers of the stream
    sh("ip", ["netns", "del", C]);
    lab.forgetNetns(C);
    // Then the statistics blocks and a normal end of the body (no error, no reset).
    const rest: Uint8Array[] = [];
    for (;;) {
      const c = await reader.read();
      if (c.done) break;
      rest.push(c.value);
    }
    expect(rest.length).toBeGreaterThan(0);
  });

  test("stop() ends running captures (HTTP and websocket) cleanly and closes their sockets", async () => {
    const own = await startTestServer(live);
    const r = await fetch(`${own.url}/capture?target=${A}`);
    const reader = r.body!.getReader();
    await reader.read();
    const ws = new WebSocket(`${wsUrl(own.url, "/capture")}?target=${A}`);
    const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    await new Promise<void>((resolve) => (ws.onopen = () => resolve()));
    expect(ourPacketSockets(A)).toBe(4);
    await own.stop();
    for (;;) if ((await reader.read()).done) break; // a normal end of the body
    const c = await closed;
    expect(c.code).toBe(1001);
    expect(ourPacketSockets(A)).toBe(0);
  });
});
