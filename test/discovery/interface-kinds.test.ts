// The kinds the test kernel cannot create (ipvlan, bond, team, vrf, wireguard, geneve, GRE and
// IP-in-IP tunnels, netkit, an SR-IOV PF), from byte-exact RTM_NEWLINK messages through discovery's
// own steps: toInterface (kind and details), relate (lower device, peer across namespaces,
// members, the underlay a tunnel names), relateTunnelUnderlays (the route to the remote, looked
// up where the tunnel sends from, for the namespaces a change affected), then what `ls`, Ghostwire's /json and GraphQL make of them. Attribute numbers are
// literals from include/uapi/linux/if_link.h and if_tunnel.h, as in test/netlink.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execute, parse, type ExecutionResult } from "graphql";
import { gwInterface } from "../../src/api/ghostwire/interfaces.ts";
import { Lookup } from "../../src/api/ghostwire/lookup.ts";
import { renderLs } from "../../src/cli/render/ls-tree.ts";
import { makeStyle } from "../../src/cli/render/style.ts";
import { toInterface } from "../../src/discovery/network/interfaces.ts";
import { relate, type RelationNamespace } from "../../src/discovery/network/relations.ts";
import { relateTunnelUnderlays, sendsFrom, type TunnelNamespace } from "../../src/discovery/network/tunnel-underlay.ts";
import { indexTopology } from "../../src/model/index-topology.ts";
import { interfaceKey, type NetnsKey } from "../../src/model/keys.ts";
import type { NetworkInterface, NetworkNamespace } from "../../src/model/topology.ts";
import { type RtLink, decodeLink } from "../../src/netlink/index.ts";
import { Store } from "../../src/store/index.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { TopologyBuilder } from "../model/build-topology.ts";
import { AlertsDouble } from "../schema-graphql/alerts-double.ts";
import { data, schema } from "../schema-graphql/fixture.ts";
import { attr, be16, be32, cstr, ifinfomsg, ip4, le16, le32, macb, msg, nest, single } from "../netlink/bytes.ts";

const IFLA_IFNAME = 3;
const IFLA_LINK = 5;
const IFLA_MASTER = 10;
const IFLA_LINKINFO = 18;
const IFLA_NUM_VF = 21;
const IFLA_VFINFO_LIST = 22;
const IFLA_LINK_NETNSID = 37;

interface LinkSpec {
  index: number;
  name: string;
  kind?: string;
  data?: number[][];
  slaveKind?: string;
  link?: number;
  linkNetnsid?: number;
  master?: number;
  extra?: number[][];
}

function link(o: LinkSpec): RtLink {
  const info: number[][] = [];
  if (o.kind) info.push(attr(1, cstr(o.kind)));
  if (o.data) info.push(nest(2, ...o.data));
  if (o.slaveKind) info.push(attr(4, cstr(o.slaveKind)));
  return decodeLink(
    single(
      msg(
        { type: 16 },
        ifinfomsg({ type: 1, index: o.index, flags: 0x11043 }),
        attr(IFLA_IFNAME, cstr(o.name)),
        ...(o.link !== undefined ? [attr(IFLA_LINK, le32(o.link))] : []),
        ...(o.linkNetnsid !== undefined ? [attr(IFLA_LINK_NETNSID, le32(o.linkNetnsid))] : []),
        ...(o.master !== undefined ? [attr(IFLA_MASTER, le32(o.master))] : []),
        ...(o.extra ?? []),
        ...(info.length > 0 ? [nest(IFLA_LINKINFO, ...info)] : []),
      ),
    ),
  );
}

const HOST = "netns:00000000-0000-0000-0000-000000000000:1" as NetnsKey;
const POD = "netns:00000000-0000-0000-0000-000000000000:2" as NetnsKey;

