// whereIs on a real topology: a hub namespace with a bridge whose veth ports lead into two
// container namespaces and one namespace on the segment, a client namespace routed to the
// bridge subnet through the hub, and an unrelated namespace with a duplicate of a container's
// address. Oracles: `ip route get` in each namespace for the route chosen at each hop (and the
// error the kernel gives for blackhole/unreachable/prohibit), and the bridge's forwarding
// database (`bridge fdb`) for the port a bridge hop picks, after real traffic taught it.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { discover } from "../../src/discovery/discover.ts";
import { indexTopology, type TopologyIndex } from "../../src/model/index-topology.ts";
import { whereIs, type WhereIsResult } from "../../src/model/where-is.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { namespaceAt } from "../helpers/oracle.ts";

const root = requireRoot();
const lab = new Lab();
const NAMES = ["hub", "c1", "c2", "seg", "client", "dup", "dupeer"] as const;
/** Lab namespace names (bind-mounted, so they are also wiresight's display names). */
const ns = {} as Record<(typeof NAMES)[number], string>;
let idx: TopologyIndex;
const key = (n: keyof typeof ns) => namespaceAt(idx.topology, `/run/netns/${ns[n]}`).key;

beforeAll(() => {
  if (!root) return;
  try {
    for (const n of NAMES) ns[n] = lab.netns(n);
    const { hub, c1, c2, seg, client, dup, dupeer } = ns;
    lab.ip(hub, "link", "add", "br0", "type", "bridge");
    const ports: [string, string, string, string | null][] = [
      ["p1", c1, "10.0.0.2/24", "fd00:aa::2/64"],
      ["p2", c2, "10.0.0.3/24", "fd00:aa::3/64"],
      ["p3", seg, "10.0.0.9/24", null],
    ];
    for (const [port, into, v4, v6] of ports) {
      lab.ip(hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", into);
      lab.ip(hub, "link", "set", port, "master", "br0", "up");
      lab.ip(into, "addr", "add", v4, "dev", "eth0");
      if (v6) lab.ip(into, "addr", "add", v6, "dev", "eth0", "nodad");
      lab.ip(into, "link", "set", "eth0", "up");
      lab.ip(into, "route", "add", "default", "via", "10.0.0.1");
    }
    lab.ip(hub, "link", "set", "br0", "up");
    lab.ip(hub, "addr", "add", "10.0.0.1/24", "dev", "br0");
    lab.ip(hub, "addr", "add", "fd00:aa::1/64", "dev", "br0", "nodad");
    // client ↔ hub, routed
    lab.ip(client, "link", "add", "up0", "type", "veth", "peer", "name", "down0", "netns", hub);
    lab.ip(client, "addr", "add", "10.1.0.2/30", "dev", "up0");
    lab.ip(client, "addr", "add", "fd00:bb::2/64", "dev", "up0", "nodad");
    lab.ip(hub, "addr", "add", "10.1.0.1/30", "dev", "down0");
    lab.ip(hub, "addr", "add", "fd00:bb::1/64", "dev", "down0", "nodad");
    lab.ip(client, "link", "set", "up0", "up");
    lab.ip(hub, "link", "set", "down0", "up");
    lab.ip(client, "route", "add", "10.0.0.0/24", "via", "10.1.0.1");
    lab.ip(client, "-6", "route", "add", "fd00:aa::/64", "via", "fd00:bb::1");
    lab.ip(client, "route", "add", "default", "via", "10.1.0.1");
    lab.ip(client, "route", "add", "blackhole", "10.66.0.0/16");
    lab.ip(client, "route", "add", "unreachable", "10.67.0.0/16");
    lab.ip(client, "route", "add", "prohibit", "10.68.0.0/16");
    // The hub sends everything else back to the client: a loop for addresses nobody has.
    lab.ip(hub, "route", "add", "default", "via", "10.1.0.2");
    // The same private address as c1, in a namespace not connected to anything above.
    lab.ip(dup, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", dupeer);
    lab.ip(dup, "addr", "add", "10.0.0.2/24", "dev", "eth0");
    lab.ip(dup, "link", "set", "eth0", "up");
    lab.ip(dupeer, "link", "set", "eth0", "up");

    // Real traffic from the hub teaches its bridge where c1 and c2 are (ARP/ND replies come in
    // through their ports); its neighbour table then holds their MACs.
    for (const target of ["10.0.0.2", "10.0.0.3", "fd00:aa::2", "fd00:aa::3", "10.0.0.9"]) learn(hub, target);
    idx = indexTopology(discover());
  } catch (err) {
    lab.cleanup();
    throw err;
  }
});

afterAll(() => lab.cleanup());

/** Sends one UDP datagram from `netns` to `target` (bash's /dev/udp) and waits until the neighbour entry for it resolved. */
function learn(netns: string, target: string): void {
  for (let attempt = 0; attempt < 50; attempt++) {
    spawnSync("ip", ["netns", "exec", netns, "bash", "-c", `echo x > /dev/udp/${target}/9`]);
    if (neighbourMac(netns, target)) return;
    Bun.sleepSync(100);
  }
  throw new Error(`no neighbour entry for ${target} in ${netns}`);
}

function neighbourMac(netns: string, target: string): string | null {
  const out = sh("ip", ["-n", netns, "-j", "neigh", "show", "to", target], { allowFail: true });
  const entry = (out.trim() ? JSON.parse(out) : []).find((n: any) => n.lladdr && !(n.state ?? []).includes("FAILED") && !(n.state ?? []).includes("INCOMPLETE"));
  return entry?.lladdr ?? null;
}

/** The bridge port the hub's bridge has learned a MAC on. */
function fdbPort(netns: string, bridge: string, mac: string): string | null {
  const fdb = JSON.parse(sh("bridge", ["-n", netns, "-j", "fdb", "show", "br", bridge]) || "[]");
  return fdb.find((e: any) => e.mac === mac && !(e.flags ?? []).includes("self") && e.state !== "permanent")?.ifname ?? null;
}

/** `ip route get` in a namespace: the kernel's own answer, or its error message. */
function routeGet(netns: string, target: string): { route: any | null; error: string | null } {
  const r = spawnSync("ip", ["-n", netns, "-j", "route", "get", target], { encoding: "utf8" });
  if (r.status !== 0) return { route: null, error: r.stderr.trim() };
  return { route: JSON.parse(r.stdout)[0], error: null };
}

/** Every route hop of a path agrees with `ip route get` in that namespace. */
function checkRoutesAgainstKernel(r: WhereIsResult): void {
  for (const hop of r.path.filter((h) => h.kind === "route")) {
    const k = routeGet(hop.netnsName, r.address);
    expect(k.error).toBeNull();
    const ours = hop.route!;
    if (ours.type === "local") {
      expect({ ns: hop.netnsName, type: k.route.type }).toEqual({ ns: hop.netnsName, type: "local" });
    } else {
      expect({ ns: hop.netnsName, type: k.route.type ?? "unicast", dev: k.route.dev, gateway: k.route.gateway ?? null }).toEqual({
        ns: hop.netnsName,
        type: ours.type,
        dev: hop.egress!.name,
        gateway: ours.gateway,
      });
    }
  }
}

/** Every bridge hop's port is where the bridge learned the next hop's MAC. */
function checkBridgesAgainstFdb(r: WhereIsResult, askFrom: string): void {
  for (const hop of r.path.filter((h) => h.kind === "bridge")) {
    const mac = neighbourMac(askFrom, hop.nextHop!);
    expect(mac).not.toBeNull();
    expect({ next: hop.nextHop, port: fdbPort(hop.netnsName, hop.bridge!.name, mac!) }).toEqual({ next: hop.nextHop, port: hop.egress!.name });
  }
}

const hops = (r: WhereIsResult) => r.path.map((h) => `${h.kind}:${h.netnsName}${h.egress ? `>${h.egress.name}` : ""}`);

describe.if(root)("whereIs on a real lab", () => {
  test("a container address from the routed client: via the hub, across the bridge into the right veth peer", () => {
    const r = whereIs(idx, "10.0.0.2", { from: key("client") });
    expect(hops(r)).toEqual([`route:${ns.client}>up0`, `route:${ns.hub}>br0`, `bridge:${ns.hub}>p1`, `route:${ns.c1}`]);
    expect(r.end!.reason).toBe("delivered");
    expect(r.reached!.netns).toBe(key("c1"));
    expect(r.reached!.interface!.name).toBe("eth0");
    // Both holders are listed; the one a packet from the client reaches comes first.
    expect(r.owners.map((o) => `${o.netnsName} reached=${o.reached}`)).toEqual([`${ns.c1} reached=true`, `${ns.dup} reached=false`]);
    checkRoutesAgainstKernel(r);
    checkBridgesAgainstFdb(r, ns.hub);
  });

  test("the other container, and IPv6", () => {
    for (const address of ["10.0.0.3", "fd00:aa::3"]) {
      const r = whereIs(idx, address, { from: key("client") });
      expect(hops(r)).toEqual([`route:${ns.client}>up0`, `route:${ns.hub}>br0`, `bridge:${ns.hub}>p2`, `route:${ns.c2}`]);
      expect(r.reached!.netns).toBe(key("c2"));
      expect(r.owners).toHaveLength(1);
      checkRoutesAgainstKernel(r);
      checkBridgesAgainstFdb(r, ns.hub);
    }
  });

  test("from a namespace on the segment itself: straight onto the bridge, from port p3 to p2", () => {
    const r = whereIs(idx, "10.0.0.3", { from: ns.seg });
    expect(hops(r)).toEqual([`route:${ns.seg}>eth0`, `bridge:${ns.hub}>p2`, `route:${ns.c2}`]);
    expect(r.path[1]!.ingress!.name).toBe("p3");
    checkRoutesAgainstKernel(r);
    checkBridgesAgainstFdb(r, ns.hub);
  });

  test("a container reaching its gateway ends in the hub's own stack (the bridge itself)", () => {
    const r = whereIs(idx, "10.1.0.2", { from: "10.0.0.3" });
    expect(r.from!.netns).toBe(key("c2"));
    expect(hops(r)).toEqual([`route:${ns.c2}>eth0`, `bridge:${ns.hub}`, `route:${ns.hub}>down0`, `route:${ns.client}`]);
    checkRoutesAgainstKernel(r);
  });

  test("blackhole, unreachable and prohibit routes end the path, as the kernel refuses them", () => {
    for (const [address, type, kernelSays] of [
      ["10.66.1.1", "blackhole", "Invalid argument"],
      ["10.67.1.1", "unreachable", "No route to host"],
      ["10.68.1.1", "prohibit", "Permission denied"],
    ] as const) {
      const r = whereIs(idx, address, { from: key("client") });
      expect(r.end!.reason).toBe(type);
      expect(r.path[0]!.route!.type).toBe(type);
      expect(routeGet(ns.client, address).error).toContain(kernelSays);
    }
  });

  test("an address nobody has bounces between client and hub: a loop, each hop as the kernel routes it", () => {
    const r = whereIs(idx, "203.0.113.9", { from: key("client") });
    expect(r.end!.reason).toBe("loop");
    expect(r.found).toBe(false);
    expect(hops(r)).toEqual([`route:${ns.client}>up0`, `route:${ns.hub}>down0`, `route:${ns.client}>up0`]);
    checkRoutesAgainstKernel(r);
  });
});
