// decodeLink on byte-exact RTM_NEWLINK messages of the kinds the test kernel has no module for
// (ipvlan, bond, vrf, geneve, GRE and IP-in-IP tunnels, netkit) and of an SR-IOV PF's VF list.
// Attribute numbers and struct layouts are literals from the kernel's include/uapi/linux/if_link.h
// and if_tunnel.h (names in comments), built by bytes.ts, which is independent of the codec. What
// each kind's fill_info sends (attribute sizes, byte orders) follows the kernel's drivers; the
// words (modes, states, policies) are the ones `ip -d -j link show` prints for the same bytes.

import { describe, expect, test } from "bun:test";
import { NetlinkDecodeError, decodeLink } from "../../src/netlink/index.ts";
import { attr, be16, be32, cstr, ifinfomsg, ip4, ip6, le16, le32, macb, msg, nest, single } from "./bytes.ts";

const RTM_NEWLINK = 16;
const IFLA_IFNAME = 3;
const IFLA_LINK = 5;
const IFLA_MASTER = 10;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_INFO_SLAVE_KIND = 4;
const IFLA_INFO_SLAVE_DATA = 5;

/** One link message: ifinfomsg, IFLA_IFNAME, extra attributes, then IFLA_LINKINFO. */
function linkMsg(o: { index: number; name: string; type?: number; extra?: number[][]; linkinfo: number[][] }) {
  return decodeLink(
    single(
      msg(
        { type: RTM_NEWLINK },
        ifinfomsg({ type: o.type ?? 1, index: o.index, flags: 0x1043 }),
        attr(IFLA_IFNAME, cstr(o.name)),
        ...(o.extra ?? []),
        nest(IFLA_LINKINFO, ...o.linkinfo),
      ),
    ),
  );
}
const kind = (k: string) => attr(IFLA_INFO_KIND, cstr(k));
const data = (...attrs: number[][]) => nest(IFLA_INFO_DATA, ...attrs);

describe("ipvlan / ipvtap (drivers/net/ipvlan/ipvlan_main.c ipvlan_nl_fillinfo)", () => {
  test("mode l3, flags private; the lower device is IFLA_LINK", () => {
    const l = linkMsg({
      index: 5,
      name: "ipvl0",
      extra: [attr(IFLA_LINK, le32(2))],
      // IFLA_IPVLAN_MODE (1) u16 IPVLAN_MODE_L3 (1); IFLA_IPVLAN_FLAGS (2) u16 IPVLAN_F_PRIVATE (1)
      linkinfo: [kind("ipvlan"), data(attr(1, le16(1)), attr(2, le16(1)))],
    });
    // ip -d -j: "info_kind":"ipvlan","info_data":{"mode":"l3","flags":"private"}
    expect(l.link).toBe(2);
    expect(l.data).toEqual({ kind: "ipvlan", mode: 1, modeName: "l3", flags: 1, flagsName: "private" });
  });

  test("ipvtap in l2 bridge mode (no flag), l3s and vepa by name", () => {
    const l = linkMsg({ index: 6, name: "ipvt0", linkinfo: [kind("ipvtap"), data(attr(1, le16(0)), attr(2, le16(0)))] });
    expect(l.data).toEqual({ kind: "ipvtap", mode: 0, modeName: "l2", flags: 0, flagsName: "bridge" });
    const l3s = linkMsg({ index: 7, name: "ipvl1", linkinfo: [kind("ipvlan"), data(attr(1, le16(2)), attr(2, le16(2)))] });
    expect(l3s.data).toMatchObject({ modeName: "l3s", flagsName: "vepa" });
  });

  test("a mode attribute too short for its u16 is an error", () => {
    expect(() => linkMsg({ index: 8, name: "bad", linkinfo: [kind("ipvlan"), data(attr(1, [1]))] })).toThrow(NetlinkDecodeError);
  });
});

