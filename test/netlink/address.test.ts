import { describe, expect, test } from "bun:test";
import { NetlinkDecodeError, addressFlagNames, decodeAddress, scopeName } from "../../src/netlink/index.ts";
import { attr, cstr, hex, ifaddrmsg, ip4, ip6, le32, msg, single } from "./bytes.ts";

const addr = (buf: Uint8Array) => decodeAddress(single(buf));

describe("decodeAddress", () => {
  test("IPv4 with broadcast, label, cacheinfo and IFA_FLAGS (secondary)", () => {
    const buf = hex(`
      58000000 1400 0200 05000000 00000000 // nlmsghdr: len 88, RTM_NEWADDR (20), NLM_F_MULTI, seq 5
      02 18 81 00 04000000                 // ifaddrmsg: AF_INET, /24, IFA_F_SECONDARY|IFA_F_PERMANENT, RT_SCOPE_UNIVERSE, index 4
      0800 0100 c000020b                   // IFA_ADDRESS (1) 192.0.2.11
      0800 0200 c000020b                   // IFA_LOCAL (2) 192.0.2.11
      0800 0400 c00002ff                   // IFA_BROADCAST (4) 192.0.2.255
      0a00 0300 7665746830 00 0000         // IFA_LABEL (3) "veth0"
      0800 0800 81000000                   // IFA_FLAGS (8) u32
      1400 0600 ffffffff ffffffff 44570000 44570000 // IFA_CACHEINFO (6): forever, forever, cstamp, tstamp 22340
    `);
    expect(addr(buf)).toEqual({
      family: 2,
      prefixlen: 24,
      flags: 0x81,
      scope: 0,
      index: 4,
      address: "192.0.2.11",
      local: "192.0.2.11",
      broadcast: "192.0.2.255",
      label: "veth0",
      cacheinfo: { preferred: 0xffffffff, valid: 0xffffffff, cstamp: 22340, tstamp: 22340 },
    });
    expect(addressFlagNames(addr(buf).flags)).toEqual(["secondary", "permanent"]);
    expect(scopeName(addr(buf).scope)).toBe("global");
  });

  test("IPv4 point-to-point: IFA_ADDRESS is the peer, IFA_LOCAL our own", () => {
    const buf = msg(
      { type: 20 },
      ifaddrmsg({ family: 2, prefixlen: 32, flags: 0x80, scope: 0, index: 11 }),
      attr(1, ip4("10.9.8.1")),
      attr(2, ip4("10.9.8.7")),
    );
    expect(addr(buf)).toMatchObject({ address: "10.9.8.1", local: "10.9.8.7", prefixlen: 32 });
  });

  test("IPv6 with lifetimes: IFA_FLAGS carries bits the u8 ifa_flags cannot", () => {
    const buf = msg(
      { type: 20, flags: 2 },
      ifaddrmsg({ family: 10, prefixlen: 64, flags: 0x02, scope: 0, index: 4 }), // u8: IFA_F_NODAD only
      attr(1, ip6("2001:0db8:0000:0000:0000:0000:0000:0010")), // IFA_ADDRESS
      attr(6, le32(1780), le32(3580), le32(22340), le32(22341)), // IFA_CACHEINFO
      attr(8, le32(0x202)), // IFA_FLAGS: NODAD | NOPREFIXROUTE
      attr(11, [2]), // IFA_PROTO: IFAPROT_KERNEL_RA
      attr(9, le32(256)), // IFA_RT_PRIORITY: not decoded
    );
    expect(addr(buf)).toEqual({
      family: 10,
      prefixlen: 64,
      flags: 0x202,
      scope: 0,
      index: 4,
      address: "2001:db8::10",
      cacheinfo: { preferred: 1780, valid: 3580, cstamp: 22340, tstamp: 22341 },
      protocol: 2,
    });
    expect(addressFlagNames(addr(buf).flags, 10)).toEqual(["nodad", "noprefixroute"]);
  });

  test("without IFA_FLAGS the u8 ifa_flags is used", () => {
    const buf = msg({ type: 20 }, ifaddrmsg({ family: 10, prefixlen: 128, flags: 0xc0, scope: 254, index: 1 }), attr(1, ip6("0000000000000000 0000000000000001")));
    expect(addr(buf)).toMatchObject({ flags: 0xc0, address: "::1", scope: 254 });
    expect(scopeName(254)).toBe("host");
  });

  test("RTM_DELADDR; a non-IP family leaves addresses out instead of failing the dump", () => {
    const mctp = msg({ type: 21 }, ifaddrmsg({ family: 45, prefixlen: 0, flags: 0, scope: 0, index: 3 }), attr(2, [8]), attr(3, cstr("mctp0")));
    expect(addr(mctp)).toEqual({ family: 45, prefixlen: 0, flags: 0, scope: 0, index: 3, label: "mctp0" });
  });

  test.each([
    ["wrong type", msg({ type: 16 }, ifaddrmsg({ family: 2, prefixlen: 8, flags: 0, scope: 0, index: 1 })), /RTM_NEWADDR/],
    ["short ifaddrmsg", msg({ type: 20 }, [2, 8, 0, 0]), /ifaddrmsg.*offset 16/],
    ["IPv4 address of 16 bytes", msg({ type: 20 }, ifaddrmsg({ family: 2, prefixlen: 8, flags: 0, scope: 0, index: 1 }), attr(1, new Array(16).fill(0))), /IFA_ADDRESS.*offset 24/],
    ["IPv6 address of 4 bytes", msg({ type: 20 }, ifaddrmsg({ family: 10, prefixlen: 8, flags: 0, scope: 0, index: 1 }), attr(2, ip4("1.2.3.4"))), /IFA_LOCAL/],
    ["short cacheinfo", msg({ type: 20 }, ifaddrmsg({ family: 2, prefixlen: 8, flags: 0, scope: 0, index: 1 }), attr(6, le32(1), le32(2))), /IFA_CACHEINFO/],
    ["short IFA_FLAGS", msg({ type: 20 }, ifaddrmsg({ family: 2, prefixlen: 8, flags: 0, scope: 0, index: 1 }), attr(8, [1])), /IFA_FLAGS/],
  ])("%s → NetlinkDecodeError", (_n, buf, message) => {
    expect(() => addr(buf)).toThrow(NetlinkDecodeError);
    expect(() => addr(buf)).toThrow(message);
  });
});

describe("addressFlagNames", () => {
  test("iproute2's words, in iproute2's order", () => {
    expect(addressFlagNames(0xfff)).toEqual([
      "secondary", "nodad", "optimistic", "dadfailed", "home", "deprecated", "tentative", "permanent",
      "mngtmpaddr", "noprefixroute", "autojoin", "stable-privacy",
    ]);
    expect(addressFlagNames(0)).toEqual([]);
  });

  test("IFA_F_SECONDARY is 'temporary' for IPv6; unknown bits as hex", () => {
    expect(addressFlagNames(0x01, 10)).toEqual(["temporary"]);
    expect(addressFlagNames(0x01, 2)).toEqual(["secondary"]);
    expect(addressFlagNames(0x1080)).toEqual(["permanent", "1000"]);
  });
});
