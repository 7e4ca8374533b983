// Namespaces read on several reader Workers give exactly what one gives, and what iproute2 says:
// the compiled binary (whose Worker code is an extra entry point of the build: a binary without
// it fails, there is no fall-back) dumps a lab with one and with three Workers, and the source
// does it on its own thread. The lab has what crosses namespaces: veth pairs into a bridge hub, a
// macvlan on a veth, one moved into another namespace (its lower device stays behind), a vxlan
// over a veth, a tap, and listening sockets.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { discover } from "../../src/discovery/discover.ts";
import { discoverNamespacesInParallel } from "../../src/discovery/parallel.ts";
import { finish } from "../../src/discovery/discover.ts";
import type { NetworkNamespace, Topology } from "../../src/model/topology.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";
import { namespaceAt, oracleFacts, wiresightFacts } from "../helpers/oracle.ts";

const built = join(import.meta.dir, "../../dist/wiresight");
const root = requireRoot();
const lab = new Lab();
const names: Record<string, string> = {};

function dump(workers: number): Topology {
  const r = spawnSync(built, ["dump", "--workers", String(workers)], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`dump --workers ${workers} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** A lab namespace as discovered, without what other programs on the host may change meanwhile. */
function comparable(t: Topology, name: string): NetworkNamespace {
  const ns = structuredClone(namespaceAt(t, `/run/netns/${name}`));
  // Every `ip netns exec` on the host makes a mount namespace that sees the bind mount too.
  ns.references = [];
  return ns;
}

beforeAll(async () => {
  if (!root) return;
  if (!existsSync(built)) throw new Error("dist/wiresight is missing: run `npm run build` (npm test does it first)");
  for (const s of ["hub", "c1", "c2"]) names[s] = lab.netns(s);
  const { hub, c1, c2 } = names as Record<"hub" | "c1" | "c2", string>;
  lab.ip(hub, "link", "add", "br0", "type", "bridge");
  lab.ip(hub, "link", "set", "br0", "up");
  for (const [c, port, last] of [[c1, "p1", 2], [c2, "p2", 3]] as const) {
    lab.ip(hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", c);
    lab.ip(hub, "link", "set", port, "master", "br0", "up");
    lab.ip(c, "addr", "add", `10.81.0.${last}/24`, "dev", "eth0");
    lab.ip(c, "link", "set", "eth0", "up");
  }
  lab.ip(c1, "link", "add", "mv0", "link", "eth0", "type", "macvlan", "mode", "bridge");
  lab.ip(c1, "link", "add", "vx0", "type", "vxlan", "id", "42", "dev", "eth0", "remote", "10.81.0.3", "dstport", "4789");
  lab.ip(c1, "tuntap", "add", "dev", "tap0", "mode", "tap");
  // A macvlan made in the hub and moved to c2: its lower device (q0) stays in the hub.
  lab.ip(hub, "link", "add", "q0", "type", "veth", "peer", "name", "q1");
  lab.ip(hub, "link", "add", "mvx", "link", "q0", "type", "macvlan", "mode", "bridge");
  lab.ip(hub, "link", "set", "mvx", "netns", c2);
  const listeners = [
    "import socket, time",
    "keep = []",
    "for family, kind, addr in [(socket.AF_INET, socket.SOCK_STREAM, ('0.0.0.0', 7001)), (socket.AF_INET6, socket.SOCK_STREAM, ('::', 7002)),",
    "                           (socket.AF_INET, socket.SOCK_DGRAM, ('10.81.0.2', 7003)), (socket.AF_INET6, socket.SOCK_DGRAM, ('::', 7004))]:",
    "    s = socket.socket(family, kind); s.bind(addr); kind == socket.SOCK_STREAM and s.listen(4); keep.append(s)",
    "print('ready', flush=True)",
    "time.sleep(3600)",
  ].join("\n");
  const server = lab.spawn("ip", ["netns", "exec", c1, "python3", "-c", listeners]);
  await lab.waitFor(server, "ready");
}, 60_000);

afterAll(() => lab.cleanup());

describe.if(root)("reading namespaces on several Workers", () => {
  test("the binary with 1 and with 3 Workers, and discover() on its own thread, give the same lab; iproute2 agrees", async () => {
    const one = dump(1);
    const three = dump(3);
    const here = discover();
    const parallel = finish(await discoverNamespacesInParallel({}, 2), {});
    for (const name of Object.values(names)) {
      const expected = comparable(one, name);
      expect(comparable(three, name)).toEqual(expected);
      expect(comparable(here, name)).toEqual(expected);
      expect(comparable(parallel, name)).toEqual(expected);
      expect(wiresightFacts(namespaceAt(three, `/run/netns/${name}`))).toEqual(oracleFacts(`/run/netns/${name}`));
    }
    // What crosses namespaces is related, both ways.
    const iface = (ns: string, name: string) => namespaceAt(three, `/run/netns/${names[ns]}`).interfaces.find((i) => i.name === name)!;
    expect(iface("hub", "p1").relations.peer).toBe(iface("c1", "eth0").key);
    expect(iface("c1", "eth0").relations.peer).toBe(iface("hub", "p1").key);
    expect(iface("hub", "br0").relations.ports).toEqual([iface("hub", "p1").key, iface("hub", "p2").key]);
    expect(iface("c1", "mv0").relations.master).toBe(iface("c1", "eth0").key);
    expect(iface("c1", "vx0").relations.underlay).toBe(iface("c1", "eth0").key);
    expect(iface("c1", "eth0").relations.overlays).toEqual([iface("c1", "vx0").key]);
    expect(iface("c2", "mvx").relations.master).toBe(iface("hub", "q0").key);
    expect(iface("hub", "q0").relations.slaves).toEqual([iface("c2", "mvx").key]);
    expect(iface("c1", "tap0").kind).toBe("tuntap");
    const listeners = namespaceAt(three, `/run/netns/${names.c1}`).sockets.filter((s) => s.simpleState === "listening");
    expect(listeners.map((s) => s.localPort).sort()).toEqual([7001, 7002, 7003, 7004]);
    expect(listeners.every((s) => s.processes.length > 0)).toBe(true);
  }, 120_000);
});
