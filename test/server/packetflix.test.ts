// Edgeshark's capture protocol against wiresight serve. The client here is written from
// siemens/packetflix api.md: a websocket to /capture?container=<JSON>&nif=a/b, the capture
// arriving as binary messages that, put together, are one pcapng stream (tshark reads it), the
// end a websocket close. Its links are built the way the Ghostwire UI builds its capture buttons'
// (`packetflix:ws://HOST/capture?container=<{netns, network-interfaces, name, type, prefix}>&nif=…`),
// from what the server lists at /mobyshark. Hostile requests get an HTTP error before any byte.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import type { GwCaptureTarget } from "../../src/api/ghostwire-v1.ts";
import { containerKey, engineKey } from "../../src/model/containers.ts";
import type { Topology } from "../../src/model/topology.ts";
import { isPacketflixRequest, parsePacketflixRequest, requestedCapture } from "../../src/server/packetflix.ts";
import { handBuilt, pk } from "../api/ghostwire-topology.ts";
import type { RunningServer } from "../../src/server/server.ts";
import { eventually, ourPacketSockets, ping, tshark, vethPair } from "../helpers/capture-lab.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { startTestServer, TestLive } from "../helpers/server-harness.ts";
import { wsUrl } from "./clients.ts";

const parse = (query: string, headers: Record<string, string> = {}) => parsePacketflixRequest(new URLSearchParams(query), new Headers(headers));
const container = (o: unknown) => `container=${encodeURIComponent(JSON.stringify(o))}`;
const refusal = (query: string, headers: Record<string, string> = {}) => {
  try {
    parse(query, headers);
  } catch (e) {
    return { status: (e as { status?: number }).status, message: (e as Error).message };
  }
  throw new Error(`accepted: ${query}`);
};

describe("Packetflix requests: what is accepted", () => {
  test("the Ghostwire UI's link: container JSON, nif separated by slashes, promiscuous by default", () => {
    const r = parse(`${container({ netns: 4026532281, "network-interfaces": ["lo", "eth0"], name: "web", type: "docker", prefix: "" })}&nif=lo/eth0`);
    expect(r.container).toEqual({ netns: 4026532281, pid: 0, starttime: 0, name: "web", type: "docker", prefix: "", nodeName: "", interfaces: ["lo", "eth0"] });
    expect(r.interfaces).toEqual(["lo", "eth0"]);
    expect(r.chaste).toBe(false);
    expect(r.filter).toBeUndefined();
  });

  test("what csharg sends: a /mobyshark target with node-name and unknown fields, chaste, a filter; its headers win over the query", () => {
    const target = { name: "web", type: "docker", netns: 7, "network-interfaces": ["eth0"], pid: 42, starttime: 1234, prefix: "", "node-name": "edge1", cluster: { uid: "x" }, captureport: 5001 };
    const r = parse(`${container({ ...target, name: "ignored" })}&nif=lo&filter=udp&chaste`, {
      "Clustershark-Container": JSON.stringify(target),
      "Clustershark-Nif": "eth0",
      "Clustershark-Filter": "tcp port 80",
    });
    expect(r.container).toMatchObject({ name: "web", netns: 7, pid: 42, starttime: 1234, nodeName: "edge1" });
    expect(r.interfaces).toEqual(["eth0"]);
    expect(r.filter).toBe("tcp port 80");
    expect(r.chaste).toBe(true);
    expect(isPacketflixRequest(new URLSearchParams(), new Headers({ "Clustershark-Container": "{}" }))).toBe(true);
    expect(isPacketflixRequest(new URLSearchParams("target=web"), new Headers())).toBe(false);
  });

  test("netns= alone (\"I feel lucky\"); nif=any and nif=all mean every interface; a name without netns", () => {
    expect(parse("netns=4026532281&nif=any").container.netns).toBe(4026532281);
    expect(parse("netns=4026532281&nif=any").interfaces).toBeNull();
    expect(parse(`${container({ name: "web", "network-interfaces": ["eth0"] })}&nif=all`).interfaces).toBeNull();
    expect(parse(container({ name: "web", prefix: "dind", netns: null, "network-interfaces": null })).container).toMatchObject({ netns: 0, prefix: "dind", interfaces: null });
  });
});