/** One namespace as relate() sees it: its links, turned into interfaces. */
function subject(netns: NetnsKey, links: RtLink[], nsids: [number, NetnsKey | null][] = []): RelationNamespace & { key: NetnsKey; ifaces: NetworkInterface[] } {
  const ifaces = links.map((l) => toInterface(netns, l, null));
  return { key: netns, links, byIndex: new Map(ifaces.map((i) => [i.index, i])), nsids: new Map(nsids), ifaces };
}

/** Relates every namespace, as a one-shot discovery does. */
function relateAll(...subjects: (RelationNamespace & { key: NetnsKey })[]): void {
  const keys = subjects.map((s) => s.key);
  relate(new Set(keys), keys, (k) => subjects.find((s) => s.key === k));
}

// The host: eth0 (2) and eth1 (3) as bond0's (10) members, an ipvlan (4) on eth0, a vrf (5) holding
// eth2 (6), a team (7) and a wireguard device (8); a GRE tunnel bound to eth0 (9); a netkit pair's
// primary end (11) whose peer (2) lives in the pod, known as NSID 0.
const hostLinks = () => [
  link({ index: 2, name: "eth0", master: 10, slaveKind: "bond", extra: [] }),
  link({ index: 3, name: "eth1", master: 10, slaveKind: "bond" }),
  link({ index: 4, name: "ipvl0", kind: "ipvlan", link: 2, data: [attr(1, le16(1)), attr(2, le16(0))] }),
  link({ index: 5, name: "blue", kind: "vrf", data: [attr(1, le32(100))] }),
  link({ index: 6, name: "eth2", master: 5, slaveKind: "vrf" }),
  link({ index: 7, name: "team0", kind: "team" }),
  link({ index: 8, name: "wg0", kind: "wireguard" }),
  link({ index: 9, name: "gre1", kind: "gre", data: [attr(1, le32(2)), attr(2, be16(0x2000)), attr(3, be16(0)), attr(4, be32(7)), attr(5, be32(0)), attr(6, ip4("192.0.2.1")), attr(7, ip4("198.51.100.1")), attr(8, [64])] }),
  link({
    index: 10,
    name: "bond0",
    kind: "bond",
    data: [attr(1, [1]), attr(2, le32(3)), attr(3, le32(100)), attr(4, le32(0)), attr(5, le32(0)), attr(14, [0]), attr(18, le32(1))],
  }),
  link({ index: 11, name: "nk0", kind: "netkit", link: 2, linkNetnsid: 0, data: [attr(2, [1]), attr(3, le32(0)), attr(5, le32(1)), attr(4, le32(2))] }),
];
const podLinks = () => [link({ index: 2, name: "nk1", kind: "netkit", link: 11, linkNetnsid: 0, data: [attr(2, [0]), attr(3, le32(2)), attr(5, le32(1))] })];

