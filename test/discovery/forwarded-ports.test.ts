// Forwarded ports against the real kernel: inside a lab namespace ("host") we write NAT rules the
// way Docker (iptables-nft, chain DOCKER), CNI portmap (CNI-DN-*) and plain nft write them, and
// start a process named docker-proxy with Docker's command line; a second namespace ("ctr") owns
// the destination address. Rule identities (chain, handle) come from `nft -j list ruleset` in that
// namespace; the forwardings themselves are what the commands asked for. The host's own ruleset is
// never touched: every nft/iptables command runs in a lab namespace.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomInt } from "node:crypto";
import { discover } from "../../src/discovery/discover.ts";
import type { ForwardedPort } from "../../src/model/forwarded-ports.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { namespaceAt } from "../helpers/oracle.ts";
import { ensureTool } from "../helpers/packages.ts";

const root = requireRoot();
const lab = new Lab();
let host = "";
let ctr = "";
let empty = "";
// A subnet unlikely to exist elsewhere on the machine, so the destination has one owner.
const net = `10.${randomInt(100, 250)}.${randomInt(1, 250)}`;
const CT = `${net}.2`;
let topo: Topology;
let proxyPid = 0;
let serverPid = 0;

const inHost = (...args: string[]) => sh("ip", ["netns", "exec", host, ...args]);

beforeAll(async () => {
  if (!root) return;
  ensureTool("nft", "nftables");
  ensureTool("iptables-nft", "iptables");
  try {
    host = lab.netns("host");
    ctr = lab.netns("ctr");
    empty = lab.netns("empty");
    lab.ip(host, "link", "add", "veth0", "type", "veth", "peer", "name", "eth0", "netns", ctr);
    lab.ip(host, "addr", "add", `${net}.1/24`, "dev", "veth0");
    lab.ip(ctr, "addr", "add", `${CT}/24`, "dev", "eth0");
    lab.ip(host, "link", "set", "veth0", "up");
    lab.ip(ctr, "link", "set", "eth0", "up");

    // Docker, iptables-nft form
    inHost("iptables-nft", "-t", "nat", "-N", "DOCKER");
    inHost("iptables-nft", "-t", "nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER");
    inHost("iptables-nft", "-t", "nat", "-A", "DOCKER", "-i", "br-x", "-j", "RETURN");
    inHost("iptables-nft", "-t", "nat", "-A", "DOCKER", "!", "-i", "br-x", "-p", "tcp", "--dport", "8080", "-j", "DNAT", "--to-destination", `${CT}:80`);
    inHost("iptables-nft", "-t", "nat", "-A", "DOCKER", "-d", "127.0.0.1/32", "!", "-i", "br-x", "-p", "udp", "--dport", "5353", "-j", "DNAT", "--to-destination", `${CT}:53`);
    // CNI portmap
    inHost("iptables-nft", "-t", "nat", "-N", "CNI-DN-feedface0123");
    inHost("iptables-nft", "-t", "nat", "-A", "CNI-DN-feedface0123", "-p", "tcp", "-m", "tcp", "--dport", "8088", "-j", "DNAT", "--to-destination", `${CT}:8000`);
    // native nft
    inHost("nft", "add", "table", "ip", "lab");
    inHost("nft", "add", "chain", "ip", "lab", "pre", "{ type nat hook prerouting priority -100; }");
    inHost("nft", "add", "rule", "ip", "lab", "pre", "tcp", "dport", "9000-9009", "dnat", "to", `${CT}:7000-7009`);
    inHost("nft", "add", "rule", "ip", "lab", "pre", "ip", "daddr", `${net}.1`, "tcp", "dport", "2222", "dnat", "to", CT);

    // A docker-proxy for the same port as the DOCKER rule (the userland proxy): one forwarding, two sources.
    const script = join(lab.dir, "docker-proxy");
    writeFileSync(script, "#!/bin/sh\necho ready\nsleep 600 &\nwait\n");
    chmodSync(script, 0o755);
    const args = ["-proto", "tcp", "-host-ip", "0.0.0.0", "-host-port", "8080", "-container-ip", CT, "-container-port", "80"];
    const child = lab.spawn("ip", ["netns", "exec", host, script, ...args]);
    await lab.waitFor(child, "ready");
    proxyPid = child.pid!; // ip netns exec execs the script: same pid

    // What answers at the destination: TCP on the wildcard at 80 (8080's target), UDP on the
    // container address at 53 (5353's), and TCP on 127.0.0.1:8000, which 8088 → 8000 cannot reach.
    lab.ip(ctr, "link", "set", "lo", "up");
    const server = [
      "import socket, time",
      "t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(('0.0.0.0', 80)); t.listen()",
      `u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('${CT}', 53))`,
      "l = socket.socket(); l.bind(('127.0.0.1', 8000)); l.listen()",
      "print('ready', flush=True)",
      "time.sleep(600)",
    ].join("\n");
    const answering = lab.spawn("ip", ["netns", "exec", ctr, "python3", "-c", server]);
    await lab.waitFor(answering, "ready");
    serverPid = answering.pid!;
    topo = discover();
  } catch (err) {
    lab.cleanup();
    throw err;
  }
});

