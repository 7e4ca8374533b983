import { describe, expect, test } from "bun:test";
import {
  NetlinkDecodeError,
  decodeRoute,
  routeProtocolName,
  routeTableName,
  routeTypeName,
  scopeName,
} from "../../src/netlink/index.ts";
import { attr, hex, ip4, ip6, le16, le32, msg, nest, rtmsg, single } from "./bytes.ts";

const route = (buf: Uint8Array) => decodeRoute(single(buf));

/** struct rtnexthop + its attributes */
const rtnh = (o: { flags?: number; hops: number; ifindex: number }, ...attrs: number[][]) => {
  const body = attrs.flat();
  return [...le16(8 + body.length), o.flags ?? 0, o.hops, ...le32(o.ifindex), ...body];
};

describe("decodeRoute", () => {
  test("IPv4 default route in main via a gateway", () => {
    const buf = hex(`
      3c000000 1800 0200 07000000 00000000 // nlmsghdr: len 60, RTM_NEWROUTE (24), NLM_F_MULTI, seq 7
      02 00 00 00 fe 03 00 01 00000000     // rtmsg: AF_INET, dst_len 0, src_len 0, tos 0, RT_TABLE_MAIN,
                                           //   RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST, flags 0
      0800 0f00 fe000000                   // RTA_TABLE (15) 254
      0800 0500 c0000201                   // RTA_GATEWAY (5) 192.0.2.1
      0800 0400 04000000                   // RTA_OIF (4) 4
      0800 0600 64000000                   // RTA_PRIORITY (6) 100
    `);
    const r = route(buf);
    expect(r).toEqual({
      family: 2, dstLen: 0, srcLen: 0, tos: 0, table: 254, protocol: 3, scope: 0, type: 1, flags: 0,
      gateway: "192.0.2.1", oif: 4, priority: 100,
    });
    expect(r.dst).toBeUndefined();
    expect([routeTableName(r.table), routeProtocolName(r.protocol), scopeName(r.scope), routeTypeName(r.type)]).toEqual([
      "main", "boot", "global", "unicast",
    ]);
  });

  test("IPv6 route with RTA_PREF high", () => {
    const buf = msg(
      { type: 24, flags: 2 },
      rtmsg({ family: 10, dstLen: 48, table: 254, protocol: 3, scope: 0, type: 1 }),
      attr(15, le32(254)), // RTA_TABLE
      attr(1, ip6("2001:0db8:0005:0000:0000:0000:0000:0000")), // RTA_DST
      attr(6, le32(1024)), // RTA_PRIORITY
      attr(5, ip6("2001:0db8:0000:0000:0000:0000:0000:0001")), // RTA_GATEWAY
      attr(4, le32(4)), // RTA_OIF
      attr(12, new Array(32).fill(0)), // RTA_CACHEINFO: not decoded
      attr(20, [1]), // RTA_PREF: ICMPV6_ROUTER_PREF_HIGH
    );
    expect(route(buf)).toEqual({
      family: 10, dstLen: 48, srcLen: 0, tos: 0, table: 254, protocol: 3, scope: 0, type: 1, flags: 0,
      dst: "2001:db8:5::", priority: 1024, gateway: "2001:db8::1", oif: 4, pref: 1,
    });
  });

  test("tables above 255 exist only in RTA_TABLE (rtm_table says RT_TABLE_COMPAT)", () => {
    const buf = msg(
      { type: 24 },
      rtmsg({ family: 2, dstLen: 24, table: 252, protocol: 4, scope: 0, type: 1 }),
      attr(15, le32(1000)),
      attr(1, ip4("198.51.100.0")),
      attr(5, ip4("192.0.2.1")),
      attr(4, le32(4)),
    );
    const r = route(buf);
    expect(r.table).toBe(1000);
    expect(routeTableName(r.table)).toBe("1000");
    expect(r.dst).toBe("198.51.100.0");

    const t100 = msg({ type: 24 }, rtmsg({ family: 2, dstLen: 24, table: 100, protocol: 3, scope: 0, type: 1 }), attr(15, le32(100)));
    expect(route(t100).table).toBe(100);
    // old kernels sent no RTA_TABLE: rtm_table it is
    const old = msg({ type: 24 }, rtmsg({ family: 2, dstLen: 0, table: 255, protocol: 2, scope: 254, type: 2 }));
    expect(route(old).table).toBe(255);
    expect(routeTableName(255)).toBe("local");
  });

  test("IPv4 multipath: weight is rtnh_hops + 1, each nexthop has its own attributes", () => {
    const buf = msg(
      { type: 24 },
      rtmsg({ family: 2, dstLen: 24, table: 254, protocol: 4, scope: 0, type: 1 }),
      attr(15, le32(254)),
      attr(1, ip4("203.0.113.0")),
      attr(6, le32(50)),
      attr(
        9, // RTA_MULTIPATH
        rtnh({ hops: 0, ifindex: 4 }, attr(5, ip4("192.0.2.1"))),
        rtnh({ hops: 2, ifindex: 5, flags: 0x10 }, attr(5, ip4("192.0.2.2"))), // RTNH_F_LINKDOWN
        rtnh({ hops: 0, ifindex: 6, flags: 4 }), // RTNH_F_ONLINK, no gateway
      ),
    );
    expect(route(buf)).toEqual({
      family: 2, dstLen: 24, srcLen: 0, tos: 0, table: 254, protocol: 4, scope: 0, type: 1, flags: 0,
      dst: "203.0.113.0", priority: 50,
      multipath: [
        { gateway: "192.0.2.1", oif: 4, weight: 1, flags: 0 },
        { gateway: "192.0.2.2", oif: 5, weight: 3, flags: 0x10 },
        { oif: 6, weight: 1, flags: 4 },
      ],
    });
  });

  test("IPv6 multipath and an IPv4 route via an IPv6 gateway (RTA_VIA)", () => {
    const v6 = msg(
      { type: 24 },
      rtmsg({ family: 10, dstLen: 0, table: 254, protocol: 3, scope: 0, type: 1 }),
      attr(9, rtnh({ hops: 0, ifindex: 2 }, attr(5, ip6("fe80:0000:0000:0000:0000:0000:0000:0001"))), rtnh({ hops: 0, ifindex: 3 }, attr(5, ip6("fe80:0000:0000:0000:0000:0000:0000:0002")))),
    );
    expect(route(v6).multipath).toEqual([
      { gateway: "fe80::1", oif: 2, weight: 1, flags: 0 },
      { gateway: "fe80::2", oif: 3, weight: 1, flags: 0 },
    ]);

    const via = msg(
      { type: 24 },
      rtmsg({ family: 2, dstLen: 8, table: 254, protocol: 3, scope: 0, type: 1 }),
      attr(1, ip4("10.0.0.0")),
      attr(18, le16(10), ip6("fe80:0000:0000:0000:0000:0000:0000:0009")), // RTA_VIA: struct rtvia { AF_INET6, addr }
      attr(4, le32(2)),
    );
    expect(route(via)).toMatchObject({ dst: "10.0.0.0", via: { family: 10, address: "fe80::9" }, oif: 2 });

    const mpVia = msg(
      { type: 24 },
      rtmsg({ family: 2, dstLen: 8, table: 254, protocol: 3, scope: 0, type: 1 }),
      attr(9, rtnh({ hops: 0, ifindex: 2 }, attr(18, le16(10), ip6("fe80:0000:0000:0000:0000:0000:0000:0009")))),
    );
    expect(route(mpVia).multipath).toEqual([{ via: { family: 10, address: "fe80::9" }, oif: 2, weight: 1, flags: 0 }]);
  });

  test("metrics by iproute2 name; congctl (a string) left out", () => {
    const buf = msg(
      { type: 24 },
      rtmsg({ family: 2, dstLen: 15, table: 254, protocol: 3, scope: 0, type: 1 }),
      nest(8, attr(2, le32(1400)), attr(8, le32(1360)), attr(10, le32(64)), attr(16, [0x63, 0x75, 0x62, 0x69, 0x63, 0]), attr(40, le32(9))), // RTA_METRICS: MTU, ADVMSS, HOPLIMIT, CC_ALGO, unknown
    );
    expect(route(buf).metrics).toEqual({ mtu: 1400, advmss: 1360, hoplimit: 64, "40": 9 });
  });

  test("blackhole, local, and MPLS (non-IP family: addresses left out)", () => {
    const bh = msg({ type: 24 }, rtmsg({ family: 2, dstLen: 16, table: 254, protocol: 3, scope: 0, type: 6 }), attr(1, ip4("10.255.0.0")));
    expect(routeTypeName(route(bh).type)).toBe("blackhole");
    const mpls = msg({ type: 24 }, rtmsg({ family: 28, dstLen: 20, table: 254, protocol: 3, scope: 0, type: 1 }), attr(1, [0, 1, 0x41, 0]), attr(4, le32(3)));
    expect(route(mpls)).toEqual({ family: 28, dstLen: 20, srcLen: 0, tos: 0, table: 254, protocol: 3, scope: 0, type: 1, flags: 0, oif: 3 });
  });

  test.each([
    ["wrong type", msg({ type: 20 }, rtmsg({ family: 2, dstLen: 0, table: 254, protocol: 3, scope: 0, type: 1 })), /RTM_NEWROUTE/],
    ["short rtmsg", msg({ type: 24 }, [2, 0, 0, 0, 254, 3, 0, 1]), /rtmsg.*offset 16/],
    ["IPv4 gateway of 16 bytes", msg({ type: 24 }, rtmsg({ family: 2, dstLen: 0, table: 254, protocol: 3, scope: 0, type: 1 }), attr(5, new Array(16).fill(1))), /RTA_GATEWAY/],
    ["rtnh_len 0 (would loop forever)", msg({ type: 24 }, rtmsg({ family: 2, dstLen: 0, table: 254, protocol: 3, scope: 0, type: 1 }), attr(9, [0, 0, 0, 0, 4, 0, 0, 0])), /rtnh_len 0.*offset 32/],
    ["rtnh_len past the attribute", msg({ type: 24 }, rtmsg({ family: 2, dstLen: 0, table: 254, protocol: 3, scope: 0, type: 1 }), attr(9, [16, 0, 0, 0, 4, 0, 0, 0])), /rtnh_len 16/],
    ["truncated rtnexthop", msg({ type: 24 }, rtmsg({ family: 2, dstLen: 0, table: 254, protocol: 3, scope: 0, type: 1 }), attr(9, [8, 0, 0, 0])), /rtnexthop/],
    ["RTA_VIA of 1 byte", msg({ type: 24 }, rtmsg({ family: 2, dstLen: 0, table: 254, protocol: 3, scope: 0, type: 1 }), attr(18, [10])), /RTA_VIA/],
    ["RTA_VIA IPv6 of 4 bytes", msg({ type: 24 }, rtmsg({ family: 2, dstLen: 0, table: 254, protocol: 3, scope: 0, type: 1 }), attr(18, le16(10), ip4("1.2.3.4"))), /RTA_VIA/],
    ["short metric", msg({ type: 24 }, rtmsg({ family: 2, dstLen: 0, table: 254, protocol: 3, scope: 0, type: 1 }), nest(8, attr(2, [1]))), /RTA_METRICS mtu/],
  ])("%s → NetlinkDecodeError", (_n, buf, message) => {
    expect(() => route(buf)).toThrow(NetlinkDecodeError);
    expect(() => route(buf)).toThrow(message);
  });
});