describe("kinds, details and relations of the kinds the test kernel lacks", () => {
  const host = subject(HOST, hostLinks(), [[0, POD]]);
  const pod = subject(POD, podLinks(), [[0, HOST]]);
  relateAll(host, pod);
  const h = (i: number) => host.byIndex.get(i)!;

  test("each link gets its model kind and the kernel's kind word", () => {
    expect(host.ifaces.map((i) => [i.name, i.kind, i.driverKind])).toEqual([
      ["eth0", "physical", null],
      ["eth1", "physical", null],
      ["ipvl0", "ipvlan", "ipvlan"],
      ["blue", "vrf", "vrf"],
      ["eth2", "physical", null],
      ["team0", "team", "team"],
      ["wg0", "wireguard", "wireguard"],
      ["gre1", "gre", "gre"],
      ["bond0", "bond", "bond"],
      ["nk0", "netkit", "netkit"],
    ]);
  });

  test("bond: mode and the active member as a key; members and their controller", () => {
    expect(h(10).details).toEqual({
      kind: "bond",
      mode: "active-backup",
      activeMember: interfaceKey(HOST, 3),
      primary: null,
      miimon: 100,
      updelay: 0,
      downdelay: 0,
      minLinks: 1,
      xmitHashPolicy: "layer2",
    });
    expect(h(10).relations.members).toEqual([interfaceKey(HOST, 2), interfaceKey(HOST, 3)]);
    expect(h(2).relations.controller).toBe(h(10).key);
    expect(h(2).portKind).toBe("bond");
  });

  test("ipvlan: l3 bridge on its lower device", () => {
    expect(h(4).details).toEqual({ kind: "ipvlan", mode: "l3", flags: "bridge", ipvtap: false });
    expect(h(4).relations.master).toBe(h(2).key);
    expect(h(2).relations.slaves).toEqual([h(4).key]);
  });

  test("vrf: its table and members; team and wireguard: the kind, no details", () => {
    expect(h(5).details).toEqual({ kind: "vrf", table: 100 });
    expect(h(5).relations.members).toEqual([h(6).key]);
    expect(h(7).details).toEqual({ kind: "none" });
    expect(h(8).details).toEqual({ kind: "none" });
  });

  test("gre bound to a device: that device is its underlay; the input key is set, the output key is not", () => {
    expect(h(9).details).toEqual({ kind: "gre", local: "192.0.2.1", remote: "198.51.100.1", inputKey: 7, outputKey: null, ttl: 64, tos: null, pmtudisc: null, encapLimit: null, collectMetadata: false });
    expect(h(9).relations.underlay).toBe(h(2).key);
    expect(h(2).relations.overlays).toEqual([h(9).key]);
  });

  test("netkit: the peer across namespaces by NSID, both ways, like veth", () => {
    const nk1 = pod.byIndex.get(2)!;
    expect(h(11).relations.peer).toBe(nk1.key);
    expect(nk1.relations.peer).toBe(h(11).key);
    expect(h(11).details).toEqual({ kind: "netkit", mode: "l3", primary: true, policy: "forward", peerPolicy: "blackhole" });
    expect(nk1.details).toEqual({ kind: "netkit", mode: "l3", primary: false, policy: "blackhole", peerPolicy: null });
  });

  test("an SR-IOV PF: IFLA_NUM_VF and each VF's settings on its physical details; a NIC without VFs has none", () => {
    const vf = (n: number, mac: string, vlan: number) =>
      nest(1, attr(1, le32(n), macb(mac), new Array(26).fill(0)), attr(2, le32(n), le32(vlan), le32(0)), attr(5, le32(n), le32(0)), attr(4, le32(n), le32(1)));
    const pf = toInterface(HOST, link({ index: 12, name: "enp1s0f0", extra: [attr(IFLA_NUM_VF, le32(2)), nest(IFLA_VFINFO_LIST, vf(0, "02:00:00:00:00:10", 100), vf(1, "02:00:00:00:00:11", 0))] }), {
      driver: "ixgbe",
      version: "",
      fwVersion: "",
      busInfo: "0000:03:00.0",
      sriov: null,
    });
    expect(pf.details).toMatchObject({ kind: "physical", driver: "ixgbe", busInfo: "0000:03:00.0", numVfs: 2 });
    expect(pf.details.kind === "physical" && pf.details.virtualFunctions).toEqual([
      { vf: 0, mac: "02:00:00:00:00:10", vlan: 100, qos: 0, vlanProtocol: null, minTxRate: null, maxTxRate: null, spoofCheck: true, linkState: "auto", trust: null },
      { vf: 1, mac: "02:00:00:00:00:11", vlan: 0, qos: 0, vlanProtocol: null, minTxRate: null, maxTxRate: null, spoofCheck: true, linkState: "auto", trust: null },
    ]);
    // Every PCI netdev sends IFLA_NUM_VF, 0 when it has no VFs.
    const plainNic = toInterface(HOST, link({ index: 13, name: "eth9", extra: [attr(IFLA_NUM_VF, le32(0))] }), null);
    expect(plainNic.details).toMatchObject({ numVfs: null, virtualFunctions: null });
  });
});

