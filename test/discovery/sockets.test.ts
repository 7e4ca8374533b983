// Open ports against the kernel, with `ss -tuanepH` run inside each namespace as the oracle.
//
// Namespace A holds a helper process (fixtures/socket-server.py, started with `ip netns exec A`)
// with TCP and UDP listeners over IPv4 and IPv6 (v6-only and dual-stack), one bound to a device, a UDP port held by an
// IPv4 and a dual-stack IPv6 socket, a listener bound to a veth address, a connected TCP pair and
// a listener shared with a forked child. Namespace B has no process at all (only its bind mount
// holds it): the helper entered it with setns for the socket() calls alone, so B's listeners are
// owned by a process that lives in A, and a TIME_WAIT socket in B has no owner at all. Reading
// /proc/PID/net/* would show nothing of B; sock_diag inside B must show everything ss shows.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { discover } from "../../src/discovery/discover.ts";
import { indexTopology } from "../../src/model/index-topology.ts";
import type { NetworkNamespace, Socket, Topology } from "../../src/model/topology.ts";
import { renderLs } from "../../src/cli/render/ls-tree.ts";
import { makeStyle } from "../../src/cli/render/style.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { SS_STATE, ssIn, type SsSocket } from "../helpers/ss.ts";

const root = requireRoot();
const lab = new Lab();
let nsA = "";
let nsB = "";
let serverPid = 0;
let childPid = 0;
let topo: Topology;
let listening: Topology;
let oracle: Record<string, SsSocket[]> = {};

function nsInode(name: string): number {
  return Number(sh("stat", ["-L", "-c", "%i", `/run/netns/${name}`]).trim());
}
function findNs(t: Topology, name: string): NetworkNamespace {
  const ino = nsInode(name);
  const ns = t.namespaces.find((n) => n.inode === ino);
  if (!ns) throw new Error(`namespace ${name} (inode ${ino}) not discovered`);
  return ns;
}