describe("Packetflix requests: hostile input is refused with the reason", () => {
  test("container= that is not a JSON object", () => {
    expect(refusal("container=%7Bnetns%3A1")).toMatchObject({ status: 400, message: expect.stringContaining("container= is not JSON") });
    expect(refusal(container([1, 2])).message).toContain("must be a JSON object");
    expect(refusal(container(null)).message).toContain("must be a JSON object");
    expect(refusal(container({ type: "docker" })).message).toContain("names no target");
  });

  test("wrong types and huge values", () => {
    expect(refusal(container({ netns: "4026532281" })).message).toBe('container.netns must be a whole number from 0 to 4294967295, not "4026532281"');
    expect(refusal(container({ netns: -1 })).message).toContain("container.netns must be a whole number");
    expect(refusal(container({ netns: 1e20 })).message).toContain("not 100000000000000000000");
    expect(refusal("container=%7B%22netns%22%3A1e400%7D").message).toContain("container.netns must be a whole number"); // Infinity
    expect(refusal(container({ netns: 1.5 })).message).toContain("container.netns");
    expect(refusal(container({ netns: 1, pid: 2 ** 40 })).message).toContain("container.pid must be a whole number from 0 to 4194304");
    expect(refusal(container({ name: 5 })).message).toBe("container.name must be a string, not 5");
    expect(refusal(container({ name: "x".repeat(5000) })).message).toContain("container.name is longer than 4096");
    expect(refusal(container({ netns: 1, "network-interfaces": "eth0" })).message).toContain("must be an array");
    expect(refusal(container({ netns: 1, "network-interfaces": ["a-name-longer-than-ifnamsiz"] })).message).toContain("is not an interface name");
    expect(refusal(container({ netns: 1, "network-interfaces": Array(5000).fill("eth0") })).message).toContain("more than 4096 interfaces");
    expect(refusal(`container=${"%20".repeat(70 * 1024)}`).message).toContain("container= is longer than 65536");
    expect(refusal(`netns=1&filter=${"x".repeat(17 * 1024)}`).message).toContain("filter= is longer than 16384");
    expect(refusal("netns=1&nif=eth0//eth1").message).toContain('"" is not an interface name');
  });

  test("bad netns=, conflicting or unknown parameters", () => {
    expect(refusal("netns=abc").message).toContain("invalid netns 'abc'");
    expect(refusal("netns=0").message).toContain("invalid netns '0'");
    expect(refusal("netns=99999999999").message).toContain("invalid netns");
    expect(refusal("netns=1&netns=2").message).toContain("at most once");
    expect(refusal(`${container({ netns: 1 })}&netns=1`).message).toBe("container and netns are mutually exclusive");
    expect(refusal(`target=web&${container({ netns: 1 })}`).message).toContain("not both");
    expect(refusal("netns=1&promisc=false").message).toContain("unknown parameter 'promisc'");
    expect(refusal("chaste&nif=eth0").message).toContain("needs container= (a capture target as JSON) or netns=");
  });
});