describe("bond (drivers/net/bonding/bond_netlink.c bond_fill_info / bond_fill_slave_info)", () => {
  test("active-backup bond with its active member, timers and hash policy", () => {
    const l = linkMsg({
      index: 10,
      name: "bond0",
      linkinfo: [
        kind("bond"),
        data(
          attr(1, [1]), // IFLA_BOND_MODE u8 BOND_MODE_ACTIVEBACKUP
          attr(2, le32(11)), // IFLA_BOND_ACTIVE_SLAVE u32 ifindex
          attr(3, le32(100)), // IFLA_BOND_MIIMON u32 ms
          attr(4, le32(200)), // IFLA_BOND_UPDELAY
          attr(5, le32(0)), // IFLA_BOND_DOWNDELAY
          attr(6, [1]), // IFLA_BOND_USE_CARRIER u8 (not kept)
          attr(14, [1]), // IFLA_BOND_XMIT_HASH_POLICY u8 BOND_XMIT_POLICY_LAYER34
          attr(18, le32(1)), // IFLA_BOND_MIN_LINKS
          attr(11, le32(12)), // IFLA_BOND_PRIMARY u32 ifindex
        ),
      ],
    });
    // ip -d -j: "mode":"active-backup","active_slave":…,"miimon":100,"updelay":200,"downdelay":0,
    // "min_links":1,"xmit_hash_policy":"layer3+4","primary":…
    expect(l.data).toEqual({
      kind: "bond",
      mode: 1,
      modeName: "active-backup",
      activeSlave: 11,
      primary: 12,
      miimon: 100,
      updelay: 200,
      downdelay: 0,
      minLinks: 1,
      xmitHashPolicy: "layer3+4",
    });
  });

  test("802.3ad bond: the aggregator in IFLA_BOND_AD_INFO", () => {
    const l = linkMsg({
      index: 20,
      name: "bond1",
      linkinfo: [
        kind("bond"),
        data(
          attr(1, [4]), // BOND_MODE_8023AD
          attr(14, [2]), // BOND_XMIT_POLICY_LAYER23
          nest(23, attr(1, le16(3)), attr(2, le16(2)), attr(3, le16(9)), attr(4, le16(1)), attr(5, macb("00:00:00:00:00:00"))), // IFLA_BOND_AD_INFO
        ),
      ],
    });
    expect(l.data).toEqual({ kind: "bond", mode: 4, modeName: "802.3ad", xmitHashPolicy: "layer2+3", adAggregator: 3, adNumPorts: 2 });
  });

  test("a member: IFLA_MASTER, slave kind bond and its state", () => {
    const l = linkMsg({
      index: 11,
      name: "eth1",
      extra: [attr(IFLA_MASTER, le32(10))],
      linkinfo: [
        attr(IFLA_INFO_SLAVE_KIND, cstr("bond")),
        nest(
          IFLA_INFO_SLAVE_DATA,
          attr(1, [0]), // IFLA_BOND_SLAVE_STATE BOND_STATE_ACTIVE
          attr(2, [0]), // IFLA_BOND_SLAVE_MII_STATUS BOND_LINK_UP
          attr(3, le32(2)), // IFLA_BOND_SLAVE_LINK_FAILURE_COUNT
          attr(4, macb("52:54:00:12:34:56")), // IFLA_BOND_SLAVE_PERM_HWADDR
          attr(5, le16(0)), // IFLA_BOND_SLAVE_QUEUE_ID
        ),
      ],
    });
    // ip -d -j: "info_slave_kind":"bond","info_slave_data":{"state":"ACTIVE","mii_status":"UP",
    // "link_failure_count":2,"perm_hwaddr":"52:54:00:12:34:56","queue_id":0}
    expect(l.master).toBe(10);
    expect(l.kind).toBeUndefined();
    expect(l.slaveKind).toBe("bond");
    expect(l.slaveData).toEqual({ slaveKind: "bond", state: "ACTIVE", miiStatus: "UP", linkFailureCount: 2, permHwaddr: "52:54:00:12:34:56", queueId: 0 });
  });

  test("a backup member going down", () => {
    const l = linkMsg({ index: 12, name: "eth2", linkinfo: [attr(IFLA_INFO_SLAVE_KIND, cstr("bond")), nest(IFLA_INFO_SLAVE_DATA, attr(1, [1]), attr(2, [1]))] });
    expect(l.slaveData).toEqual({ slaveKind: "bond", state: "BACKUP", miiStatus: "GOING_DOWN" });
  });

  test("team: a kind without IFLA_INFO_DATA keeps its name; its ports carry slave kind team", () => {
    const t = linkMsg({ index: 30, name: "team0", linkinfo: [kind("team")] });
    expect(t.kind).toBe("team");
    expect(t.data).toBeUndefined();
    const port = linkMsg({ index: 31, name: "eth3", extra: [attr(IFLA_MASTER, le32(30))], linkinfo: [attr(IFLA_INFO_SLAVE_KIND, cstr("team"))] });
    expect(port).toMatchObject({ master: 30, slaveKind: "team" });
    expect(port.slaveData).toBeUndefined();
  });
});

