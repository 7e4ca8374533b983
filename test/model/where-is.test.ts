// whereIs on hand-built topologies: owners (including the same address in many namespaces),
// longest-prefix match with overlapping prefixes and metrics, default routes, route types,
// veth and bridge crossings (nested bridges too), IPv6, loops, the hop limit and every form of
// `from`.

import { describe, expect, test } from "bun:test";
import { indexTopology } from "../../src/model/index-topology.ts";
import { IpParseError } from "../../src/model/ip.ts";
import { MAX_HOPS, WhereIsError, whereIs, type WhereIsResult } from "../../src/model/where-is.ts";
import type { NetworkNamespace } from "../../src/model/topology.ts";
import { forwardedPortKey, type ForwardedPort } from "../../src/model/forwarded-ports.ts";
import { TopologyBuilder } from "./build-topology.ts";

/** Namespace names along the path, one per hop (bridge hops included). */
const names = (r: WhereIsResult) => r.path.map((h) => `${h.kind}:${h.netnsName}`);

/**
 * host (initial): eth0 physical 192.168.1.10/24, default via 192.168.1.1; veth h-r ↔ r-h into
 * router; 10.0.0.0/16 via 10.255.0.2.
 * router: br0 10.0.1.1/24 + fd00:1::1/64 with ports p1 → c1, p2 → c2, p3 → sw2 (port of br1
 * there, whose port q1 leads to c3); fd00:1::/64 on br0; default via 10.255.0.1.
 * c1..c3: eth0 10.0.1.N/24 (+ fd00:1::N), default via 10.0.1.1.
 * other: an unconnected namespace that also has 10.0.1.2.
 */
function lab() {
  const b = new TopologyBuilder();
  const host = b.ns("host", { initial: true });
  const router = b.ns("router");
  const eth0 = b.iface(host, "eth0", "physical", ["192.168.1.10/24"]);
  b.route(host, "192.168.1.0/24", { dev: eth0 });
  b.route(host, "default", { via: "192.168.1.1", dev: eth0 });
  const [hr, rh] = b.veth(host, "h-r", router, "r-h", ["10.255.0.1/30"], ["10.255.0.2/30"]);
  b.route(host, "10.255.0.0/30", { dev: hr });
  b.route(host, "10.0.0.0/16", { via: "10.255.0.2", dev: hr });
  b.route(router, "10.255.0.0/30", { dev: rh });
  b.route(router, "default", { via: "10.255.0.1", dev: rh });

  const cs: NetworkNamespace[] = [];
  const ports = [];
  for (const n of [1, 2]) {
    const c = b.ns(`c${n}`);
    const [p, e] = b.veth(router, `p${n}`, c, "eth0", [], [`10.0.1.${n + 1}/24`, `fd00:1::${n + 1}/64`]);
    ports.push(p);
    cs.push(c);
    b.route(c, "10.0.1.0/24", { dev: e });
    b.route(c, "default", { via: "10.0.1.1", dev: e });
    b.route(c, "fd00:1::/64", { dev: e, metric: 256 });
  }
  const sw2 = b.ns("sw2");
  const [p3, up] = b.veth(router, "p3", sw2, "up");
  const c3 = b.ns("c3");
  const [q1, e3] = b.veth(sw2, "q1", c3, "eth0", [], ["10.0.1.4/24"]);
  b.bridge(sw2, "br1", [up, q1]);
  b.route(c3, "10.0.1.0/24", { dev: e3 });
  cs.push(c3);
  const br0 = b.bridge(router, "br0", [...ports, p3], ["10.0.1.1/24", "fd00:1::1/64"]);
  b.route(router, "10.0.1.0/24", { dev: br0 });
  b.route(router, "fd00:1::/64", { dev: br0, metric: 256 });

  const other = b.ns("other");
  const otherPeer = b.ns("other-peer");
  b.veth(other, "eth0", otherPeer, "eth0", ["10.0.1.2/24"]);
  b.kernelLocalRoutes();
  return { b, t: b.build(), host, router, cs, sw2, other };
}

