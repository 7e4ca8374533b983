// Discovery against real kernel objects: a lab of namespaces wired with veth pairs (host↔ns and
// ns↔ns), a bridge with several ports, a macvlan whose lower device lives in another namespace,
// vxlans (one with its underlay across a namespace boundary), tun/tap, IPv4+IPv6 addresses and
// routes in several tables; namespaces held by a bind mount, a process, only an fd, only a
// thread. Every namespace is checked against iproute2, every relation against what was built.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allThreadsNetns, threadNetnsInode } from "../../src/ffi/index.ts";
import { discover } from "../../src/discovery/discover.ts";
import { indexTopology, type TopologyIndex } from "../../src/model/index-topology.ts";
import type { NetworkInterface, NetworkNamespace, Topology } from "../../src/model/topology.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { namespaceAt, oracleFacts, wiresightFacts } from "../helpers/oracle.ts";

const root = requireRoot();
const lab = new Lab();
const ns: Record<string, string> = {};
/** Paths from which each lab namespace can be entered (for nsenter and stat). */
const paths: Record<string, string> = {};
let hostVeth = "";
let topo: Topology;
let idx: TopologyIndex;
let fdsBefore = 0;
let fdsAfter = 0;

const THREAD_PROGRAM = `
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
static void *worker(void *arg) {
  (void)arg;
  if (unshare(CLONE_NEWNET) != 0) { perror("unshare"); exit(1); }
  /* fork() copies the calling thread's namespaces, so ip runs in this thread's netns */
  if (system("ip link add t0 type veth peer name t1") != 0) exit(1);
  printf("tid %ld ready\\n", (long)syscall(SYS_gettid));
  fflush(stdout);
  for (;;) pause();
  return NULL;
}
int main(void) { pthread_t t; pthread_create(&t, NULL, worker, NULL); for (;;) pause(); }
`;

function fdCount(): number {
  return readdirSync("/proc/self/fd").length;
}

beforeAll(async () => {
  if (!root) return;
  try {
    const make = (s: string): string => {
      ns[s] = lab.netns(s);
      paths[s] = `/run/netns/${ns[s]}`;
      return ns[s];
    };
    const [a, b, c, d, e, f] = [make("a"), make("b"), make("c"), make("d"), make("e"), make("f")];
    // host ↔ a
    hostVeth = lab.hostLink("h0");
    lab.ip(null, "link", "add", hostVeth, "type", "veth", "peer", "name", "eth0", "netns", a);
    lab.ip(a, "addr", "add", "10.9.0.1/24", "dev", "eth0");
    lab.ip(a, "addr", "add", "fd00:9::1/64", "dev", "eth0", "nodad");
    lab.ip(a, "link", "set", "eth0", "up");
    lab.ip(a, "link", "set", "eth0", "alias", "uplink to host");
    // a ↔ b (neither end in the initial namespace); b bridges it with two ports towards c
    lab.ip(a, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b);
    lab.ip(b, "link", "add", "br0", "type", "bridge");
    for (const [port, peer] of [["p1", "c1"], ["p2", "c2"]] as const) {
      lab.ip(b, "link", "add", port, "type", "veth", "peer", "name", peer, "netns", c);
      lab.ip(b, "link", "set", port, "master", "br0", "up");
      lab.ip(c, "link", "set", peer, "up");
    }
    lab.ip(b, "link", "set", "vb", "master", "br0", "up");
    lab.ip(b, "link", "set", "br0", "up");
    lab.ip(b, "addr", "add", "10.9.1.2/24", "dev", "br0");
    lab.ip(b, "addr", "add", "fd00:1::2/64", "dev", "br0", "nodad");
    lab.ip(a, "addr", "add", "10.9.1.1/24", "dev", "va");
    lab.ip(a, "link", "set", "va", "up");
    lab.ip(c, "addr", "add", "10.9.1.3/24", "dev", "c1");
    // routes in main and in other tables, v4 and v6
    lab.ip(a, "route", "add", "10.20.0.0/16", "via", "10.9.1.2");
    lab.ip(a, "route", "add", "default", "via", "10.9.0.254", "table", "100");
    lab.ip(a, "-6", "route", "add", "fd00:20::/64", "via", "fd00:9::2", "table", "1000");
    lab.ip(a, "route", "add", "10.30.0.0/16", "via", "10.9.1.2", "metric", "50");
    // macvlan made on a's eth0 then moved to c: its lower device lives in another namespace
    lab.ip(a, "link", "add", "mv0", "link", "eth0", "type", "macvlan", "mode", "bridge");
    lab.ip(a, "link", "set", "mv0", "netns", c);
    // vxlans: one with its underlay beside it, one moved away from its underlay
    lab.ip(b, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "10.9.1.2", "remote", "10.9.1.9", "dev", "br0");
    lab.ip(a, "link", "add", "vx1", "type", "vxlan", "id", "43", "group", "239.1.1.1", "dev", "eth0", "dstport", "4789", "ttl", "5");
    lab.ip(a, "link", "set", "vx1", "netns", c);
    // tun and tap
    lab.ip(c, "tuntap", "add", "mode", "tap", "name", "tap0");
    lab.ip(c, "tuntap", "add", "mode", "tun", "name", "tun0");
    // a veth pair between two fresh namespaces: both ends usually get the same ifindex, which
    // makes the kernel omit IFLA_LINK
    lab.ip(d, "link", "add", "x", "type", "veth", "peer", "name", "y", "netns", e);
    // f: kept alive only by an open fd once its bind mount is gone
    lab.ip(f, "link", "add", "f0", "type", "veth", "peer", "name", "f1");
    const holder = lab.spawn("sh", ["-c", `exec 7<${paths.f}; echo ready; exec sleep 600`]);
    await lab.waitFor(holder, "ready", { exec: "sleep" });
    sh("ip", ["netns", "del", f]);
    lab.forgetNetns(f);
    paths.f = `/proc/${holder.pid}/fd/7`;
    // g: a process's own namespace (unshare), no bind mount
    const owner = lab.spawn("unshare", ["--net", "sh", "-c", "ip link add u0 type veth peer name u1 && echo ready && exec sleep 600"]);
    await lab.waitFor(owner, "ready", { exec: "sleep" });
    paths.g = `/proc/${owner.pid}/ns/net`;
    // t: a namespace only one thread of a process sits in
    const src = join(lab.dir, "thread.c");
    writeFileSync(src, THREAD_PROGRAM);
    sh("gcc", ["-O0", "-pthread", "-o", join(lab.dir, "thread"), src]);
    const threaded = lab.spawn(join(lab.dir, "thread"), []);
    let tid = 0;
    threaded.stdout!.on("data", (buf: Buffer) => {
      const m = /tid (\d+) ready/.exec(buf.toString());
      if (m) tid = Number(m[1]);
    });
    await lab.waitFor(threaded, "ready");
    paths.t = `/proc/${threaded.pid}/task/${tid}/ns/net`;

    // withNetns keeps one fd of our own namespace open for the life of the process (to switch
    // back); warm it up so the count below sees only what a discovery itself leaves behind.
    discover();
    fdsBefore = fdCount();
    topo = discover();
    fdsAfter = fdCount();
    idx = indexTopology(topo);
  } catch (err) {
    lab.cleanup();
    throw err;
  }
});