describe("a tunnel that names no device: its underlay is where the route to its remote leads", () => {
  const WORD = { geneve: "geneve", gre: "gre", iptunnel: "ipip" } as const;
  function lab() {
    const b = new TopologyBuilder();
    const host = b.ns("host", { initial: true });
    const eth0 = b.iface(host, "eth0", "physical", ["192.0.2.10/24"]);
    const eth1 = b.iface(host, "eth1", "physical", ["203.0.113.10/24"]);
    b.route(host, "default", { via: "192.0.2.1", dev: eth0 });
    b.route(host, "198.51.100.0/24", { via: "203.0.113.1", dev: eth1 });
    /** Per namespace: the links relate() and the tunnel pass read (the tunnels'). */
    const links = new Map<NetnsKey, RtLink[]>();
    const tunnel = (name: string, kind: keyof typeof WORD, remote: string | null, o: { ns?: NetworkNamespace; dev?: NetworkInterface; linkNetnsid?: number } = {}) => {
      const ns = o.ns ?? host;
      const t = b.iface(ns, name, kind);
      t.details =
        kind === "geneve"
          ? { kind, vni: 1, remote, port: 6081, ttl: null, tos: null, collectMetadata: remote === null }
          : kind === "gre"
            ? { kind, local: null, remote, inputKey: null, outputKey: null, ttl: null, tos: null, pmtudisc: null, encapLimit: null, collectMetadata: false }
            : { kind, local: null, remote, ttl: null, tos: null, pmtudisc: null, protocol: 4, encapLimit: null, collectMetadata: false };
      const data = { kind: WORD[kind], ...(remote ? { remote } : {}), ...(o.dev ? { link: o.dev.index } : {}) } as RtLink["data"];
      const l: RtLink = { family: 0, type: 1, index: t.index, flags: 0, change: 0, kind: WORD[kind], data };
      if (o.linkNetnsid !== undefined) l.linkNetnsid = o.linkNetnsid;
      links.set(ns.key, [...(links.get(ns.key) ?? []), l]);
      return t;
    };
    const view = (k: NetnsKey): TunnelNamespace | undefined => {
      const ns = b.namespaces.find((n) => n.key === k);
      return ns && { links: links.get(k) ?? [], byIndex: new Map(ns.interfaces.map((i) => [i.index, i])), nsids: new Map(ns.nsids.map((n) => [n.nsid, n.netns])), routes: ns.routes };
    };
    /** relate(), then the tunnel pass, for the affected namespaces (all by default), as the assembly runs them. */
    const relateNow = (affected: NetnsKey[] = b.namespaces.map((n) => n.key)) => {
      const sources = b.namespaces.map((n) => n.key);
      relate(new Set(affected), sources, view);
      relateTunnelUnderlays(new Set(affected), sources, view);
    };
    return { b, host, eth0, eth1, tunnel, view, relateNow };
  }

  test("geneve, gre and ipip by longest prefix; the default route too; no remote, no underlay", () => {
    const { eth0, eth1, tunnel, relateNow } = lab();
    const gnv = tunnel("gnv0", "geneve", "198.51.100.9");
    const gre = tunnel("gre0", "gre", "198.51.100.77");
    const ipip = tunnel("ipip0", "iptunnel", "8.8.8.8");
    const external = tunnel("gnvx", "geneve", null);
    relateNow();
    expect(gnv.relations.underlay).toBe(eth1.key);
    expect(gre.relations.underlay).toBe(eth1.key);
    expect(ipip.relations.underlay).toBe(eth0.key);
    expect(external.relations.underlay).toBeNull();
    expect(eth1.relations.overlays).toEqual([gnv.key, gre.key]);
    expect(eth0.relations.overlays).toEqual([ipip.key]);
  });

  test("a device the tunnel's data names is its underlay, not the route; a remote without a unicast route gets none", () => {
    const { b, host, eth0, tunnel, relateNow } = lab();
    const bound = tunnel("gre1", "gre", "198.51.100.5", { dev: eth0 }); // the route would say eth1
    b.route(host, "10.99.0.0/16", { type: "blackhole" });
    const blackholed = tunnel("gre2", "gre", "10.99.1.1");
    relateNow();
    expect(bound.relations.underlay).toBe(eth0.key);
    expect(eth0.relations.overlays).toEqual([bound.key]);
    expect(blackholed.relations.underlay).toBeNull();
  });

  test("a tunnel moved into another namespace looks the route up where it sends from (its link NSID)", () => {
    const { b, host, eth1, tunnel, relateNow } = lab();
    const pod = b.ns("pod");
    pod.nsids.push({ nsid: 3, netns: host.key });
    const t = tunnel("gnv1", "geneve", "198.51.100.9", { ns: pod, linkNetnsid: 3 });
    relateNow();
    expect(t.relations.underlay).toBe(eth1.key);
    expect(eth1.relations.overlays).toEqual([t.key]);
  });

  test("per change: the sending namespace's routes changed, so the tunnel's namespace (not read again) is related anew too", () => {
    const { b, host, eth0, eth1, tunnel, view, relateNow } = lab();
    const pod = b.ns("pod");
    pod.nsids.push({ nsid: 3, netns: host.key });
    const t = tunnel("gnv1", "geneve", "198.51.100.9", { ns: pod, linkNetnsid: 3 });
    relateNow();
    // The host re-read: its route to the remote now leaves by eth0. Its tunnels' namespaces
    // (those sending from it) are what the assembly adds to the affected ones.
    host.routes = host.routes.filter((r) => r.destination !== "198.51.100.0");
    expect(sendsFrom(pod.key, view(pod.key)!, host.key)).toBe(true);
    expect(sendsFrom(host.key, view(host.key)!, pod.key)).toBe(false);
    relateNow([host.key]); // the host alone: the reverse end follows, the forward end stays
    expect(eth0.relations.overlays).toEqual([t.key]);
    expect(eth1.relations.overlays).toEqual([]);
    expect(t.relations.underlay).toBe(eth1.key);
    relateNow([host.key, pod.key]);
    expect(t.relations.underlay).toBe(eth0.key);
    expect(eth0.relations.overlays).toEqual([t.key]);
  });
});