describe("owners", () => {
  test("an address held in one namespace: its owner, no path when no starting point is given", () => {
    const { t, router } = lab();
    const r = whereIs(t, "10.255.0.2");
    expect(r.found).toBe(true);
    expect(r.owners).toHaveLength(1);
    expect(r.owners[0]!.netns).toBe(router.key);
    expect(r.owners[0]!.interface!.name).toBe("r-h");
    expect(r.owners[0]!.address!.prefixLength).toBe(30);
    expect(r.from).toBeNull();
    expect(r.path).toEqual([]);
  });

  test("the same private address in two namespaces: both are owners; from a starting point, the one the packet reaches comes first", () => {
    const { t, cs, other } = lab();
    const plain = whereIs(t, "10.0.1.2");
    expect(plain.owners.map((o) => o.netnsName)).toEqual(["c1", "other"]);
    expect(plain.owners.every((o) => !o.reached)).toBe(true);

    const fromOther = whereIs(t, "10.0.1.2", { from: other.key });
    expect(fromOther.owners.map((o) => o.netnsName)).toEqual(["other", "c1"]);
    expect(fromOther.reached!.netns).toBe(other.key);

    const fromHost = whereIs(t, "10.0.1.2", { from: "initial" });
    expect(fromHost.owners.map((o) => [o.netnsName, o.reached])).toEqual([["c1", true], ["other", false]]);
    expect(fromHost.reached!.netns).toBe(cs[0]!.key);
  });

  test("an address nobody holds: no owners, and a path from the initial namespace says where it would go", () => {
    const { t } = lab();
    const r = whereIs(t, "8.8.8.8");
    expect(r.owners).toEqual([]);
    expect(r.found).toBe(false);
    expect(r.from!.as).toBe("initial");
    expect(r.path).toHaveLength(1);
    expect(r.path[0]!.route!.destination).toBe("default");
    expect(r.path[0]!.nextHop).toBe("192.168.1.1");
    expect(r.end!.reason).toBe("leaves");
    expect(r.end!.message).toContain("eth0 (physical)");
  });
});

describe("paths across veths and bridges", () => {
  test("host → router over a veth, then across br0 to the port whose peer holds the address", () => {
    const { t, cs } = lab();
    const r = whereIs(t, "10.0.1.3", { from: "initial" });
    expect(names(r)).toEqual(["route:host", "route:router", "bridge:router", "route:c2"]);
    const [h, rt, br, c] = r.path as [any, any, any, any];
    expect(h.route.destination).toBe("10.0.0.0");
    expect(h.route.prefixLength).toBe(16);
    expect(h.egress.name).toBe("h-r");
    expect(h.nextHop).toBe("10.255.0.2");
    expect(rt.ingress.name).toBe("r-h");
    expect(rt.route.destination).toBe("10.0.1.0");
    expect(rt.egress.name).toBe("br0");
    expect(rt.nextHop).toBe("10.0.1.3");
    expect(br.bridge.name).toBe("br0");
    expect(br.ingress).toBeNull();
    expect(br.egress.name).toBe("p2");
    expect(c.ingress.name).toBe("eth0");
    expect(c.route.type).toBe("local");
    expect(c.route.tableName).toBe("local");
    expect(r.end!.reason).toBe("delivered");
    expect(r.reached!.netns).toBe(cs[1]!.key);
    expect(r.reached!.interface!.name).toBe("eth0");
  });

  test("through a nested bridge: br0 → p3 → br1 in sw2 → q1 → c3", () => {
    const { t, cs } = lab();
    const r = whereIs(t, "10.0.1.4", { from: "initial" });
    expect(names(r)).toEqual(["route:host", "route:router", "bridge:router", "bridge:sw2", "route:c3"]);
    expect(r.path[2]!.egress!.name).toBe("p3");
    expect(r.path[3]!.ingress!.name).toBe("up");
    expect(r.path[3]!.egress!.name).toBe("q1");
    expect(r.reached!.netns).toBe(cs[2]!.key);
  });

  test("from a container to its gateway: across its veth into the bridge, up into the router's own stack", () => {
    const { t, router, cs } = lab();
    const r = whereIs(t, "10.0.1.1", { from: cs[0]!.key });
    expect(names(r)).toEqual(["route:c1", "bridge:router", "route:router"]);
    expect(r.path[1]!.ingress!.name).toBe("p1");
    expect(r.path[1]!.egress).toBeNull();
    expect(r.reached!.netns).toBe(router.key);
    expect(r.reached!.interface!.name).toBe("br0");
  });

  test("container to container on the same bridge, and container to the host via two gateways", () => {
    const { t, cs, host } = lab();
    const c2c = whereIs(t, "10.0.1.3", { from: cs[0]!.key });
    expect(names(c2c)).toEqual(["route:c1", "bridge:router", "route:c2"]);
    expect(c2c.path[1]!.egress!.name).toBe("p2");

    const up = whereIs(t, "192.168.1.10", { from: cs[0]!.key });
    expect(names(up)).toEqual(["route:c1", "bridge:router", "route:router", "route:host"]);
    expect(up.path[0]!.nextHop).toBe("10.0.1.1");
    expect(up.path[2]!.route!.destination).toBe("default");
    expect(up.reached!.netns).toBe(host.key);
    expect(up.reached!.interface!.name).toBe("eth0");
  });

  test("IPv6: across the bridge to the owner", () => {
    const { t, cs } = lab();
    const r = whereIs(t, "fd00:1:0:0::3", { from: "router" });
    expect(r.address).toBe("fd00:1::3");
    expect(r.family).toBe("ipv6");
    expect(names(r)).toEqual(["route:router", "bridge:router", "route:c2"]);
    expect(r.path[0]!.route!.priority).toBe(256);
    expect(r.reached!.netns).toBe(cs[1]!.key);
    expect(r.reached!.address!.address).toBe("fd00:1::3");
  });

  test("an IPv4-mapped IPv6 address is looked up as the IPv4 address, with a note", () => {
    const { t } = lab();
    const r = whereIs(t, "::ffff:10.0.1.3", { from: "initial" });
    expect(r.address).toBe("10.0.1.3");
    expect(r.family).toBe("ipv4");
    expect(r.reached!.netnsName).toBe("c2");
    expect(r.notes.join()).toContain("IPv4-mapped");
  });

  test("an on-link destination nobody behind the link holds: ARP would go unanswered", () => {
    const { t, cs } = lab();
    const viaVeth = whereIs(t, "10.255.0.3", { from: "initial" });
    expect(viaVeth.end!.reason).toBe("no-neighbour");
    expect(viaVeth.end!.message).toContain("r-h");
    const viaBridge = whereIs(t, "10.0.1.99", { from: cs[0]!.key });
    expect(viaBridge.end!.reason).toBe("no-neighbour");
    expect(names(viaBridge)).toEqual(["route:c1", "bridge:router"]);
    expect(viaBridge.found).toBe(false);
  });
});

