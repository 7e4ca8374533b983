// The decoder against the real kernel: fixtures/kernel-6.18.json holds rtnetlink replies captured
// from Linux 6.18 in a scratch namespace (veth pairs — one to another namespace —, bridge and
// port, macvlan, macvtap, vxlan v4/v6/unicast, tun, tap, addresses, routes in several tables,
// multipath, RTA_VIA, NSIDs, an extack error) by fixtures/capture.py, together with what iproute2
// printed (`ip -j -d`) for the same state. Decoding those bytes must give what `ip` shows.

import { describe, expect, test } from "bun:test";
import {
  AF_INET6,
  NLMSG_DONE,
  NLMSG_ERROR,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWNSID,
  RTM_NEWROUTE,
  RT_TABLE_MAIN,
  type NetlinkMessage,
  type RtAddr,
  type RtLink,
  type RtRoute,
  addressFlagNames,
  decodeAddress,
  decodeDone,
  decodeError,
  decodeLink,
  decodeNsid,
  decodeRoute,
  ifFlagNames,
  operstateName,
  parseMessages,
  routePrefName,
  routeProtocolName,
  routeTableName,
  routeTypeName,
  scopeName,
} from "../../src/netlink/index.ts";
import fixture from "./fixtures/kernel-6.18.json";
import { hex } from "./bytes.ts";

type Json = Record<string, any>;
const ip = fixture.ip as { link: Json[]; addr: Json[]; route4: Json[]; route6: Json[] };

function messages(name: keyof typeof fixture.messages): NetlinkMessage[] {
  return fixture.messages[name].flatMap((h: string) => parseMessages(hex(h)));
}

const links = messages("links").filter((m) => m.type === RTM_NEWLINK).map(decodeLink);
const nameOf = new Map(links.map((l) => [l.index, l.ifname]));