beforeAll(async () => {
  if (!root) return;
  try {
    nsA = lab.netns("sa");
    nsB = lab.netns("sb");
    lab.ip(nsA, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", nsB);
    lab.ip(nsA, "addr", "add", "10.77.0.1/24", "dev", "v0");
    lab.ip(nsA, "link", "set", "v0", "up");
    const services = join(lab.dir, "services");
    writeFileSync(services, "# test services\nwstest\t7001/tcp\t\t# a comment\nthis line is malformed\nwsdual 7005/udp alias\nbad 99999/tcp\n");
    const child = lab.spawn("ip", ["netns", "exec", nsA, "python3", join(import.meta.dir, "fixtures", "socket-server.py"), `/run/netns/${nsB}`]);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await lab.waitFor(child, "ready");
    for (let i = 0; i < 100 && !/ready \d+ \d+\n/.test(out); i++) await Bun.sleep(20); // the marker may arrive before the rest of its line
    [serverPid, childPid] = /ready (\d+) (\d+)/.exec(out)!.slice(1).map(Number) as [number, number];
    oracle = { [nsA]: ssIn(nsA), [nsB]: ssIn(nsB) };
    topo = discover({ servicesPath: services });
    listening = discover({ servicesPath: services, listeningOnly: true });
  } catch (err) {
    lab.cleanup();
    throw err;
  }
}, 30_000);

afterAll(() => lab.cleanup());

/** Our socket in ss's terms, to compare field by field. */
function asSs(s: Socket, t: Topology): SsSocket {
  const wild = (a: string) => (s.family === "ipv6" && a === "::" && s.v6only === false ? "*" : a);
  const pids = s.processes.map((k) => t.processes.find((p) => p.key === k)!.pid).sort((a, b) => a - b);
  return {
    netid: s.protocol,
    state: SS_STATE[s.state]!,
    recvq: 0,
    sendq: 0,
    local: { address: wild(s.localAddress), port: s.localPort, device: s.boundInterface ? interfaceName(t, s.boundInterface) : null },
    peer: { address: wild(s.remoteAddress), port: s.remotePort },
    inode: s.inode,
    cookie: BigInt(s.cookie),
    uid: s.uid,
    v6only: s.v6only,
    pids,
  };
}
const interfaceName = (t: Topology, key: string) => t.namespaces.flatMap((n) => n.interfaces).find((i) => i.key === key)?.name ?? key;
const comparable = (x: SsSocket) => ({ ...x, recvq: 0, sendq: 0 });
const byCookie = (a: SsSocket, b: SsSocket) => (a.cookie < b.cookie ? -1 : a.cookie > b.cookie ? 1 : 0);
const port = (ns: NetworkNamespace, p: number, family: string, protocol = "tcp") =>
  ns.sockets.find((s) => s.localPort === p && s.family === family && s.protocol === protocol && s.simpleState === "listening");

describe.skipIf(!root)("sockets", () => {
  test("the lab is what the test means: B has no process, ss sees sockets in both", () => {
    expect(findNs(topo, nsB).processes).toEqual([]);
    expect(findNs(topo, nsA).processes.length).toBeGreaterThan(0);
    expect(oracle[nsA]!.length).toBe(12); // 10 listening (7007 twice), the connected pair
    expect(oracle[nsB]!.length).toBe(3); // 7100, 7101, TIME_WAIT
    expect(oracle[nsB]!.some((s) => s.state === "TIME-WAIT")).toBe(true);
  });

  for (const which of ["A (with processes)", "B (no process)"]) {
    test(`namespace ${which}: exactly the sockets ss sees, same addresses, ports, states, inodes, uids, owners`, () => {
      const name = which.startsWith("A") ? nsA : nsB;
      const ns = findNs(topo, name);
      const ours = ns.sockets.map((s) => comparable(asSs(s, topo))).sort(byCookie);
      const theirs = oracle[name]!.map(comparable).sort(byCookie);
      expect(ours).toEqual(theirs);
      for (const s of ns.sockets) expect(s.key).toBe(`${ns.key}/sock:${s.cookie}`);
    });
  }

  test("owners: the forked listener has both processes; B's listeners are owned from A; TIME_WAIT has none", () => {
    const a = findNs(topo, nsA);
    const b = findNs(topo, nsB);
    const pidsOf = (s: Socket | undefined) => s!.processes.map((k) => topo.processes.find((p) => p.key === k)!.pid).sort((x, y) => x - y);
    expect(pidsOf(port(a, 7008, "ipv4"))).toEqual([serverPid, childPid].sort((x, y) => x - y));
    expect(pidsOf(port(a, 7001, "ipv4"))).toEqual([serverPid, childPid].sort((x, y) => x - y)); // fork copies every fd
    expect(pidsOf(port(b, 7100, "ipv4"))).toContain(serverPid);
    const tw = b.sockets.find((s) => s.state === "TIME_WAIT")!;
    expect([tw.inode, tw.processes, tw.simpleState]).toEqual([0, [], "other"]);
    // the owning process's own namespace is A, not B
    expect(topo.processes.find((p) => p.pid === serverPid)!.netns).toBe(a.key);
  });

  test("simple states: TCP LISTEN and unconnected UDP are listening, the pair is connected", () => {
    const a = findNs(topo, nsA);
    expect(port(a, 7004, "ipv4", "udp")!.state).toBe("CLOSE");
    const pair = a.sockets.filter((s) => s.state === "ESTABLISHED");
    expect(pair.length).toBe(2);
    for (const s of pair) expect(s.simpleState).toBe("connected");
    expect(pair.map((s) => s.localPort)).toContain(7001);
    // the sort puts listening first
    const order = a.sockets.map((s) => s.simpleState);
    expect(order).toEqual([...order].sort((x, y) => ["listening", "connected", "other"].indexOf(x) - ["listening", "connected", "other"].indexOf(y)));
  });

  test("dual-stack: an IPv6 wildcard without V6ONLY serves IPv4 too, unless IPv4 holds the port", () => {
    const a = findNs(topo, nsA);
    const b = findNs(topo, nsB);
    expect(port(a, 7003, "ipv6")).toMatchObject({ v6only: false, dualStack: true });
    expect(port(a, 7002, "ipv6")).toMatchObject({ v6only: true, dualStack: false });
    expect(port(a, 7005, "ipv6", "udp")).toMatchObject({ v6only: false, dualStack: true });
    expect(port(a, 7007, "ipv6", "udp")).toMatchObject({ v6only: false, dualStack: false });
    expect(port(a, 7007, "ipv4", "udp")).toBeDefined();
    expect(port(b, 7101, "ipv6", "udp")).toMatchObject({ dualStack: true });
    for (const s of a.sockets) if (s.family === "ipv4") expect(s.dualStack).toBe(false);
  });

  test("interfaces that carry each socket: by bound address, all for a wildcard", () => {
    const a = findNs(topo, nsA);
    const key = (n: string) => a.interfaces.find((i) => i.name === n)!.key;
    expect(port(a, 7009, "ipv4")!.interfaces).toEqual([key("v0")]);
    expect(port(a, 7004, "ipv4", "udp")!.interfaces).toEqual([key("lo")]);
    expect(port(a, 7010, "ipv4", "udp")).toMatchObject({ localAddress: "0.0.0.0", boundInterface: key("v0"), interfaces: [key("v0")] });
    expect(port(a, 7001, "ipv4")!.interfaces.sort()).toEqual(a.interfaces.map((i) => i.key).sort());
    expect(port(a, 7002, "ipv6")!.interfaces.length).toBe(a.interfaces.length);
  });

  test("service names from the services file; malformed lines are skipped with one warning", () => {
    const a = findNs(topo, nsA);
    expect(port(a, 7001, "ipv4")!.service).toBe("wstest");
    expect(port(a, 7005, "ipv6", "udp")!.service).toBe("wsdual");
    expect(port(a, 7005, "ipv4", "udp")).toBeUndefined();
    expect(port(a, 7002, "ipv6")!.service).toBeNull();
    expect(topo.warnings.filter((w) => w.subject === "services").map((w) => w.message)).toEqual([expect.stringContaining("2 malformed lines")]);
  });

  test("listening-only discovery: exactly the listening sockets of the full one", () => {
    expect(listening.stats.socketStates).toBe("listening");
    expect(topo.stats.socketStates).toBe("all");
    for (const name of [nsA, nsB]) {
      const full = findNs(topo, name).sockets.filter((s) => s.simpleState === "listening");
      const only = findNs(listening, name).sockets;
      expect(only.map((s) => s.key).sort()).toEqual(full.map((s) => s.key).sort());
      expect(only.length).toBeGreaterThan(0);
    }
    expect(topo.stats.sockets).toBe(topo.namespaces.reduce((n, ns) => n + ns.sockets.length, 0));
  });

  test("ls -p: listening ports with process names, dual-stack marked", () => {
    const text = renderLs(indexTopology(topo), { routes: false, ports: { all: false, protocols: [] }, style: makeStyle(false) });
    const section = text.split("\n\n").find((b) => b.startsWith(nsA))!;
    expect(section).toContain(`tcp   LISTEN  0.0.0.0:7001 (wstest)`);
    expect(section).toMatch(new RegExp(`0\\.0\\.0\\.0:7008\\s+python3\\(${Math.min(serverPid, childPid)}\\),python3\\(${Math.max(serverPid, childPid)}\\)`));
    expect(section).toMatch(/tcp6\s+LISTEN\s+\*:7003\s.*dual-stack: also IPv4/);
    expect(section).not.toContain("ESTAB");
    const all = renderLs(indexTopology(topo), { routes: false, ports: { all: true, protocols: ["tcp"] }, style: makeStyle(false) });
    const sectionAll = all.split("\n\n").find((b) => b.startsWith(nsA))!;
    expect(sectionAll).toContain("ESTAB");
    expect(sectionAll).not.toContain("udp");
  });
});