test("links that are down carry nothing: a down veth peer, a down bridge port", () => {
  const { t, cs, router } = lab();
  const peerOfHr = router.interfaces.find((i) => i.name === "r-h")!;
  peerOfHr.up = false;
  const r = whereIs(t, "10.0.1.3", { from: "initial" });
  expect(r.end!.reason).toBe("link-down");
  expect(r.end!.message).toContain("r-h is down");
  peerOfHr.up = true;
  router.interfaces.find((i) => i.name === "p2")!.up = false;
  const viaBridge = whereIs(t, "10.0.1.3", { from: cs[0]!.key });
  expect(viaBridge.end!.reason).toBe("no-neighbour");
  expect(whereIs(t, "10.0.1.4", { from: cs[0]!.key }).reached!.netnsName).toBe("c3");
});

describe("route selection", () => {
  function prefixes() {
    const b = new TopologyBuilder();
    const a = b.ns("a", { initial: true });
    const targets = ["wide", "mid", "narrow", "cheap", "dflt"].map((n) => b.ns(n));
    const devs = targets.map((ns, i) => b.veth(a, `to-${ns.displayName}`, ns, "in", [`10.254.${i}.1/24`], [`10.254.${i}.2/24`])[0]);
    const [wide, mid, narrow, cheap, dflt] = devs as [any, any, any, any, any];
    b.route(a, "10.0.0.0/8", { via: "10.254.0.2", dev: wide });
    b.route(a, "10.1.0.0/16", { via: "10.254.1.2", dev: mid });
    b.route(a, "10.1.2.0/24", { via: "10.254.2.2", dev: narrow, metric: 100 });
    b.route(a, "10.1.2.0/24", { via: "10.254.3.2", dev: cheap, metric: 10 });
    b.route(a, "default", { via: "10.254.4.2", dev: dflt });
    b.route(a, "10.1.3.0/24", { type: "blackhole" });
    b.route(a, "10.1.4.0/24", { type: "unreachable" });
    b.route(a, "10.1.5.0/24", { type: "prohibit" });
    // A throw route in main sends the lookup on to table default.
    b.route(a, "10.1.6.0/24", { type: "throw" });
    b.route(a, "10.1.6.0/24", { via: "10.254.0.2", dev: wide, table: 253 });
    // Routes a TOS-0 packet with an unknown source must not match.
    b.route(a, "10.1.7.0/24", { via: "10.254.2.2", dev: narrow, tos: 16 });
    b.route(a, "10.1.7.0/24", { via: "10.254.2.2", dev: narrow, from: "10.9.9.0/24" });
    b.kernelLocalRoutes();
    const t = b.build();
    // Each target namespace accepts everything: a local default route, like a catch-all router.
    for (const ns of targets) b.route(ns, "0.0.0.0/0", { type: "local", table: 255, dev: ns.interfaces[0]! });
    return t;
  }
  const firstHop = (t: any, ip: string) => whereIs(t, ip, { from: "initial" }).path[0]!;
  const reachedName = (t: any, ip: string) => whereIs(t, ip, { from: "initial" }).reached?.netnsName;

  test("longest prefix wins over shorter overlapping ones; the lowest metric among equal prefixes", () => {
    const t = prefixes();
    expect(reachedName(t, "10.200.0.1")).toBe("wide");
    expect(reachedName(t, "10.1.200.1")).toBe("mid");
    expect(reachedName(t, "10.1.2.3")).toBe("cheap");
    expect(firstHop(t, "10.1.2.3").route!.priority).toBe(10);
    expect(reachedName(t, "11.0.0.1")).toBe("dflt");
    expect(firstHop(t, "11.0.0.1").route!.destination).toBe("default");
  });

  test("blackhole, unreachable and prohibit routes end the path with their type", () => {
    const t = prefixes();
    for (const [ip, type] of [["10.1.3.9", "blackhole"], ["10.1.4.9", "unreachable"], ["10.1.5.9", "prohibit"]] as const) {
      const r = whereIs(t, ip, { from: "initial" });
      expect(r.end!.reason).toBe(type);
      expect(r.path).toHaveLength(1);
      expect(r.path[0]!.route!.type).toBe(type);
      expect(r.path[0]!.egress).toBeNull();
      expect(r.reached).toBeNull();
      expect(r.found).toBe(false);
    }
  });

  test("a throw route continues in the next table; TOS- and source-specific routes do not match", () => {
    const t = prefixes();
    expect(firstHop(t, "10.1.6.1").route!.table).toBe(253);
    expect(reachedName(t, "10.1.6.1")).toBe("wide");
    expect(firstHop(t, "10.1.7.1").route!.destination).toBe("10.1.0.0");
  });

  test("no route at all", () => {
    const b = new TopologyBuilder();
    b.ns("lonely", { initial: true });
    const r = whereIs(b.kernelLocalRoutes().build(), "10.0.0.1");
    expect(r.end!.reason).toBe("no-route");
    expect(r.path[0]!.route).toBeNull();
  });

  test("127.0.0.0/8 is delivered to lo by the local route even though only 127.0.0.1 is an address", () => {
    const b = new TopologyBuilder();
    const a = b.ns("a", { initial: true });
    const r = whereIs(b.kernelLocalRoutes().build(), "127.0.0.5", { from: a.key });
    expect(r.end!.reason).toBe("delivered");
    expect(r.reached!.interface!.name).toBe("lo");
    expect(r.reached!.address).toBeNull();
    expect(r.owners[0]!.reached).toBe(true);
    expect(r.found).toBe(true);
  });

  test("multipath: the first next hop is followed, with a note; tied routes are noted", () => {
    const b = new TopologyBuilder();
    const a = b.ns("a", { initial: true });
    const x = b.ns("x");
    const y = b.ns("y");
    const [ax] = b.veth(a, "ax", x, "in", ["10.1.0.1/24"], ["10.1.0.2/24", "10.9.0.1/32"]);
    const [ay] = b.veth(a, "ay", y, "in", ["10.2.0.1/24"], ["10.2.0.2/24", "10.9.0.1/32"]);
    b.route(a, "10.9.0.0/24", { nexthops: [{ via: "10.1.0.2", dev: ax }, { via: "10.2.0.2", dev: ay }] });
    b.route(a, "fe80::/64", { dev: ax, metric: 256 });
    b.route(a, "fe80::/64", { dev: ay, metric: 256 });
    b.kernelLocalRoutes();
    const t = b.build();
    const r = whereIs(t, "10.9.0.1", { from: "a" });
    expect(r.reached!.netnsName).toBe("x");
    expect(r.notes.join()).toContain("2 next hops");
    const ll = whereIs(t, "fe80::99", { from: "a" });
    expect(ll.notes.join()).toContain("2 routes tie");
  });
});

