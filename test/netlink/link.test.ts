// decodeLink on hand-built RTM_NEWLINK messages, one per kind wiresight models. Attribute
// numbers are literals checked against linux/if_link.h by hand (names in comments); the
// builders in bytes.ts are independent of the codec. vlan and dummy cannot be created on the
// test kernel, so these byte tests are their only coverage.

import { describe, expect, test } from "bun:test";
import { NetlinkDecodeError, RTM_DELLINK, decodeLink, ifFlagNames, operstateName } from "../../src/netlink/index.ts";
import { attr, be16, be32, cstr, hex, ifinfomsg, ip4, ip6, le16, le32, macb, msg, nest, single } from "./bytes.ts";

const link = (buf: Uint8Array) => decodeLink(single(buf));
const IFF_UP_BROADCAST_RUNNING_MULTICAST_LOWER_UP = 0x11043;

describe("decodeLink", () => {
  test("veth whose peer lives in another namespace (IFLA_LINK + IFLA_LINK_NETNSID)", () => {
    const buf = hex(`
      68000000 1000 0200 01000000 00000000  // nlmsghdr: len 104, RTM_NEWLINK (16), NLM_F_MULTI, seq 1, pid 0
      00 00 0100 0b000000 43100100 00000000 // ifinfomsg: AF_UNSPEC, pad, ARPHRD_ETHER, index 11,
                                            //   UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP, change 0
      0b00 0300 767065657230 00 00          // IFLA_IFNAME (3) "vpeer0"
      0800 0400 dc050000                    // IFLA_MTU (4) 1500
      0800 0500 02000000                    // IFLA_LINK (5) 2: the peer's ifindex ...
      0a00 0100 5ac1fde9201d 0000           // IFLA_ADDRESS (1)
      0800 2500 00000000                    // IFLA_LINK_NETNSID (37) 0: ... in the namespace with NSID 0
      0500 1000 06 000000                   // IFLA_OPERSTATE (16) IF_OPER_UP
      1000 1280                             // IFLA_LINKINFO (18) | NLA_F_NESTED
        0900 0100 7665746800 000000         //   IFLA_INFO_KIND (1) "veth"
    `);
    expect(link(buf)).toEqual({
      family: 0,
      type: 1,
      index: 11,
      flags: IFF_UP_BROADCAST_RUNNING_MULTICAST_LOWER_UP,
      change: 0,
      ifname: "vpeer0",
      mtu: 1500,
      link: 2,
      address: "5a:c1:fd:e9:20:1d",
      linkNetnsid: 0,
      operstate: 6,
      kind: "veth",
      data: { kind: "veth" },
    });
    expect(operstateName(link(buf).operstate!)).toBe("UP");
    expect(ifFlagNames(link(buf).flags)).toEqual(["BROADCAST", "MULTICAST", "UP", "LOWER_UP"]);
  });

  test("loopback: no IFLA_LINKINFO, so no kind", () => {
    const buf = msg(
      { type: 16 },
      ifinfomsg({ type: 772, index: 1, flags: 0x10049 }), // ARPHRD_LOOPBACK; LOOPBACK|UP|RUNNING|LOWER_UP
      attr(3, cstr("lo")),
      attr(13, le32(1000)), // IFLA_TXQLEN
      attr(16, [0]), // IFLA_OPERSTATE IF_OPER_UNKNOWN
      attr(17, [0]), // IFLA_LINKMODE
      attr(4, le32(65536)), // IFLA_MTU
      attr(27, le32(0)), // IFLA_GROUP
      attr(30, le32(0)), // IFLA_PROMISCUITY
      attr(31, le32(1)), // IFLA_NUM_TX_QUEUES
      attr(32, le32(1)), // IFLA_NUM_RX_QUEUES
      attr(33, [1]), // IFLA_CARRIER
      attr(1, macb("00:00:00:00:00:00")), // IFLA_ADDRESS
      attr(2, macb("00:00:00:00:00:00")), // IFLA_BROADCAST
      nest(26, nest(2, attr(1, le32(0x80000000)))), // IFLA_AF_SPEC: not decoded, skipped
    );
    const l = link(buf);
    expect(l).toEqual({
      family: 0, type: 772, index: 1, flags: 0x10049, change: 0, ifname: "lo", txqlen: 1000, operstate: 0,
      linkmode: 0, mtu: 65536, group: 0, promiscuity: 0, numTxQueues: 1, numRxQueues: 1, carrier: 1,
      address: "00:00:00:00:00:00", broadcast: "00:00:00:00:00:00",
    });
    expect(l.kind).toBeUndefined();
    expect(ifFlagNames(l.flags)).toEqual(["LOOPBACK", "UP", "LOWER_UP"]);
    expect(operstateName(l.operstate!)).toBe("UNKNOWN");
  });

  test("physical NIC: perm address, alias, parent device", () => {
    const buf = msg(
      { type: 16 },
      ifinfomsg({ type: 1, index: 2, flags: 0x1003 }), // UP|BROADCAST|MULTICAST, no carrier
      attr(3, cstr("eth0")),
      attr(20, cstr("uplink, rack 4")), // IFLA_IFALIAS
      attr(54, macb("52:54:00:12:34:56")), // IFLA_PERM_ADDRESS
      attr(56, cstr("0000:00:03.0")), // IFLA_PARENT_DEV_NAME
      attr(57, cstr("pci")), // IFLA_PARENT_DEV_BUS_NAME
      attr(200, le32(7)), // an attribute from the future: ignored
    );
    const l = link(buf);
    expect(l.ifalias).toBe("uplink, rack 4");
    expect(l.permAddress).toBe("52:54:00:12:34:56");
    expect(l.parentDevName).toBe("0000:00:03.0");
    expect(l.parentDevBusName).toBe("pci");
    expect(ifFlagNames(l.flags)).toEqual(["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]);
  });

  test("bridge with IFLA_INFO_DATA", () => {
    const buf = msg(
      { type: 16, flags: 2, seq: 3 },
      ifinfomsg({ type: 1, index: 2, flags: IFF_UP_BROADCAST_RUNNING_MULTICAST_LOWER_UP }),
      attr(3, cstr("br0")),
      attr(1, macb("3e:43:97:ff:16:ab")),
      nest(
        18, // IFLA_LINKINFO
        attr(1, cstr("bridge")), // IFLA_INFO_KIND
        nest(
          2, // IFLA_INFO_DATA
          attr(1, le32(1500)), // IFLA_BR_FORWARD_DELAY
          attr(2, le32(200)), // IFLA_BR_HELLO_TIME
          attr(3, le32(2000)), // IFLA_BR_MAX_AGE
          attr(4, le32(30000)), // IFLA_BR_AGEING_TIME
          attr(5, le32(1)), // IFLA_BR_STP_STATE
          attr(6, le16(0x7000)), // IFLA_BR_PRIORITY (u16)
          attr(7, [1]), // IFLA_BR_VLAN_FILTERING
          attr(8, be16(0x88a8)), // IFLA_BR_VLAN_PROTOCOL (__be16)
          attr(10, [0x80, 0x00], macb("02:00:00:00:00:01")), // IFLA_BR_ROOT_ID (not decoded)
          attr(11, [0x70, 0x00], macb("3e:43:97:ff:16:ab")), // IFLA_BR_BRIDGE_ID struct ifla_bridge_id
          attr(16, le32(0), le32(0)), // IFLA_BR_HELLO_TIMER as u64 (not decoded)
          attr(20, macb("01:80:c2:00:00:00")), // IFLA_BR_GROUP_ADDR
          attr(46, le32(0), le32(0)), // IFLA_BR_MULTI_BOOLOPT (not decoded)
          attr(99, le32(1)), // unknown to us
        ),
      ),
    );
    const l = link(buf);
    expect(l.kind).toBe("bridge");
    expect(l.data).toEqual({
      kind: "bridge",
      forwardDelay: 1500,
      helloTime: 200,
      maxAge: 2000,
      ageingTime: 30000,
      stpState: 1,
      priority: 0x7000,
      vlanFiltering: true,
      vlanProtocol: 0x88a8,
      bridgeId: "7000.3e:43:97:ff:16:ab",
      groupAddr: "01:80:c2:00:00:00",
    });
  });

  test("bridge port: a veth whose IFLA_INFO_SLAVE_KIND is bridge, with IFLA_MASTER", () => {
    const buf = msg(
      { type: 16 },
      ifinfomsg({ type: 1, index: 3, flags: IFF_UP_BROADCAST_RUNNING_MULTICAST_LOWER_UP }),
      attr(3, cstr("veth1")),
      attr(10, le32(2)), // IFLA_MASTER: the bridge's ifindex
      attr(5, le32(4)), // IFLA_LINK: the veth peer
      nest(
        18,
        attr(1, cstr("veth")),
        attr(4, cstr("bridge")), // IFLA_INFO_SLAVE_KIND
        nest(5, attr(1, [3]), attr(2, le16(32))), // IFLA_INFO_SLAVE_DATA: IFLA_BRPORT_STATE forwarding, PRIORITY
      ),
    );
    const l = link(buf);
    expect(l.master).toBe(2);
    expect(l.link).toBe(4);
    expect(l.linkNetnsid).toBeUndefined();
    expect(l.kind).toBe("veth");
    expect(l.slaveKind).toBe("bridge");
    expect(l.data).toEqual({ kind: "veth" });
  });

  test("port of a kind-less master (slave kind only)", () => {
    const buf = msg({ type: 16 }, ifinfomsg({ type: 1, index: 2, flags: 0x1003 }), nest(18, attr(4, cstr("bond"))));
    const l = link(buf);
    expect(l.kind).toBeUndefined();
    expect(l.slaveKind).toBe("bond");
    expect(l.data).toBeUndefined();
  });

  test("macvlan in bridge mode, and macvtap", () => {
    const mk = (kind: string, mode: number) =>
      msg(
        { type: 16 },
        ifinfomsg({ type: 1, index: 5, flags: IFF_UP_BROADCAST_RUNNING_MULTICAST_LOWER_UP }),
        attr(3, cstr("mv0")),
        attr(5, le32(4)), // IFLA_LINK: the lower device
        nest(18, attr(1, cstr(kind)), nest(2, attr(1, le32(mode)), attr(2, le16(0)))), // MACVLAN_MODE, MACVLAN_FLAGS (u16)
      );
    expect(link(mk("macvlan", 4)).data).toEqual({ kind: "macvlan", mode: 4, modeName: "bridge", flags: 0 }); // MACVLAN_MODE_BRIDGE
    expect(link(mk("macvtap", 2)).data).toEqual({ kind: "macvtap", mode: 2, modeName: "vepa", flags: 0 });
    expect(link(mk("macvlan", 1)).data).toMatchObject({ modeName: "private" });
    expect(link(mk("macvlan", 8)).data).toMatchObject({ modeName: "passthru" });
    expect(link(mk("macvlan", 16)).data).toMatchObject({ modeName: "source" });
    expect(link(mk("macvlan", 64)).data).toMatchObject({ mode: 64, modeName: "64" });
  });

  test("vlan 100, 802.1Q with flags, and 802.1ad", () => {
    const q = msg(
      { type: 16 },
      ifinfomsg({ type: 1, index: 6, flags: 0x1003 }),
      attr(3, cstr("eth0.100")),
      attr(5, le32(2)),
      nest(
        18,
        attr(1, cstr("vlan")),
        nest(
          2,
          attr(5, be16(0x8100)), // IFLA_VLAN_PROTOCOL (__be16): ETH_P_8021Q
          attr(1, le16(100)), // IFLA_VLAN_ID
          attr(2, le32(1), le32(0xffffffff)), // IFLA_VLAN_FLAGS: struct ifla_vlan_flags, REORDER_HDR
          nest(3), // IFLA_VLAN_EGRESS_QOS (empty)
          nest(4, attr(1, le32(1), le32(2))), // IFLA_VLAN_INGRESS_QOS mapping
        ),
      ),
    );
    expect(link(q).data).toEqual({ kind: "vlan", id: 100, protocol: 0x8100, protocolName: "802.1Q", flags: 1 });
    expect(link(q).link).toBe(2);

    const ad = msg(
      { type: 16 },
      ifinfomsg({ type: 1, index: 7, flags: 0x1003 }),
      nest(18, attr(1, cstr("vlan")), nest(2, attr(5, be16(0x88a8)), attr(1, le16(100)))), // ETH_P_8021AD
    );
    expect(link(ad).data).toEqual({ kind: "vlan", id: 100, protocol: 0x88a8, protocolName: "802.1ad" });

    // Pre-3.10 kernels sent no IFLA_VLAN_PROTOCOL: 802.1Q was the only protocol then.
    const old = msg({ type: 16 }, ifinfomsg({ type: 1, index: 8, flags: 0 }), nest(18, attr(1, cstr("vlan")), nest(2, attr(1, le16(7)))));
    expect(link(old).data).toEqual({ kind: "vlan", id: 7, protocol: 0x8100, protocolName: "802.1Q" });

    const odd = msg({ type: 16 }, ifinfomsg({ type: 1, index: 8, flags: 0 }), nest(18, attr(1, cstr("vlan")), nest(2, attr(1, le16(7)), attr(5, be16(0x9100)))));
    expect(link(odd).data).toMatchObject({ protocol: 0x9100, protocolName: "0x9100" });
  });

  test("dummy: a kind we do not model gives kind and no data", () => {
    const buf = msg(
      { type: 16 },
      ifinfomsg({ type: 1, index: 9, flags: 0x10c3 }), // UP|BROADCAST|RUNNING|NOARP|MULTICAST
      attr(3, cstr("dummy0")),
      nest(18, attr(1, cstr("dummy"))),
    );
    const l = link(buf);
    expect(l.kind).toBe("dummy");
    expect(l.data).toBeUndefined();
    expect(ifFlagNames(l.flags)).toEqual(["BROADCAST", "MULTICAST", "NOARP", "UP"]);
  });

  test("vxlan with every field wiresight reads (network-order port, port range and label)", () => {
    const buf = msg(
      { type: 16 },
      ifinfomsg({ type: 1, index: 7, flags: 0x1003 }),
      attr(3, cstr("vx0")),
      nest(
        18,
        attr(1, cstr("vxlan")),
        nest(
          2,
          attr(1, le32(42)), // IFLA_VXLAN_ID: host order
          attr(2, ip4("239.1.1.1")), // IFLA_VXLAN_GROUP
          attr(3, le32(4)), // IFLA_VXLAN_LINK
          attr(4, ip4("192.0.2.10")), // IFLA_VXLAN_LOCAL
          attr(5, [64]), // IFLA_VXLAN_TTL
          attr(6, [0x10]), // IFLA_VXLAN_TOS
          attr(7, [1]), // IFLA_VXLAN_LEARNING
          attr(8, le32(300)), // IFLA_VXLAN_AGEING
          attr(9, le32(0)), // IFLA_VXLAN_LIMIT
          attr(10, be16(1000), be16(2000)), // IFLA_VXLAN_PORT_RANGE: struct { __be16 low, high }
          attr(11, [1]), // IFLA_VXLAN_PROXY
          attr(12, [0]), // IFLA_VXLAN_RSC (not decoded)
          attr(13, [0]), // IFLA_VXLAN_L2MISS
          attr(14, [1]), // IFLA_VXLAN_L3MISS
          attr(15, be16(4789)), // IFLA_VXLAN_PORT (__be16): 12 b5
          attr(16, ip6("ff05:0000:0000:0000:0000:0000:0000:0100")), // IFLA_VXLAN_GROUP6
          attr(17, ip6("fd00:0000:0000:0000:0000:0000:0000:0001")), // IFLA_VXLAN_LOCAL6
          attr(18, [1]), // IFLA_VXLAN_UDP_CSUM
          attr(25, [0]), // IFLA_VXLAN_COLLECT_METADATA
          attr(26, be32(0x12345)), // IFLA_VXLAN_LABEL (__be32)
          attr(29, [2]), // IFLA_VXLAN_DF: VXLAN_DF_INHERIT
          attr(31, [0]), // IFLA_VXLAN_LOCALBYPASS (newer kernels): ignored
        ),
      ),
    );
    expect(link(buf).data).toEqual({
      kind: "vxlan",
      vni: 42,
      group: "239.1.1.1",
      link: 4,
      local: "192.0.2.10",
      ttl: 64,
      tos: 0x10,
      learning: true,
      ageing: 300,
      limit: 0,
      portRange: { low: 1000, high: 2000 },
      proxy: true,
      l2miss: false,
      l3miss: true,
      port: 4789,
      group6: "ff05::100",
      local6: "fd00::1",
      udpCsum: true,
      collectMetadata: false,
      label: 0x12345,
      df: 2,
    });
  });

  test("tun and tap", () => {
    const tun = msg(
      { type: 16 },
      ifinfomsg({ type: 0xfffe, index: 9, flags: 0x1090 }), // ARPHRD_NONE; POINTOPOINT|NOARP|MULTICAST
      attr(3, cstr("tun0")),
      nest(
        18,
        attr(1, cstr("tun")),
        nest(
          2,
          attr(1, le32(1000)), // IFLA_TUN_OWNER
          attr(2, le32(100)), // IFLA_TUN_GROUP
          attr(3, [1]), // IFLA_TUN_TYPE: IFF_TUN
          attr(4, [0]), // IFLA_TUN_PI
          attr(5, [1]), // IFLA_TUN_VNET_HDR
          attr(6, [1]), // IFLA_TUN_PERSIST
          attr(7, [0]), // IFLA_TUN_MULTI_QUEUE
        ),
      ),
    );
    expect(link(tun)).toMatchObject({ type: 0xfffe, kind: "tun" });
    expect(link(tun).data).toEqual({
      kind: "tun", type: "tun", owner: 1000, group: 100, pi: false, vnetHdr: true, persist: true, multiQueue: false,
    });
    expect(ifFlagNames(link(tun).flags)).toEqual(["POINTOPOINT", "MULTICAST", "NOARP"]);

    const tap = msg(
      { type: 16 },
      ifinfomsg({ type: 1, index: 10, flags: 0x1002 }),
      attr(3, cstr("tap0")),
      nest(
        18,
        attr(1, cstr("tun")),
        nest(
          2,
          attr(3, [2]), // IFLA_TUN_TYPE: IFF_TAP
          attr(4, [1]),
          attr(5, [0]),
          attr(6, [0]),
          attr(7, [1]), // IFLA_TUN_MULTI_QUEUE
          attr(8, le32(4)), // IFLA_TUN_NUM_QUEUES
          attr(9, le32(1)), // IFLA_TUN_NUM_DISABLED_QUEUES
        ),
      ),
    );
    expect(link(tap).data).toEqual({
      kind: "tun", type: "tap", pi: true, vnetHdr: false, persist: false, multiQueue: true, numQueues: 4, numDisabledQueues: 1,
    });

    const odd = msg({ type: 16 }, ifinfomsg({ type: 1, index: 11, flags: 0 }), nest(18, attr(1, cstr("tun")), nest(2, attr(3, [3]))));
    expect(link(odd).kind).toBe("tun");
    expect(link(odd).data).toBeUndefined();
  });

  test("RTM_DELLINK decodes like RTM_NEWLINK; ifindex is signed int", () => {
    const del = msg({ type: 17 }, ifinfomsg({ type: 1, index: 12, flags: 0 }), attr(3, cstr("gone0")));
    expect(single(del).type).toBe(RTM_DELLINK);
    expect(link(del)).toMatchObject({ index: 12, ifname: "gone0" });
  });

  test("IFLA_INFO_DATA without IFLA_INFO_KIND is ignored", () => {
    const buf = msg({ type: 16 }, ifinfomsg({ type: 1, index: 2, flags: 0 }), nest(18, nest(2, attr(1, le32(5)))));
    expect(link(buf).kind).toBeUndefined();
    expect(link(buf).data).toBeUndefined();
  });

  describe("malformed input is a NetlinkDecodeError that says what and where", () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ["wrong message type", msg({ type: 20 }, ifinfomsg({ type: 1, index: 1, flags: 0 })), /RTM_NEWLINK/],
      ["ifinfomsg cut short", msg({ type: 16 }, [0, 0, 1, 0, 1, 0, 0, 0]), /ifinfomsg.*offset 16/],
      ["IFLA_MTU of 2 bytes", msg({ type: 16 }, ifinfomsg({ type: 1, index: 1, flags: 0 }), attr(4, le16(1500))), /IFLA_MTU.*offset 32/],
      [
        "broken attribute inside IFLA_LINKINFO",
        msg({ type: 16 }, ifinfomsg({ type: 1, index: 1, flags: 0 }), nest(18, hex("0200 0100"))),
        /offset 36/,
      ],
      [
        "IFLA_VXLAN_GROUP of 5 bytes",
        msg({ type: 16 }, ifinfomsg({ type: 1, index: 1, flags: 0 }), nest(18, attr(1, cstr("vxlan")), nest(2, attr(2, [1, 2, 3, 4, 5])))),
        /IFLA_VXLAN_GROUP/,
      ],
      [
        "IFLA_VXLAN_PORT_RANGE of 2 bytes",
        msg({ type: 16 }, ifinfomsg({ type: 1, index: 1, flags: 0 }), nest(18, attr(1, cstr("vxlan")), nest(2, attr(10, be16(1))))),
        /IFLA_VXLAN_PORT_RANGE/,
      ],
      [
        "IFLA_BR_BRIDGE_ID of 6 bytes",
        msg({ type: 16 }, ifinfomsg({ type: 1, index: 1, flags: 0 }), nest(18, attr(1, cstr("bridge")), nest(2, attr(11, macb("01:02:03:04:05:06"))))),
        /IFLA_BR_BRIDGE_ID/,
      ],
      [
        "IFLA_VLAN_FLAGS of 4 bytes",
        msg({ type: 16 }, ifinfomsg({ type: 1, index: 1, flags: 0 }), nest(18, attr(1, cstr("vlan")), nest(2, attr(1, le16(1)), attr(2, le32(1))))),
        /IFLA_VLAN_FLAGS/,
      ],
    ];
    test.each(cases)("%s", (_name, buf, message) => {
      let err: unknown;
      try {
        link(buf);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NetlinkDecodeError);
      expect((err as Error).message).toMatch(message);
    });
  });
});