describe("vrf (drivers/net/vrf.c vrf_fillinfo / vrf_fill_slave_info)", () => {
  test("the table, on the vrf and on its members", () => {
    const v = linkMsg({ index: 40, name: "vrf-blue", linkinfo: [kind("vrf"), data(attr(1, le32(10)))] }); // IFLA_VRF_TABLE
    expect(v.data).toEqual({ kind: "vrf", table: 10 });
    const m = linkMsg({
      index: 41,
      name: "eth4",
      extra: [attr(IFLA_MASTER, le32(40))],
      linkinfo: [attr(IFLA_INFO_SLAVE_KIND, cstr("vrf")), nest(IFLA_INFO_SLAVE_DATA, attr(1, le32(10)))], // IFLA_VRF_PORT_TABLE
    });
    expect(m.slaveData).toEqual({ slaveKind: "vrf", table: 10 });
  });
});

describe("geneve (drivers/net/geneve.c geneve_fill_info)", () => {
  test("IPv4 remote: VNI host order, port and label network order, metadata flag absent", () => {
    const l = linkMsg({
      index: 50,
      name: "gnv0",
      linkinfo: [
        kind("geneve"),
        data(
          attr(1, le32(4242)), // IFLA_GENEVE_ID u32
          attr(2, ip4("198.51.100.9")), // IFLA_GENEVE_REMOTE in_addr
          attr(3, [64]), // IFLA_GENEVE_TTL
          attr(4, [0]), // IFLA_GENEVE_TOS
          attr(13, [0]), // IFLA_GENEVE_DF GENEVE_DF_UNSET
          attr(11, be32(0)), // IFLA_GENEVE_LABEL __be32
          attr(5, be16(6081)), // IFLA_GENEVE_PORT __be16
          attr(8, [1]), // IFLA_GENEVE_UDP_CSUM
          attr(12, [0]), // IFLA_GENEVE_TTL_INHERIT
        ),
      ],
    });
    // ip -d -j: "id":4242,"remote":"198.51.100.9","ttl":64,"df":"unset","port":6081,"udpcsum":true
    expect(l.data).toEqual({ kind: "geneve", vni: 4242, remote: "198.51.100.9", ttl: 64, tos: 0, df: 0, label: 0, port: 6081, udpCsum: true, ttlInherit: false });
  });

  test("IPv6 remote; external (collect metadata) is a zero-length flag", () => {
    const v6 = linkMsg({ index: 51, name: "gnv6", linkinfo: [kind("geneve"), data(attr(1, le32(7)), attr(7, ip6("2001:0db8:0000:0000:0000:0000:0000:0009")), attr(5, be16(6081)))] });
    expect(v6.data).toEqual({ kind: "geneve", vni: 7, remote: "2001:db8::9", port: 6081 });
    const ext = linkMsg({ index: 52, name: "gnvx", linkinfo: [kind("geneve"), data(attr(1, le32(0)), attr(6), attr(5, be16(6081)))] });
    expect(ext.data).toEqual({ kind: "geneve", vni: 0, collectMetadata: true, port: 6081 });
  });
});