describe("loops and limits", () => {
  test("two namespaces that default-route to each other: a loop, reported after one round", () => {
    const b = new TopologyBuilder();
    const a = b.ns("a", { initial: true });
    const c = b.ns("c");
    const [ac, ca] = b.veth(a, "ac", c, "ca", ["10.0.0.1/30"], ["10.0.0.2/30"]);
    b.route(a, "default", { via: "10.0.0.2", dev: ac });
    b.route(c, "default", { via: "10.0.0.1", dev: ca });
    const r = whereIs(b.kernelLocalRoutes().build(), "203.0.113.7");
    expect(r.end!.reason).toBe("loop");
    expect(names(r)).toEqual(["route:a", "route:c", "route:a"]);
    expect(r.found).toBe(false);
  });

  test("a chain longer than the hop limit ends with hop-limit", () => {
    const b = new TopologyBuilder();
    const chain = Array.from({ length: MAX_HOPS + 5 }, (_, i) => b.ns(`n${i}`, { initial: i === 0 }));
    for (let i = 0; i + 1 < chain.length; i++) {
      const [x] = b.veth(chain[i]!, "next", chain[i + 1]!, "prev", [`10.${i >> 8}.${i & 255}.1/31`], [`10.${i >> 8}.${i & 255}.0/31`]);
      b.route(chain[i]!, "default", { via: `10.${i >> 8}.${i & 255}.0`, dev: x });
    }
    const r = whereIs(b.kernelLocalRoutes().build(), "203.0.113.7");
    expect(r.end!.reason).toBe("hop-limit");
    expect(r.path).toHaveLength(MAX_HOPS);
  });
});