/** The host and pod above as one Topology, relations resolved. */
function users() {
  const host = subject(HOST, hostLinks(), [[0, POD]]);
  const pod = subject(POD, podLinks(), [[0, HOST]]);
  relateAll(host, pod);
  const b = new TopologyBuilder();
  const hostNs = b.ns("host", { initial: true });
  const podNs = b.ns("pod");
  hostNs.key = HOST;
  podNs.key = POD;
  hostNs.interfaces = host.ifaces;
  podNs.interfaces = pod.ifaces;
  hostNs.nsids = [{ nsid: 0, netns: POD }];
  podNs.nsids = [{ nsid: 0, netns: HOST }];
  return { topology: b.build(), hostNs, host };
}

describe("what users see of them", () => {
  const { topology, hostNs, host } = users();

  test("ls: each kind with what tells it apart; members under their bond, the active one marked", () => {
    const out = renderLs(indexTopology(topology), { routes: false, style: makeStyle(false) });
    expect(out).toContain("bond0  bond(active-backup)");
    expect(out).toContain("│  ├─ ● eth0  physical  UNKNOWN\n│  │  └─ ● ipvl0  ipvlan(l3 bridge)".replace(/\n/, "\n  "));
    expect(out).toContain("│  └─ ● eth1  physical  UNKNOWN  active");
    expect(out).toContain("blue  vrf(table 100)");
    expect(out).toContain("gre1  gre(remote 198.51.100.1)  UNKNOWN  via eth0");
    expect(out).toContain("nk0  netkit(l3, primary)  UNKNOWN  ⇄ nk1 @ pod");
    expect(out).toContain("nk1  netkit(l3)  UNKNOWN  ⇄ nk0 @ host");
    expect(out).toContain("wg0  wireguard");
    expect(out).toContain("team0  team");
  });

  test("Ghostwire: the kernel's kind word; members and stacked devices as slaves, their controller as master", () => {
    const lookup = new Lookup(topology);
    const gw = (name: string) => gwInterface(hostNs, host.ifaces.find((x) => x.name === name)!, lookup);
    expect(gw("bond0")).toMatchObject({ kind: "bond", slaves: [{ name: "eth0" }, { name: "eth1" }] });
    expect(gw("eth1")).toMatchObject({ kind: "", master: { name: "bond0" } });
    expect(gw("eth0").slaves?.map((s) => s.name)).toEqual(["ipvl0", "gre1"]);
    expect(gw("nk0")).toMatchObject({ kind: "netkit", peer: { "peer-name": "nk1" } });
  });
});