describe("Packetflix requests: finding the target by name", () => {
  // Ghostwire's names are unique per engine (containers) or carry the PID (processes), so only
  // two engines' same-named containers can clash: here a second Docker daemon's "shop-app-1".
  const clash = () => {
    const t = handBuilt();
    const shopApp = t.containers.find((c) => c.name === "shop-app-1")!;
    const bare = t.namespaces.find((ns) => ns.references.some((r) => r.kind === "bindmount"))!;
    const init = { ...t.processes.find((p) => p.comm === "app")!, key: pk(6000, 990), pid: 6000, netns: bare.key };
    const rootless = { ...t.engines[0]!, kind: "podman" as const, key: engineKey("podman", init.key), pid: 6000, process: init.key };
    const twin = { ...shopApp, key: containerKey("podman", "d".repeat(64)), id: "d".repeat(64), engine: rootless.key, process: init.key, enginePid: 6000, netns: bare.key };
    t.processes.push(init);
    t.engines.push(rootless);
    t.containers.push(twin);
    bare.containers.push(twin.key);
    bare.tenants.push({ kind: "container", process: init.key, container: twin.key, pid: 6000, comm: "app", oldest: false, boundingCapabilities: null, dns: bare.tenants[0]?.dns ?? t.namespaces[0]!.tenants[0]!.dns });
    return { t, shop: t.namespaces.find((ns) => ns.containers.includes(shopApp.key))!, bare };
  };
  const ask = (t: Topology, o: unknown) => requestedCapture(new URL(`http://x/capture?${container(o)}`), new Headers(), t);

  test("a name in two namespaces is ambiguous (409) until the type tells them apart", () => {
    const { t, shop, bare } = clash();
    let refused: { status?: number; message: string } | undefined;
    try {
      ask(t, { name: "shop-app-1" });
    } catch (e) {
      refused = e as { status?: number; message: string };
    }
    expect(refused?.status).toBe(409);
    expect(refused?.message).toContain(`capture target 'shop-app-1' is ambiguous: it runs in network namespaces net:[${shop.inode}], net:[${bare.inode}]`);
    expect(ask(t, { name: "shop-app-1", type: "docker" }).target).toBe(shop.key);
    expect(ask(t, { name: "shop-app-1", type: "podman" }).target).toBe(bare.key);
  });

  test("a stand-alone process by its /mobyshark name, comm(PID); its bare comm is no target", () => {
    const t = handBuilt();
    const host = t.namespaces.find((ns) => ns.initial)!;
    expect(ask(t, { name: "qemu(950)", type: "proc" }).target).toBe(host.key);
    expect(() => ask(t, { name: "qemu", type: "proc" })).toThrow("no capture target named 'qemu'");
  });
});

// ---------------------------------------------------------------------------------------------

const root = requireRoot();
const lab = new Lab();
let A = "";
let B = "";
let vethA = "";
let ADDR_B = "";
let comm = ""; // the process name our namespace's tenant runs under, unique to this run
let procName = ""; // its name in /mobyshark: Ghostwire names a stand-alone process comm(PID)
let live: TestLive;
let server: RunningServer;
const SETUP_TIMEOUT = 60_000;

type MobysharkTarget = GwCaptureTarget & { prefix?: string }; // Ghostwire writes a prefix

/** A process named `name` (its comm) in namespace `ns`, running once this resolves. */
async function tenant(ns: string, name: string): Promise<number> {
  const bin = join(lab.dir, name);
  if (!existsSync(bin)) copyFileSync("/bin/sleep", bin);
  const child = lab.spawn("ip", ["netns", "exec", ns, bin, "3600"]); // ip execs: same PID
  for (let i = 0; i < 400; i++) {
    try {
      if (readFileSync(`/proc/${child.pid}/comm`, "utf8").trim() === name) return child.pid!;
    } catch {}
    await Bun.sleep(25);
  }
  throw new Error(`${name} did not start in ${ns}`);
}

beforeAll(async () => {
  if (!root) return;
  ({ A, B, vethA, addrB: ADDR_B } = vethPair(lab, "10.213.11"));
  comm = `${lab.prefix}pf`;
  procName = `${comm}(${await tenant(A, comm)})`;
  live = new TestLive();
  server = await startTestServer(live);
}, SETUP_TIMEOUT);
afterAll(async () => {
  await server?.stop();
  lab.cleanup();
});

function inode(ns: string): number {
  return live.current().topology.namespaces.find((n) => n.displayName === ns)!.inode;
}

async function mobyshark(path = "/mobyshark"): Promise<MobysharkTarget[]> {
  const r = await fetch(`${server.url}${path}`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { containers: MobysharkTarget[] }).containers;
}

/** The capture button's link for a target, as the Ghostwire UI writes it (webui's capture button). */
function uiLink(base: string, t: MobysharkTarget, nifs = t["network-interfaces"]): string {
  const c = { netns: t.netns, "network-interfaces": nifs, name: t.name, type: t.type, prefix: t.prefix ?? "" };
  return `packetflix:${base.replace(/^http/, "ws")}/capture?container=${encodeURIComponent(JSON.stringify(c))}&nif=${nifs.join("/")}`;
}

interface Stream {
  bytes(): Uint8Array;
  close(): Promise<{ code: number; reason: string }>;
  closed: Promise<{ code: number; reason: string }>;
}