describe("starting points", () => {
  test("initial, a namespace key, name, inode, an interface key, an address", () => {
    const { t, cs, router } = lab();
    const idx = indexTopology(t);
    const r1 = router.interfaces.find((i) => i.name === "r-h")!;
    for (const [from, as] of [
      ["initial", "initial"],
      [cs[0]!.key, "netns"],
      ["c1", "netns"],
      [String(cs[0]!.inode), "netns"],
      [`net:[${cs[0]!.inode}]`, "netns"],
      [r1.key, "interface"],
      ["10.0.1.3", "address"],
    ] as const) {
      const r = whereIs(idx, "10.0.1.4", { from });
      expect(r.from!.as).toBe(as);
      expect(r.reached!.netnsName).toBe("c3");
    }
    expect(whereIs(idx, "10.0.1.4", { from: r1.key }).from!.interface!.name).toBe("r-h");
  });

  test("unknown, ambiguous or unheld starting points are clear errors", () => {
    const { t } = lab();
    expect(() => whereIs(t, "10.0.1.4", { from: "nowhere" })).toThrow(WhereIsError);
    expect(() => whereIs(t, "10.0.1.4", { from: "nowhere" })).toThrow(/unknown starting point "nowhere"/);
    expect(() => whereIs(t, "10.0.1.4", { from: "10.0.1.2" })).toThrow(/held in 2 namespaces \(c1, other\)/);
    expect(() => whereIs(t, "10.0.1.4", { from: "10.99.0.1" })).toThrow(/no interface in any namespace holds 10.99.0.1/);
  });

  test("a bad address is an IpParseError that says what is wrong", () => {
    const { t } = lab();
    expect(() => whereIs(t, "10.0.1")).toThrow(IpParseError);
    expect(() => whereIs(t, "10.0.0.0/8")).toThrow(/is a prefix/);
    expect(() => whereIs(t, "fe80::1%eth0")).toThrow(/zone ids/);
    expect(() => whereIs(t, "")).toThrow(/required/);
  });

  test("a topology without local tables: addresses still say where a packet is delivered; tentative ones do not", () => {
    const b = new TopologyBuilder();
    const a = b.ns("a", { initial: true });
    const c = b.ns("c");
    const [ac, ca] = b.veth(a, "ac", c, "ca", ["10.0.0.1/24"], ["10.0.0.2/24"]);
    b.addr(ca, "fd00::2/64", ["tentative"]);
    b.addr(ac, "fd00::1/64");
    b.route(a, "10.0.0.0/24", { dev: ac });
    b.route(a, "fd00::/64", { dev: ac });
    const t = b.build();
    const r = whereIs(t, "10.0.0.2", { from: "a" });
    expect(r.end!.reason).toBe("delivered");
    expect(r.reached!.interface!.name).toBe("ca");
    expect(r.path[1]!.note).toContain("no local-table routes");
    const tentative = whereIs(t, "fd00::2", { from: "a" });
    expect(tentative.end!.reason).toBe("no-neighbour");
    expect(tentative.owners).toHaveLength(1);
    expect(tentative.owners[0]!.address!.flags).toEqual(["tentative"]);
  });
});