describe("GRE (net/ipv4/ip_gre.c ipgre_fill_info, net/ipv6/ip6_gre.c ip6gre_fill_info)", () => {
  const GRE_KEY = 0x2000; // host order of __cpu_to_be16(0x2000)
  const GRE_CSUM = 0x8000;

  test("gre bound to a device, keyed one way, checksummed the other", () => {
    const l = linkMsg({
      index: 60,
      name: "gre1",
      type: 778, // ARPHRD_IPGRE
      linkinfo: [
        kind("gre"),
        data(
          attr(1, le32(2)), // IFLA_GRE_LINK u32
          attr(2, be16(GRE_KEY)), // IFLA_GRE_IFLAGS __be16
          attr(3, be16(GRE_CSUM)), // IFLA_GRE_OFLAGS __be16
          attr(4, be32(42)), // IFLA_GRE_IKEY __be32
          attr(5, be32(0)), // IFLA_GRE_OKEY: no GRE_KEY out, so not a key
          attr(6, ip4("192.0.2.1")), // IFLA_GRE_LOCAL
          attr(7, ip4("198.51.100.1")), // IFLA_GRE_REMOTE
          attr(8, [64]), // IFLA_GRE_TTL
          attr(9, [0]), // IFLA_GRE_TOS
          attr(10, [1]), // IFLA_GRE_PMTUDISC
          attr(20, le32(0)), // IFLA_GRE_FWMARK
        ),
      ],
    });
    // ip -d -j: "remote":"198.51.100.1","local":"192.0.2.1","link":…,"ttl":64,"pmtudisc":true,"ikey":"0.0.0.42","ocsum":true
    expect(l.data).toEqual({
      kind: "gre",
      link: 2,
      local: "192.0.2.1",
      remote: "198.51.100.1",
      ikey: 42,
      icsum: false,
      ocsum: true,
      iseq: false,
      oseq: false,
      ttl: 64,
      tos: 0,
      pmtudisc: true,
      fwmark: 0,
    });
  });

  test("ip6gretap: IPv6 endpoints, encapsulation limit and flow info", () => {
    const l = linkMsg({
      index: 61,
      name: "g6tap",
      linkinfo: [
        kind("ip6gretap"),
        data(
          attr(1, le32(0)),
          attr(2, be16(0)),
          attr(3, be16(0)),
          attr(4, be32(0)),
          attr(5, be32(0)),
          attr(6, ip6("fd00:0000:0000:0000:0000:0000:0000:0001")),
          attr(7, ip6("fd00:0000:0000:0000:0000:0000:0000:0002")),
          attr(8, [64]),
          attr(11, [4]), // IFLA_GRE_ENCAP_LIMIT u8
          attr(12, be32(0)), // IFLA_GRE_FLOWINFO __be32
          attr(13, le32(0)), // IFLA_GRE_FLAGS u32
        ),
      ],
    });
    expect(l.data).toEqual({ kind: "ip6gretap", link: 0, local: "fd00::1", remote: "fd00::2", icsum: false, ocsum: false, iseq: false, oseq: false, ttl: 64, encapLimit: 4, flowinfo: 0 });
  });

  test("a 3-byte address is an error, not a guess", () => {
    expect(() => linkMsg({ index: 62, name: "bad", linkinfo: [kind("gre"), data(attr(7, [1, 2, 3]))] })).toThrow(NetlinkDecodeError);
  });
});