describe("GraphQL and the history", () => {
  const dir = mkdtempSync(join(tmpdir(), "wiresight-kinds-"));
  const store = Store.open(join(dir, "h.db"));
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const live = new LiveDouble(store, users().topology);
  const ctx = { live, store, alerts: new AlertsDouble(), baseUrl: "http://127.0.0.1:5000" };
  const run = async (q: string) => (await execute({ schema, document: parse(q), contextValue: ctx })) as ExecutionResult<any>;

  test("a type per kind, filtered by the new kind names; the bond's active member is an Interface", async () => {
    const r = data(
      await run(`{
        interfaces(filter: { kinds: [BOND, IPVLAN, VRF, GRE, NETKIT, TEAM, WIREGUARD] }) {
          nodes {
            __typename name kind driverKind
            ... on BondInterface { details { mode activeMember { name } primary { name } miimon xmitHashPolicy } members { name } }
            ... on IpvlanInterface { details { mode flags ipvtap } master { name } }
            ... on VrfInterface { details { table } members { name } }
            ... on GreInterface { details { remote inputKey outputKey } underlay { name } }
            ... on NetkitInterface { details { mode primary policy peerPolicy } peer { name } }
          }
        }
      }`),
    );
    const byName = Object.fromEntries(r.interfaces.nodes.map((n: any) => [n.name, n]));
    expect(Object.keys(byName).sort()).toEqual(["blue", "bond0", "gre1", "ipvl0", "nk0", "nk1", "team0", "wg0"]);
    expect(byName.bond0).toEqual({
      __typename: "BondInterface",
      name: "bond0",
      kind: "BOND",
      driverKind: "bond",
      details: { mode: "ACTIVE_BACKUP", activeMember: { name: "eth1" }, primary: null, miimon: 100, xmitHashPolicy: "LAYER2" },
      members: [{ name: "eth0" }, { name: "eth1" }],
    });
    expect(byName.ipvl0).toMatchObject({ __typename: "IpvlanInterface", details: { mode: "L3", flags: "BRIDGE", ipvtap: false }, master: { name: "eth0" } });
    expect(byName.blue).toMatchObject({ __typename: "VrfInterface", details: { table: 100 }, members: [{ name: "eth2" }] });
    expect(byName.gre1).toMatchObject({ __typename: "GreInterface", details: { remote: "198.51.100.1", inputKey: 7, outputKey: null }, underlay: { name: "eth0" } });
    expect(byName.nk0).toMatchObject({ __typename: "NetkitInterface", details: { mode: "L3", primary: true, policy: "FORWARD", peerPolicy: "BLACKHOLE" }, peer: { name: "nk1" } });
    expect(byName.team0.__typename).toBe("TeamInterface");
    expect(byName.wg0.__typename).toBe("WireguardInterface");
  });

  test("the store gives the new kinds back as recorded", () => {
    const back = store.at({ revision: live.current().revision })!;
    const bond = back.namespaces.flatMap((n) => n.interfaces).find((i) => i.name === "bond0")!;
    expect(bond.kind).toBe("bond");
    expect(bond.details).toEqual(users().topology.namespaces[0]!.interfaces.find((i) => i.name === "bond0")!.details);
  });
});