afterAll(() => lab.cleanup());

function iface(nsName: string, name: string): NetworkInterface {
  const n = namespaceAt(topo, paths[nsName]!);
  const i = n.interfaces.find((x) => x.name === name);
  if (!i) throw new Error(`no ${name} in ${nsName}: ${n.interfaces.map((x) => x.name).join(",")}`);
  return i;
}
function nsOf(nsName: string): NetworkNamespace {
  return namespaceAt(topo, paths[nsName]!);
}

describe.if(root)("discovery of a real lab topology", () => {
  test("every lab namespace matches iproute2 (links, addresses, routes)", () => {
    for (const name of ["a", "b", "c", "d", "e", "f", "g", "t"]) {
      let ours = wiresightFacts(nsOf(name));
      let theirs = oracleFacts(paths[name]!);
      // IPv6 autoconfiguration may still be settling: one fresh look settles a transient diff.
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        Bun.sleepSync(300);
        ours = wiresightFacts(namespaceAt(discover(), paths[name]!));
        theirs = oracleFacts(paths[name]!);
      }
      expect({ name, ...ours }).toEqual({ name, ...theirs });
    }
  });

  test("the initial namespace comes first and matches iproute2's links", () => {
    const first = topo.namespaces[0]!;
    expect(first.initial).toBe(true);
    expect(topo.namespaces.filter((n) => n.initial)).toHaveLength(1);
    const ours = wiresightFacts(first).links;
    const theirs = oracleFacts(`/proc/self/ns/net`).links;
    expect(ours).toEqual(theirs);
  });

  test("veth host ↔ namespace and namespace ↔ namespace peers", () => {
    const host = topo.namespaces[0]!.interfaces.find((i) => i.name === hostVeth)!;
    const eth0 = iface("a", "eth0");
    expect(host.relations.peer).toBe(eth0.key);
    expect(eth0.relations.peer).toBe(host.key);
    expect(iface("a", "va").relations.peer).toBe(iface("b", "vb").key);
    expect(iface("b", "vb").relations.peer).toBe(iface("a", "va").key);
    expect(eth0.alias).toBe("uplink to host");
    expect(eth0.addresses.map((a) => `${a.address}/${a.prefixLength}`).sort()).toEqual(["10.9.0.1/24", "fd00:9::1/64"]);
  });

  test("veth peers with the same ifindex (IFLA_LINK omitted) are resolved", () => {
    const x = iface("d", "x");
    const y = iface("e", "y");
    expect(x.relations.peer).toBe(y.key);
    expect(y.relations.peer).toBe(x.key);
  });

  test("bridge and its ports", () => {
    const br0 = iface("b", "br0");
    const ports = ["vb", "p1", "p2"].map((n) => iface("b", n).key).sort();
    expect([...br0.relations.ports].sort()).toEqual(ports);
    for (const p of ["vb", "p1", "p2"]) expect(iface("b", p).relations.bridge).toBe(br0.key);
    expect(iface("b", "p1").portKind).toBe("bridge");
    expect(iface("b", "p1").relations.peer).toBe(iface("c", "c1").key);
    expect(br0.kind).toBe("bridge");
  });

  test("macvlan whose lower device lives in another namespace", () => {
    const mv0 = iface("c", "mv0");
    const eth0 = iface("a", "eth0");
    expect(mv0.kind).toBe("macvlan");
    expect(mv0.details).toMatchObject({ kind: "macvlan", mode: "bridge", macvtap: false });
    expect(mv0.relations.master).toBe(eth0.key);
    expect(eth0.relations.slaves).toContain(mv0.key);
  });

  test("vxlan with its underlay, in the same and in another namespace", () => {
    const vx0 = iface("b", "vx0");
    expect(vx0.details).toMatchObject({ kind: "vxlan", vni: 42, remote: "10.9.1.9", local: "10.9.1.2", port: 4789, group: null });
    expect(vx0.relations.underlay).toBe(iface("b", "br0").key);
    const vx1 = iface("c", "vx1");
    expect(vx1.details).toMatchObject({ kind: "vxlan", vni: 43, group: "239.1.1.1", ttl: 5 });
    expect(vx1.relations.underlay).toBe(iface("a", "eth0").key);
    expect(iface("a", "eth0").relations.overlays).toContain(vx1.key);
  });

  test("tun and tap", () => {
    expect(iface("c", "tap0").details).toMatchObject({ kind: "tuntap", mode: "tap" });
    expect(iface("c", "tun0").details).toMatchObject({ kind: "tuntap", mode: "tun" });
  });

  test("how each namespace is held is recorded", () => {
    expect(nsOf("a").references).toContainEqual(expect.objectContaining({ kind: "bindmount", path: paths.a }));
    expect(nsOf("a").displayName).toBe(ns.a!);
    expect(nsOf("f").references.some((r) => r.kind === "fd" && r.fd === 7)).toBe(true);
    expect(nsOf("f").references.some((r) => r.kind === "bindmount")).toBe(false);
    expect(nsOf("g").references.some((r) => r.kind === "process")).toBe(true);
    expect(nsOf("t").references.some((r) => r.kind === "thread")).toBe(true);
    expect(iface("f", "f0").relations.peer).toBe(iface("f", "f1").key);
    expect(iface("t", "t0").relations.peer).toBe(iface("t", "t1").key);
  });

  test("identity keys: boot id + netns cookie, unique per namespace", () => {
    const keys = topo.namespaces.map((n) => n.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const n of topo.namespaces) expect(n.key).toBe(`netns:${topo.host.bootId}:${n.cookie}`);
    const ifKeys = topo.namespaces.flatMap((n) => n.interfaces.map((i) => i.key));
    expect(new Set(ifKeys).size).toBe(ifKeys.length);
  });

  test("NSIDs are resolved only for what links reference", () => {
    // every lab namespace that holds a cross-namespace link knows which namespace its NSID means
    for (const name of ["a", "b", "c", "d", "e"]) for (const m of nsOf(name).nsids) expect(m.netns).not.toBeNull();
    const referenced = topo.namespaces.reduce((n, x) => n + x.nsids.length, 0);
    // at most one query per referenced NSID, where a pairwise scan needs one per pair
    expect(topo.stats.nsidQueries).toBeLessThanOrEqual(referenced);
  });

  test("after discovery no thread is in a foreign namespace and no fd leaked", () => {
    const own = Number(threadNetnsInode());
    for (const t of allThreadsNetns()) expect(t.inode).toBe(own);
    expect(fdsAfter).toBe(fdsBefore);
  });

  test("two discoveries of an unchanged lab agree (stable keys and order)", () => {
    const again = discover();
    const view = (t: Topology) =>
      Object.keys(paths).map((name) => {
        const n = namespaceAt(t, paths[name]!);
        return { key: n.key, interfaces: n.interfaces.map((i) => ({ key: i.key, relations: i.relations, addresses: i.addresses.map((a) => a.key) })), routes: n.routes.map((r) => r.key) };
      });
    expect(view(again)).toEqual(view(topo));
  });
});