describe("IP-in-IP (net/ipv4/ipip.c, net/ipv6/sit.c, net/ipv6/ip6_tunnel.c)", () => {
  test("ipip: endpoints, TTL, protocol, path MTU discovery", () => {
    const l = linkMsg({
      index: 70,
      name: "ipip1",
      type: 768, // ARPHRD_TUNNEL
      linkinfo: [
        kind("ipip"),
        data(
          attr(1, le32(0)), // IFLA_IPTUN_LINK
          attr(2, ip4("192.0.2.1")), // IFLA_IPTUN_LOCAL
          attr(3, ip4("203.0.113.5")), // IFLA_IPTUN_REMOTE
          attr(4, [0]), // IFLA_IPTUN_TTL (0: inherit)
          attr(5, [0]), // IFLA_IPTUN_TOS
          attr(9, [4]), // IFLA_IPTUN_PROTO IPPROTO_IPIP
          attr(10, [1]), // IFLA_IPTUN_PMTUDISC
          attr(20, le32(0)), // IFLA_IPTUN_FWMARK
        ),
      ],
    });
    expect(l.data).toEqual({ kind: "ipip", link: 0, local: "192.0.2.1", remote: "203.0.113.5", ttl: 0, tos: 0, proto: 4, pmtudisc: true, fwmark: 0 });
  });

  test("sit: IFLA_IPTUN_FLAGS is a u16 (SIT_ISATAP)", () => {
    const l = linkMsg({ index: 71, name: "sit1", linkinfo: [kind("sit"), data(attr(2, ip4("192.0.2.1")), attr(3, ip4("0.0.0.0")), attr(8, le16(1)), attr(9, [41]))] });
    expect(l.data).toEqual({ kind: "sit", local: "192.0.2.1", remote: "0.0.0.0", flags: 1, proto: 41 });
  });

  test("ip6tnl: IPv6 endpoints, encapsulation limit, flow info, u32 flags, any inner protocol", () => {
    const l = linkMsg({
      index: 72,
      name: "ip6t1",
      linkinfo: [
        kind("ip6tnl"),
        data(
          attr(1, le32(3)),
          attr(2, ip6("2001:0db8:0000:0000:0000:0000:0000:0001")),
          attr(3, ip6("2001:0db8:0000:0000:0000:0000:0000:0002")),
          attr(4, [64]),
          attr(6, [4]), // IFLA_IPTUN_ENCAP_LIMIT
          attr(7, be32(0)), // IFLA_IPTUN_FLOWINFO
          attr(8, le32(0x10000)), // IFLA_IPTUN_FLAGS u32 (IP6_TNL_F_…)
          attr(9, [0]), // IFLA_IPTUN_PROTO 0: any
        ),
      ],
    });
    expect(l.data).toEqual({ kind: "ip6tnl", link: 3, local: "2001:db8::1", remote: "2001:db8::2", ttl: 64, encapLimit: 4, flowinfo: 0, flags: 0x10000, proto: 0 });
  });
});

describe("netkit (drivers/net/netkit.c netkit_fill_info)", () => {
  test("the primary end of an l3 pair: policies and scrub by iproute2's words, peer by IFLA_LINK", () => {
    const l = linkMsg({
      index: 80,
      name: "nk0",
      type: 65534, // ARPHRD_NONE (l3 mode)
      extra: [attr(IFLA_LINK, le32(81))],
      linkinfo: [
        kind("netkit"),
        data(
          attr(2, [1]), // IFLA_NETKIT_PRIMARY u8
          attr(3, le32(0)), // IFLA_NETKIT_POLICY u32 NETKIT_PASS
          attr(5, le32(1)), // IFLA_NETKIT_MODE u32 NETKIT_L3
          attr(6, le32(1)), // IFLA_NETKIT_SCRUB u32 NETKIT_SCRUB_DEFAULT
          attr(8, le16(0)), // IFLA_NETKIT_HEADROOM u16
          attr(9, le16(0)), // IFLA_NETKIT_TAILROOM u16
          attr(4, le32(2)), // IFLA_NETKIT_PEER_POLICY u32 NETKIT_DROP
          attr(7, le32(0)), // IFLA_NETKIT_PEER_SCRUB NETKIT_SCRUB_NONE
        ),
      ],
    });
    // ip -d -j: "mode":"l3","type":"primary","policy":"forward","peer_policy":"blackhole","scrub":"default","peer_scrub":"none"
    expect(l.link).toBe(81);
    expect(l.data).toEqual({ kind: "netkit", primary: true, policy: "forward", mode: "l3", scrub: "default", headroom: 0, tailroom: 0, peerPolicy: "blackhole", peerScrub: "none" });
  });
});

