import { describe, expect, test } from "bun:test";
import {
  ifFlagNames,
  macvlanModeName,
  operstateName,
  routePrefName,
  routeProtocolName,
  routeTableName,
  routeTypeName,
  scopeName,
  vlanProtocolName,
} from "../../src/netlink/index.ts";

describe("number → iproute2 word", () => {
  test("operstateName (IF_OPER_*)", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(operstateName)).toEqual([
      "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP", "7",
    ]);
  });

  test("routeTypeName (RTN_*)", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(routeTypeName)).toEqual([
      "none", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit",
      "throw", "nat", "xresolve", "12",
    ]);
  });

  test("routeProtocolName (RTPROT_*, as /etc/iproute2/rt_protos)", () => {
    expect([0, 1, 2, 3, 4, 8, 9, 16, 17, 18, 42, 99, 186, 187, 188, 189, 192, 250].map(routeProtocolName)).toEqual([
      "unspec", "redirect", "kernel", "boot", "static", "gated", "ra", "dhcp", "17", "keepalived", "babel", "openr",
      "bgp", "isis", "ospf", "rip", "eigrp", "250",
    ]);
  });

  test("scopeName (RT_SCOPE_*)", () => {
    expect([0, 200, 253, 254, 255, 100].map(scopeName)).toEqual(["global", "site", "link", "host", "nowhere", "100"]);
  });

  test("routeTableName", () => {
    expect([253, 254, 255, 0, 100, 1000, 0xffffffff].map(routeTableName)).toEqual([
      "default", "main", "local", "0", "100", "1000", "4294967295",
    ]);
  });

  test("ifFlagNames follows iproute2's print_link_flags", () => {
    expect(ifFlagNames(0)).toEqual([]);
    expect(ifFlagNames(0x7ffff)).toEqual([
      "LOOPBACK", "BROADCAST", "POINTOPOINT", "MULTICAST", "NOARP", "ALLMULTI", "PROMISC", "MASTER", "SLAVE", "DEBUG",
      "DYNAMIC", "AUTOMEDIA", "PORTSEL", "NOTRAILERS", "UP", "LOWER_UP", "DORMANT", "ECHO",
    ]);
    // UP without RUNNING: NO-CARRIER first; RUNNING itself is never named; unknown bits as hex
    expect(ifFlagNames(0x1003)).toEqual(["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]);
    expect(ifFlagNames(0x40)).toEqual([]);
    expect(ifFlagNames(0x80000 | 0x41)).toEqual(["UP", "80000"]);
    expect(ifFlagNames(0x80000000)).toEqual(["80000000"]);
  });

  test("macvlanModeName, vlanProtocolName, routePrefName", () => {
    expect([1, 2, 4, 8, 16, 3].map(macvlanModeName)).toEqual(["private", "vepa", "bridge", "passthru", "source", "3"]);
    expect([0x8100, 0x88a8, 0x9100, 0x1].map(vlanProtocolName)).toEqual(["802.1Q", "802.1ad", "0x9100", "0x0001"]);
    expect([0, 1, 3, 2].map(routePrefName)).toEqual(["medium", "high", "low", "2"]);
  });
});