/** Only the keys the other side has an opinion on: ours and theirs, restricted to `keys`. */
function pick(o: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

const LINK_TYPES: Record<number, string> = { 1: "ether", 772: "loopback", 0xfffe: "none" };
const LINK_KEYS = [
  "ifindex", "ifname", "flags", "mtu", "operstate", "txqlen", "link_type", "address", "broadcast", "promiscuity",
  "num_tx_queues", "num_rx_queues", "master", "link", "link_index", "link_netnsid", "ifalias",
];

// How iproute2's print_linkinfo would show what we decoded.
function asIpLink(l: RtLink): Json {
  const o: Json = {
    ifindex: l.index, ifname: l.ifname, flags: ifFlagNames(l.flags), mtu: l.mtu, operstate: operstateName(l.operstate!),
    txqlen: l.txqlen, link_type: LINK_TYPES[l.type], address: l.address, broadcast: l.broadcast,
    promiscuity: l.promiscuity, num_tx_queues: l.numTxQueues, num_rx_queues: l.numRxQueues, ifalias: l.ifalias,
    master: l.master === undefined ? undefined : nameOf.get(l.master),
  };
  if (l.link !== undefined && l.linkNetnsid !== undefined) Object.assign(o, { link_index: l.link, link_netnsid: l.linkNetnsid });
  else if (l.link !== undefined) o.link = nameOf.get(l.link);
  return o;
}

function asIpInfoData(l: RtLink): Json | undefined {
  const d = l.data;
  switch (d?.kind) {
    case "bridge":
      return {
        forward_delay: d.forwardDelay, hello_time: d.helloTime, max_age: d.maxAge, ageing_time: d.ageingTime,
        stp_state: d.stpState, priority: d.priority, vlan_filtering: Number(d.vlanFiltering), bridge_id: d.bridgeId,
        group_addr: d.groupAddr,
      };
    case "macvlan":
    case "macvtap":
      return { mode: d.modeName };
    case "vxlan": {
      const multicast = (a?: string) => a !== undefined && (a.startsWith("ff") || Number(a.split(".")[0]) >= 224);
      return {
        id: d.vni,
        [multicast(d.group) ? "group" : "remote"]: d.group,
        [multicast(d.group6) ? "group6" : "remote6"]: d.group6,
        local: d.local, local6: d.local6, link: d.link === undefined ? undefined : nameOf.get(d.link),
        port_range: d.portRange, port: d.port, learning: d.learning, ttl: d.ttl, ageing: d.ageing, udp_csum: d.udpCsum,
        // iproute2 prints these only when set
        proxy: d.proxy || undefined, l2miss: d.l2miss || undefined, l3miss: d.l3miss || undefined,
        limit: d.limit || undefined, tos: d.tos ? `0x${d.tos.toString(16)}` : undefined,
        df: ["unset", "set", "inherit"][d.df!],
      };
    }
    case "tun":
      return {
        type: d.type, pi: d.pi, vnet_hdr: d.vnetHdr, multi_queue: d.multiQueue, persist: d.persist,
        numqueues: d.numQueues, numdisabled: d.numDisabledQueues,
      };
    default:
      return undefined;
  }
}

// iproute2 prints bridge ids with ether_ntoa, which drops leading zeros ("8000.2:ec:e:fa:9:39");
// we zero-pad the MAC part like every other MAC.
function ipInfoData(theirs: Json): Json {
  const d = { ...theirs.linkinfo.info_data };
  if (typeof d.bridge_id === "string") {
    const [prio, addr] = d.bridge_id.split(".");
    d.bridge_id = `${prio}.${addr.split(":").map((b: string) => b.padStart(2, "0")).join(":")}`;
  }
  return d;
}

describe("links from the kernel", () => {
  test("the capture covers every kind", () => {
    expect(new Set(links.map((l) => l.kind))).toEqual(new Set([undefined, "bridge", "veth", "macvlan", "macvtap", "vxlan", "tun"]));
    expect(links.length).toBe(ip.link.length);
  });

  for (const theirs of ip.link) {
    test(`${theirs.ifname}: as ip -d link shows it`, () => {
      const ours = links.find((l) => l.index === theirs.ifindex)!;
      expect(ours).toBeDefined();
      expect(pick(asIpLink(ours), LINK_KEYS)).toEqual(pick(theirs, LINK_KEYS));
      expect(ours.kind).toBe(theirs.linkinfo?.info_kind);
      expect(ours.slaveKind).toBe(theirs.linkinfo?.info_slave_kind);
      const data = asIpInfoData(ours);
      if (data) expect(pick(data, Object.keys(data))).toEqual(pick(ipInfoData(theirs), Object.keys(data)));
      else if (ours.kind !== "veth") expect(theirs.linkinfo?.info_data).toBeUndefined();
    });
  }
});

describe("addresses from the kernel", () => {
  const addrs = messages("addrs").filter((m) => m.type === RTM_NEWADDR).map(decodeAddress);
  const theirs = ip.addr.flatMap((l) => l.addr_info.map((a: Json) => ({ ...a, ifindex: l.ifindex })));

  function asIpAddr(a: RtAddr): Json {
    const v6 = a.family === AF_INET6;
    const local = a.local ?? a.address;
    // `ip` never says "permanent"; it says "dynamic" when IFA_F_PERMANENT (0x80) is clear.
    const flags = addressFlagNames(a.flags, a.family).filter((f) => f !== "permanent");
    if (!(a.flags & 0x80)) flags.push("dynamic");
    return {
      ifindex: a.index, family: v6 ? "inet6" : "inet", local, prefixlen: a.prefixlen,
      address: a.local && a.address !== a.local ? a.address : undefined, broadcast: a.broadcast,
      scope: scopeName(a.scope), label: a.label, flags: flags.sort(),
      valid_life_time: a.cacheinfo?.valid, preferred_life_time: a.cacheinfo?.preferred,
    };
  }

  test("the same addresses, with the same fields", () => {
    expect(addrs.length).toBe(theirs.length);
    for (const t of theirs) {
      const ours = addrs.map(asIpAddr).find((a) => a.ifindex === t.ifindex && a.local === t.local && a.family === t.family);
      expect(ours).toBeDefined();
      const flags = Object.keys(t).filter((k) => t[k] === true).sort();
      const keys = ["family", "local", "prefixlen", "address", "broadcast", "scope", "label"];
      expect({ ...pick(ours!, keys), flags: ours!.flags }).toEqual({ ...pick(t, keys), flags });
      // Lifetimes count down between the capture and `ip`: allow a couple of seconds.
      for (const k of ["valid_life_time", "preferred_life_time"]) expect(Math.abs(ours![k] - t[k])).toBeLessThanOrEqual(2);
    }
  });
});

describe("routes from the kernel", () => {
  // How iproute2's print_route shows a route (without -d: proto boot and global scope are implied).
  function asIpRoute(r: RtRoute): Json {
    const full = r.family === AF_INET6 ? 128 : 32;
    const dev = (i?: number) => (i === undefined ? undefined : nameOf.get(i));
    return {
      type: r.type === 1 ? undefined : routeTypeName(r.type),
      dst: r.dstLen === 0 ? "default" : r.dstLen === full ? r.dst : `${r.dst}/${r.dstLen}`,
      gateway: r.gateway,
      via: r.via && { family: r.via.family === AF_INET6 ? "inet6" : "inet", host: r.via.address },
      dev: dev(r.oif),
      table: r.table === RT_TABLE_MAIN ? undefined : routeTableName(r.table),
      protocol: r.protocol === 3 || r.protocol === 0 ? undefined : routeProtocolName(r.protocol),
      scope: r.scope === 0 ? undefined : scopeName(r.scope),
      prefsrc: r.prefsrc,
      metric: r.priority,
      metrics: r.metrics && [r.metrics],
      pref: r.pref === undefined ? undefined : routePrefName(r.pref),
      nexthops: r.multipath?.map((h) => ({ gateway: h.gateway, dev: dev(h.oif), weight: h.weight, flags: [] })),
    };
  }
  const KEYS = ["type", "dst", "gateway", "via", "dev", "table", "protocol", "scope", "prefsrc", "metric", "metrics", "pref", "nexthops"];

  for (const [name, theirs] of [["routes4", ip.route4], ["routes6", ip.route6]] as const) {
    test(`${name}: in dump order, as ip -j route show table all`, () => {
      const ours = messages(name).filter((m) => m.type === RTM_NEWROUTE).map(decodeRoute);
      expect(ours.map((r) => pick(asIpRoute(r), KEYS))).toEqual(theirs.map((r) => pick(r, KEYS)));
    });
  }

  test("the capture has what the byte tests model: table > 255, multipath v4 and v6, RTA_VIA, RTA_PREF", () => {
    const all = [...messages("routes4"), ...messages("routes6")].filter((m) => m.type === RTM_NEWROUTE).map(decodeRoute);
    expect(all.some((r) => r.table === 1000)).toBe(true);
    expect(all.filter((r) => r.multipath).map((r) => r.family).sort((a, b) => a - b)).toEqual([2, 10]);
    expect(all.some((r) => r.via?.address === "fe80::1")).toBe(true);
    expect(all.some((r) => r.pref === 1)).toBe(true);
  });
});

describe("other kernel answers", () => {
  test("every dump ends in NLMSG_DONE with error 0", () => {
    for (const name of ["links", "addrs", "routes4", "routes6", "nsids"] as const) {
      const last = messages(name).at(-1)!;
      expect(last.type).toBe(NLMSG_DONE);
      expect(decodeDone(last)).toEqual({ error: 0 });
    }
  });

  test("NSIDs: the dump and the per-fd answer agree with IFLA_LINK_NETNSID of the veth", () => {
    const dump = messages("nsids").filter((m) => m.type === RTM_NEWNSID).map(decodeNsid);
    const [byFd] = messages("nsid-of-peer").map(decodeNsid);
    const peer = links.find((l) => l.linkNetnsid !== undefined)!;
    expect(byFd).toEqual({ nsid: peer.linkNetnsid! });
    expect(dump).toContainEqual({ nsid: peer.linkNetnsid! });
  });

  test("a refused RTM_NEWLINK: -EOPNOTSUPP with the extack message, full and capped echo", () => {
    for (const name of ["error", "error-capped"] as const) {
      const [m] = messages(name);
      expect(m!.type).toBe(NLMSG_ERROR);
      expect(decodeError(m!)).toEqual({ error: -95, message: "Unknown device type" });
    }
  });
});