describe("SR-IOV: IFLA_NUM_VF and IFLA_VFINFO_LIST (net/core/rtnetlink.c rtnl_fill_vfinfo)", () => {
  const IFLA_NUM_VF = 21;
  const IFLA_VFINFO_LIST = 22;
  // One IFLA_VF_INFO as the kernel fills it: every struct starts with the VF number.
  const vfInfo = (vf: number, o: { mac: string; vlan: number; qos: number; proto: number; min: number; max: number; spoof: number; link: number; trust: number }) =>
    nest(
      1, // IFLA_VF_INFO
      attr(1, le32(vf), macb(o.mac), new Array(26).fill(0)), // IFLA_VF_MAC struct ifla_vf_mac { vf; mac[32] }
      attr(13, new Array(32).fill(0xff)), // IFLA_VF_BROADCAST struct ifla_vf_broadcast (not kept)
      attr(2, le32(vf), le32(o.vlan), le32(o.qos)), // IFLA_VF_VLAN struct ifla_vf_vlan
      nest(12, attr(1, le32(vf), le32(o.vlan), le32(o.qos), be16(o.proto), [0, 0])), // IFLA_VF_VLAN_LIST { IFLA_VF_VLAN_INFO }
      attr(3, le32(vf), le32(o.max)), // IFLA_VF_TX_RATE (the old max only; not kept)
      attr(6, le32(vf), le32(o.min), le32(o.max)), // IFLA_VF_RATE struct ifla_vf_rate
      attr(4, le32(vf), le32(o.spoof)), // IFLA_VF_SPOOFCHK
      attr(5, le32(vf), le32(o.link)), // IFLA_VF_LINK_STATE
      attr(7, le32(vf), le32(0xffffffff)), // IFLA_VF_RSS_QUERY_EN −1: the driver does not say
      attr(9, le32(vf), le32(o.trust)), // IFLA_VF_TRUST
    );

  test("a PF with two VFs: MAC, VLAN with its protocol, rates, spoof check, link state, trust", () => {
    const l = decodeLink(
      single(
        msg(
          { type: RTM_NEWLINK },
          ifinfomsg({ type: 1, index: 2, flags: 0x1043 }),
          attr(IFLA_IFNAME, cstr("enp1s0f0")),
          attr(IFLA_NUM_VF, le32(2)),
          nest(
            IFLA_VFINFO_LIST,
            vfInfo(0, { mac: "02:00:00:00:00:01", vlan: 100, qos: 3, proto: 0x8100, min: 0, max: 1000, spoof: 1, link: 0, trust: 0 }),
            vfInfo(1, { mac: "00:00:00:00:00:00", vlan: 0, qos: 0, proto: 0x88a8, min: 10, max: 0, spoof: 0, link: 2, trust: 1 }),
          ),
        ),
      ),
    );
    // ip -d -j: "num_vf":2,"vfinfo_list":[{"vf":0,"address":"02:00:00:00:00:01","vlan_list":[{"vlan":100,"qos":3,"protocol":"802.1Q"}],
    //   "rate":{"max_tx":1000,"min_tx":0},"spoofchk":true,"link_state":"auto","trust":false},{"vf":1,…,"link_state":"disable","trust":true}]
    expect(l.numVf).toBe(2);
    expect(l.vfs).toEqual([
      { vf: 0, mac: "02:00:00:00:00:01", vlan: 100, qos: 3, vlanProtocol: 0x8100, minTxRate: 0, maxTxRate: 1000, spoofCheck: true, linkState: "auto", trust: false },
      { vf: 1, mac: "00:00:00:00:00:00", vlan: 0, qos: 0, vlanProtocol: 0x88a8, minTxRate: 10, maxTxRate: 0, spoofCheck: false, linkState: "disable", trust: true },
    ]);
  });

  test("a driver that cannot tell spoof checking or trust sends −1: left out", () => {
    const l = decodeLink(
      single(
        msg(
          { type: RTM_NEWLINK },
          ifinfomsg({ type: 1, index: 2, flags: 0 }),
          attr(IFLA_NUM_VF, le32(1)),
          nest(IFLA_VFINFO_LIST, nest(1, attr(1, le32(0), macb("02:00:00:00:00:07"), new Array(26).fill(0)), attr(2, le32(0), le32(0), le32(0)), attr(4, le32(0), le32(0xffffffff)), attr(9, le32(0), le32(0xffffffff)))),
        ),
      ),
    );
    expect(l.vfs).toEqual([{ vf: 0, mac: "02:00:00:00:00:07", vlan: 0, qos: 0 }]);
  });

  test("a VF info without its MAC struct, or with a short struct, is an error", () => {
    const build = (...vf: number[][]) => decodeLink(single(msg({ type: RTM_NEWLINK }, ifinfomsg({ type: 1, index: 2, flags: 0 }), nest(IFLA_VFINFO_LIST, nest(1, ...vf)))));
    expect(() => build(attr(2, le32(0), le32(0), le32(0)))).toThrow(/IFLA_VF_MAC/);
    expect(() => build(attr(1, le32(0), macb("02:00:00:00:00:07"), new Array(26).fill(0)), attr(6, le32(0), le32(1)))).toThrow(/IFLA_VF_RATE/);
  });
});