afterAll(() => lab.cleanup());

/** chain/handle of every rule in the namespace's ruleset that contains `needle` in its JSON. */
function ruleFor(needle: string): { family: string; table: string; chain: string; handle: number } {
  const rules = JSON.parse(inHost("nft", "-j", "list", "ruleset")).nftables.filter((o: any) => "rule" in o).map((o: any) => o.rule);
  const hits = rules.filter((r: any) => JSON.stringify(r.expr).includes(needle));
  if (hits.length !== 1) throw new Error(`${hits.length} rules contain ${needle}`);
  const r = hits[0];
  return { family: r.family, table: r.table, chain: r.chain, handle: r.handle };
}

test.skipIf(!root)("forwarded ports of a namespace: iptables-nft DNAT, CNI, nft dnat, docker-proxy, merged", () => {
  const hostNs = namespaceAt(topo, `/run/netns/${host}`);
  const ctrNs = namespaceAt(topo, `/run/netns/${ctr}`);
  const ctrIf = ctrNs.interfaces.find((i) => i.name === "eth0")!.key;
  const ours = topo.forwardedPorts.filter((p) => p.netns === hostNs.key);
  const proxy = topo.processes.find((p) => p.pid === proxyPid)!;
  expect(proxy.netns).toBe(hostNs.key);

  const port = (o: Partial<ForwardedPort> & Pick<ForwardedPort, "protocol" | "hostPorts" | "destinationPorts" | "sources">) => ({
    netns: hostNs.key,
    family: "ipv4",
    hostAddress: null,
    destinationAddress: CT,
    destinationAddressLast: null,
    destinationNetns: ctrNs.key,
    destinationInterface: ctrIf,
    listeners: [],
    service: null,
    ...o,
  });
  const listener = (protocol: string, address: string, port: number) => {
    const found = ctrNs.sockets.filter((s) => s.protocol === protocol && s.localAddress === address && s.localPort === port);
    expect(found.length).toBe(1);
    expect(topo.processes.find((p) => p.key === found[0]!.processes[0])?.pid).toBe(serverPid);
    return found[0]!.key;
  };
  const xt = (needle: string, engine: string | null) => ({ kind: "nft-rule", ...ruleFor(needle), form: "xt", engine });
  const nft = (needle: string) => ({ kind: "nft-rule", ...ruleFor(needle), form: "nft", engine: null });
  const expected = [
    port({ protocol: "tcp", hostPorts: { first: 8080, last: 8080 }, destinationPorts: { first: 80, last: 80 }, engine: "docker", listeners: [listener("tcp", "0.0.0.0", 80)], sources: [xt("8080", "docker"), { kind: "proxy", process: proxy.key, pid: proxyPid, engine: "docker" }] as any }),
    port({ protocol: "udp", hostAddress: "127.0.0.1", hostPorts: { first: 5353, last: 5353 }, destinationPorts: { first: 53, last: 53 }, engine: "docker", listeners: [listener("udp", CT, 53)], sources: [xt("5353", "docker")] as any }),
    port({ protocol: "tcp", hostPorts: { first: 8088, last: 8088 }, destinationPorts: { first: 8000, last: 8000 }, engine: "cni", sources: [xt("8088", "cni")] as any }),
    port({ protocol: "tcp", hostPorts: { first: 9000, last: 9009 }, destinationPorts: { first: 7000, last: 7009 }, engine: null, sources: [nft("9009")] as any }),
    port({ protocol: "tcp", hostAddress: `${net}.1`, hostPorts: { first: 2222, last: 2222 }, destinationPorts: { first: 2222, last: 2222 }, engine: null, sources: [nft("2222")] as any }),
  ];
  const strip = (p: ForwardedPort) => {
    const { key, ...rest } = p;
    expect(key.startsWith(`${hostNs.key}/fwd:`)).toBe(true);
    return rest;
  };
  const byPort = (a: { hostPorts: { first: number } | null }, b: typeof a) => (a.hostPorts?.first ?? 0) - (b.hostPorts?.first ?? 0);
  expect(ours.map(strip).sort(byPort)).toEqual(expected.sort(byPort) as any);
  expect(new Set(topo.forwardedPorts.map((p) => p.key)).size).toBe(topo.forwardedPorts.length);
});

test.skipIf(!root)("namespaces without nf_tables rules are empty, not errors", () => {
  const e = namespaceAt(topo, `/run/netns/${empty}`);
  const c = namespaceAt(topo, `/run/netns/${ctr}`);
  expect(topo.forwardedPorts.filter((p) => p.netns === e.key || p.netns === c.key)).toEqual([]);
  expect(topo.warnings.filter((w) => w.subject === e.key || w.subject === c.key)).toEqual([]);
  expect(sh("ip", ["netns", "exec", empty, "nft", "list", "ruleset"]).trim()).toBe("");
});
