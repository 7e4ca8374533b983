// Requests, byte for byte. The expected bytes are what iproute2 6.1 sent on this machine
// (captured with `strace -e trace=sendto,sendmsg -xx`), with the sequence numbers it used.

import { describe, expect, test } from "bun:test";
import {
  AF_INET,
  AF_INET6,
  buildGetAddrDump,
  buildGetLink,
  buildGetLinkDump,
  buildGetNsidForFd,
  buildGetRouteDump,
  buildNsidDump,
  encodeMessage,
} from "../../src/netlink/index.ts";
import { hex, toHex } from "./bytes.ts";

const SEQ = 0x6b02530b;

describe("request builders", () => {
  test("RTM_GETLINK dump with IFLA_EXT_MASK = VF|SKIP_STATS", () => {
    // `ip addr show` sends this dump with RTEXT_FILTER_VF only; `ip -d link show DEV` adds
    // RTEXT_FILTER_SKIP_STATS (0x9), which is what we want for every link.
    const expected = hex(`
      28000000 1200 0103 0b53026b 00000000  // nlmsghdr: len 40, RTM_GETLINK, REQUEST|ROOT|MATCH, seq, pid 0
      00 00 0000 00000000 00000000 00000000 // ifinfomsg: AF_UNSPEC, pad, type, index, flags, change
      0800 1d00 09000000                    // IFLA_EXT_MASK (29) = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS
    `);
    expect(toHex(buildGetLinkDump(SEQ))).toBe(toHex(expected));
  });

  test("RTM_GETLINK of one link, here and in a peer namespace (IFLA_TARGET_NETNSID)", () => {
    const here = hex(`
      28000000 1200 0100 0b53026b 00000000  // len 40, RTM_GETLINK, REQUEST only (one answer, no ack)
      00 00 0000 07000000 00000000 00000000 // ifinfomsg: ifi_index 7
      0800 1d00 09000000                    // IFLA_EXT_MASK = VF | SKIP_STATS
    `);
    expect(toHex(buildGetLink(SEQ, 7))).toBe(toHex(here));
    const there = hex(`
      30000000 1200 0100 0b53026b 00000000  // len 48
      00 00 0000 07000000 00000000 00000000
      0800 1d00 09000000
      0800 2e00 03000000                    // IFLA_TARGET_NETNSID (46) = 3
    `);
    expect(toHex(buildGetLink(SEQ, 7, 3))).toBe(toHex(there));
  });

  test("RTM_GETADDR dump, all families (as `ip addr show`)", () => {
    const expected = hex(`
      18000000 1600 0103 0c53026b 00000000 // len 24, RTM_GETADDR, REQUEST|DUMP
      00 00 00 00 00000000                 // ifaddrmsg: AF_UNSPEC, prefixlen, flags, scope, index
    `);
    expect(toHex(buildGetAddrDump(0x6b02530c))).toBe(toHex(expected));
    expect(buildGetAddrDump(1, AF_INET6)[16]).toBe(10);
  });

  test("RTM_GETROUTE dump of all tables, per family (as `ip -4/-6 route show table all`)", () => {
    const v4 = hex(`
      1c000000 1a00 0103 0b53026b 00000000 // len 28, RTM_GETROUTE, REQUEST|DUMP
      02 00 00 00 00 00 00 00 00000000     // rtmsg: AF_INET, dst/src len, tos, RT_TABLE_UNSPEC, proto, scope, type, flags
    `);
    const v6 = hex(`
      1c000000 1a00 0103 0b53026b 00000000
      0a 00 00 00 00 00 00 00 00000000     // AF_INET6
    `);
    expect(toHex(buildGetRouteDump(SEQ, AF_INET))).toBe(toHex(v4));
    expect(toHex(buildGetRouteDump(SEQ, AF_INET6))).toBe(toHex(v6));
  });

  test("RTM_GETNSID dump (as `ip netns list-id`)", () => {
    const expected = hex(`
      14000000 5a00 0103 0b53026b 00000000 // len 20, RTM_GETNSID (90), REQUEST|DUMP
      00000000                             // rtgenmsg AF_UNSPEC, padded to 4
    `);
    expect(toHex(buildNsidDump(SEQ))).toBe(toHex(expected));
  });

  test("RTM_GETNSID for a namespace fd (as `ip netns list` asks per namespace)", () => {
    const expected = hex(`
      1c000000 5a00 0100 0d53026b 00000000 // len 28, RTM_GETNSID, NLM_F_REQUEST only: the answer is RTM_NEWNSID
      00000000                             // rtgenmsg AF_UNSPEC + padding
      0800 0300 06000000                   // NETNSA_FD (3) = 6
    `);
    expect(toHex(buildGetNsidForFd(0x6b02530d, 6))).toBe(toHex(expected));
  });

  test("encodeMessage pads to 4 but keeps nlmsg_len exact; pid defaults to 0", () => {
    const out = encodeMessage({ type: 0x1234, flags: 0x0105, seq: 0xfffffffe }, Uint8Array.of(1, 2, 3, 4, 5));
    expect(toHex(out)).toBe(toHex(hex("15000000 3412 0501 feffffff 00000000 0102030405 000000")));
    const withPid = encodeMessage({ type: 3, flags: 2, seq: 1, pid: 4242 }, new Uint8Array(0));
    expect(toHex(withPid)).toBe(toHex(hex("10000000 0300 0200 01000000 92100000")));
  });
});