/** The Packetflix client: the URL without its packetflix: scheme, binary messages appended in order. */
async function packetflixCapture(link: string): Promise<Stream> {
  const ws = new WebSocket(link.replace(/^packetflix:/, ""));
  ws.binaryType = "arraybuffer";
  const parts: Uint8Array[] = [];
  let text = 0;
  ws.onmessage = (m) => {
    if (typeof m.data === "string") text++;
    else parts.push(new Uint8Array(m.data as ArrayBuffer));
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (ws.onclose = (e) => resolve({ code: e.code, reason: e.reason })));
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`websocket to ${link} failed`));
  });
  return {
    bytes: () => {
      expect(text).toBe(0); // csharg treats a text message as an error
      return Buffer.concat(parts);
    },
    close: () => {
      ws.close(1000, "ciao");
      return closed;
    },
    closed,
  };
}

/** The comments (option 1) of the section header block a pcapng stream starts with. */
function sectionComments(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(view.getUint32(0, true)).toBe(0x0a0d0d0a);
  const end = view.getUint32(4, true) - 4;
  const out: string[] = [];
  for (let off = 24; off + 4 <= end; ) {
    const code = view.getUint16(off, true);
    const len = view.getUint16(off + 2, true);
    if (code === 0) break;
    if (code === 1) out.push(Buffer.from(bytes.subarray(off + 4, off + 4 + len)).toString("utf8"));
    off += 4 + ((len + 3) & ~3);
  }
  return out;
}

/** ICMP packets (IPv4 in Ethernet) among the Enhanced Packet Blocks of a pcapng byte stream. */
function icmpPackets(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let off = 0; off + 8 <= bytes.byteLength; ) {
    const len = view.getUint32(off + 4, true);
    if (len < 12 || off + len > bytes.byteLength) break;
    const frame = off + 28;
    if (view.getUint32(off, true) === 6 && view.getUint32(off + 20, true) >= 34 && view.getUint16(frame + 12) === 0x0800 && view.getUint8(frame + 23) === 1) n++;
    off += len;
  }
  return n;
}

/** The promiscuity counter of an interface (ip -d link). */
function promiscuity(ns: string, ifname: string): number {
  return JSON.parse(sh("ip", ["-n", ns, "-d", "-j", "link", "show", ifname]))[0].promiscuity;
}

/**
 * What a websocket client (gorilla's Dial, in Edgeshark's plugin) gets for a refused upgrade: the
 * HTTP status line and body, read from a raw socket.
 */
function rawUpgrade(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname, () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let data = "";
    sock.on("data", (d) => {
      data += d.toString("latin1");
      const head = data.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(data);
      if (head >= 0 && (data.startsWith("HTTP/1.1 101") || (length && data.length >= head + 4 + Number(length[1])))) {
        sock.destroy();
        resolve({ status: Number(data.slice(9, 12)), body: data.slice(head + 4) });
      }
    });
    sock.on("error", reject);
  });
}