describe("forwardings on the way (DNAT)", () => {
  const fwd = (netns: string, o: Partial<ForwardedPort>): ForwardedPort => {
    const base = { netns, family: "ipv4" as const, protocol: "tcp", hostAddress: null, hostPorts: null, destinationAddress: "10.0.1.2", destinationAddressLast: null, destinationPorts: null, ...o };
    return { key: forwardedPortKey(base), ...base, engine: null, destinationNetns: null, destinationInterface: null, listeners: [], sources: [], service: null, ...o };
  };

  test("a service's ClusterIP is rewritten where the rules are, then routed to the endpoint; the note counts the endpoints", () => {
    const { t, router, host, cs } = lab();
    const service = { key: `${router.key}/svc:shop/web:http/tcp`, name: "shop/web:http", access: "clusterIP" as const };
    t.forwardedPorts = [
      fwd(router.key, { hostAddress: "172.30.0.41", hostPorts: { first: 80, last: 80 }, destinationAddress: "10.0.1.3", destinationPorts: { first: 8080, last: 8080 }, engine: "kube-proxy", service }),
      fwd(router.key, { hostAddress: "172.30.0.41", hostPorts: { first: 80, last: 80 }, destinationAddress: "10.0.1.2", destinationPorts: { first: 8080, last: 8080 }, engine: "kube-proxy", service }),
    ];
    // From the router itself: DNAT first (OUTPUT), then the route to the first endpoint by key.
    const r = whereIs(t, "172.30.0.41", { from: router.key, port: 80 });
    expect(r.path[0]).toMatchObject({ kind: "dnat", netns: router.key, dnat: { service: "shop/web:http", from: "172.30.0.41:80", to: "10.0.1.2:8080" } });
    expect(r.translatedTo).toBe("10.0.1.2:8080");
    expect(r.reached?.netns).toBe(cs[0]!.key);
    expect(r.found).toBe(true);
    expect(r.notes.some((n) => n.includes("one of 2 endpoints"))).toBe(true);
    // From the host, whose default route leaves through eth0: the packet never meets the rules.
    expect(whereIs(t, "172.30.0.41", { from: host.key, port: 80 }).translatedTo).toBeNull();
    // Turned off (a forwarding's own destination is resolved this way), nothing is rewritten.
    expect(whereIs(t, "172.30.0.41", { from: router.key, followForwardings: false }).path.some((h) => h.kind === "dnat")).toBe(false);
  });

  test("a port for any local address (NodePort, published port) applies only with a port given, and only to a local address", () => {
    const { t, router, cs } = lab();
    t.forwardedPorts = [fwd(router.key, { hostPorts: { first: 30080, last: 30089 }, destinationAddress: "10.0.1.3", destinationPorts: { first: 80, last: 89 }, engine: "docker" })];
    const r = whereIs(t, "10.255.0.2", { from: router.key, port: 30081 });
    expect(r.path[0]!.dnat).toMatchObject({ service: null, from: "10.255.0.2:30081", to: "10.0.1.3:81" });
    expect(r.reached?.netns).toBe(cs[1]!.key);
    expect(whereIs(t, "10.255.0.2", { from: router.key }).reached?.netns).toBe(router.key);
    expect(whereIs(t, "10.255.0.2", { from: router.key, port: 22 }).reached?.netns).toBe(router.key);
    // 10.0.1.4 is not the router's: the rule (fib daddr type local / addrtype LOCAL) does not apply.
    expect(whereIs(t, "10.0.1.4", { from: router.key, port: 30081 }).path.some((h) => h.kind === "dnat")).toBe(false);
  });
});