describe.if(root)("Packetflix captures through wiresight serve", () => {
  test("the UI's capture link for a namespace's process: pcapng over binary messages, read by tshark; the target document in the section header", async () => {
    const target = (await mobyshark()).find((t) => t.netns === inode(A) && t.name === procName);
    expect(target).toMatchObject({ type: "proc", netns: inode(A) });
    expect(target!["network-interfaces"]).toContain(vethA);
    const link = uiLink(server.url, target!, [vethA]);
    expect(link).toStartWith(`packetflix:ws://`);
    expect(ourPacketSockets(A)).toBe(0);
    const stream = await packetflixCapture(link);
    expect(ourPacketSockets(A)).toBe(1);
    expect(promiscuity(A, vethA)).toBe(1); // no chaste: promiscuous, as dumpcap would be
    ping(A, ADDR_B, 3);
    await eventually("6 ICMP packets arrived", () => icmpPackets(stream.bytes()) >= 6);
    const closed = await stream.close();
    expect(closed.code).toBe(1000);
    await eventually("the capture's socket is closed", () => ourPacketSockets(A) === 0);
    expect(promiscuity(A, vethA)).toBe(0);

    const file = join(lab.dir, "ui-link.pcapng");
    writeFileSync(file, stream.bytes());
    const rows = tshark(file, "-Y", "icmp", "-T", "fields", "-e", "frame.interface_name", "-e", "icmp.type").map((l) => l.split("\t"));
    expect(rows.length).toBe(6);
    for (const [ifname] of rows) expect(ifname).toBe(vethA);
    expect(rows.map((r) => r[1]).sort()).toEqual(["0", "0", "0", "8", "8", "8"]);
    // Packetflix's target document, which Edgeshark's plugin replaces with its own: a YAML
    // document at the end of the first comment, after the capture's own words (the name, with
    // its parentheses, quoted).
    const [first] = sectionComments(stream.bytes());
    expect(first).toStartWith(`wiresight capture of ${A}`);
    expect(first).toMatch(new RegExp(`\n---\n# capture target information\ncontainer-name: ${JSON.stringify(procName).replace(/[()]/g, "\\$&")}\ncontainer-type: proc\nnode-name: \\S+\n$`));
  });

  test("a stale reference (pid and start time of a process that is gone, an unknown netns) is found again by name", async () => {
    const target = (await mobyshark()).find((t) => t.name === procName)!;
    const stale = { ...target, netns: 1, pid: target.pid, starttime: target.starttime + 1 };
    const link = `ws${server.url.slice(4)}/capture?${container(stale)}&nif=${vethA}&filter=icmp`;
    const stream = await packetflixCapture(link);
    expect(ourPacketSockets(A)).toBe(1);
    ping(A, ADDR_B, 1);
    await eventually("2 ICMP packets arrived", () => icmpPackets(stream.bytes()) >= 2);
    await stream.close();
    await eventually("the capture's socket is closed", () => ourPacketSockets(A) === 0);
  });

  test("netns= with chaste over plain HTTP: the interfaces stay out of promiscuous mode", async () => {
    const abort = new AbortController();
    const r = await fetch(`${server.url}/capture?netns=${inode(A)}&nif=${vethA}&chaste`, { signal: abort.signal });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/x-pcapng");
    expect(ourPacketSockets(A)).toBe(1);
    expect(promiscuity(A, vethA)).toBe(0);
    const first = await r.body!.getReader().read();
    abort.abort();
    expect(sectionComments(first.value!)[0]).toEndWith("no-promiscuous-mode: true\n");
    await eventually("the capture's socket is closed", () => ourPacketSockets(A) === 0);
  });

  test("refusals come before any byte, as an HTTP answer to the upgrade: bad JSON, unknown targets, huge values", async () => {
    const bad = await rawUpgrade(`/capture?container=${encodeURIComponent("{netns:")}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("container= is not JSON");
    const unknown = await rawUpgrade(`/capture?${container({ name: `${lab.prefix}-nothing`, type: "docker" })}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain(`no capture target named '${lab.prefix}-nothing'`);
    const gone = await rawUpgrade(`/capture?netns=1`);
    expect(gone.status).toBe(404);
    expect(gone.body).toContain("no network namespace net:[1]");
    const huge = await rawUpgrade(`/capture?${container({ netns: 1e30 })}`);
    expect(huge.status).toBe(400);
    expect(huge.body).toContain("container.netns must be a whole number");
    const nif = await rawUpgrade(`/capture?netns=${inode(A)}&nif=eth99`);
    expect(nif.status).toBe(404);
    expect(nif.body).toContain(`no interface 'eth99' in ${A}`);
    // The same comm in another namespace is another target: /mobyshark names processes comm(PID).
    const otherPid = await tenant(B, comm);
    await live.discoverNow();
    const other = await rawUpgrade(`/capture?${container({ name: `${comm}(${otherPid})`, type: "proc" })}&nif=lo`);
    expect(other.status).toBe(101);
    const bare = await rawUpgrade(`/capture?${container({ name: comm, type: "proc" })}`);
    expect(bare.status).toBe(404);
    // A valid request still upgrades (the raw client sees 101), and nothing was left open.
    const ok = await rawUpgrade(`/capture?netns=${inode(A)}&nif=lo`);
    expect(ok.status).toBe(101);
    await eventually("no capture socket is left", () => ourPacketSockets(A) === 0 && ourPacketSockets(B) === 0);
  });

  test("Packetflix's other paths: /discover/… is the discovery API, /version names the service", async () => {
    expect(await mobyshark("/discover/mobyshark")).toEqual(await mobyshark());
    const version = await fetch(`${server.url}/version`);
    expect(await version.json()).toEqual({ name: "wiresight", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });
});
