// Address text must be identical to glibc's inet_ntop: it ends up in identity keys and is
// compared with `ip` output. Expected values below were produced by glibc through
// python3 -c "socket.inet_ntop(socket.AF_INET6, bytes.fromhex(...))".

import { describe, expect, test } from "bun:test";
import { NetlinkDecodeError, ipAddress, mac, parseIpAddress } from "../../src/netlink/index.ts";
import { hex, prng, toHex } from "./bytes.ts";

const GLIBC_NTOP6: [string, string][] = [
  ["00000000000000000000000000000000", "::"],
  ["00000000000000000000000000000001", "::1"],
  ["20010db8000000000000000000000001", "2001:db8::1"],
  // two equal runs of two zero groups: the first is compressed
  ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
  ["fe800000000000000000000000000001", "fe80::1"],
  ["00000000000000000000ffffc0000201", "::ffff:192.0.2.1"],
  ["00010000000000000000000000000000", "1::"],
  // the longer (second) run wins over the first
  ["00000000000000010000000000000000", "0:0:0:1::"],
  ["00000000000000000001000000000000", "::1:0:0:0"],
  // no run of two or more: nothing compressed, single zero groups stay
  ["20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"],
  ["20010db8000000000001000000000000", "2001:db8:0:0:1::"],
  ["20010db8000000010000000000000001", "2001:db8:0:1::1"],
  // IPv4-compatible and IPv4-mapped forms get a dotted tail, other prefixes do not
  ["0000000000000000000000000a000001", "::10.0.0.1"],
  ["00000000000000000000ffff00000000", "::ffff:0.0.0.0"],
  ["00000000000000000000000000020003", "::0.2.0.3"],
  ["00000000000000000000fffe01020304", "::fffe:102:304"],
  ["000000000000ffff0000000001020304", "::ffff:0:0:102:304"],
  ["ff020000000000000000000000000001", "ff02::1"],
  ["00000001000000000000000000000000", "0:1::"],
  ["20010db800000000000100000000000f", "2001:db8::1:0:0:f"],
  ["00000000000100000000000000000000", "0:0:1::"],
  ["20010db8aaaabbbbccccddddeeeeffff", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"],
];

describe("ipAddress", () => {
  test.each(GLIBC_NTOP6)("%s → %s", (bytes, text) => {
    expect(ipAddress(hex(bytes))).toBe(text);
  });

  test("IPv4", () => {
    expect(ipAddress(Uint8Array.of(192, 0, 2, 1))).toBe("192.0.2.1");
    expect(ipAddress(Uint8Array.of(0, 0, 0, 0))).toBe("0.0.0.0");
    expect(ipAddress(Uint8Array.of(255, 255, 255, 255))).toBe("255.255.255.255");
  });

  test.each([0, 1, 3, 5, 6, 15, 17])("%i bytes → NetlinkDecodeError", (n) => {
    expect(() => ipAddress(new Uint8Array(n))).toThrow(NetlinkDecodeError);
  });
});

describe("parseIpAddress", () => {
  test.each(GLIBC_NTOP6)("round trip of %s", (bytes, text) => {
    expect(toHex(parseIpAddress(text))).toBe(bytes);
  });

  test("accepts what inet_pton accepts", () => {
    expect(Array.from(parseIpAddress("10.1.2.3"))).toEqual([10, 1, 2, 3]);
    expect(toHex(parseIpAddress("2001:DB8:0:0:0:0:0:1"))).toBe("20010db8000000000000000000000001");
    expect(toHex(parseIpAddress("1:2:3:4:5:6:7::"))).toBe("00010002000300040005000600070000");
    expect(toHex(parseIpAddress("::2:3:4:5:6:7:8"))).toBe("00000002000300040005000600070008");
    expect(toHex(parseIpAddress("1:2:3:4:5:6:1.2.3.4"))).toBe("00010002000300040005000601020304");
    expect(toHex(parseIpAddress("0001:0002::00ff"))).toBe("000100020000000000000000000000ff");
  });

  test.each([
    "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", " 1.2.3.4", "a.b.c.d", ":", ":::", "1:::2",
    "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "::g", "fe80::1%eth0", "1::2:3:4:5:6:7:8",
    ":1::", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "1.2.3.4::",
  ])("rejects %j", (text) => {
    expect(() => parseIpAddress(text)).toThrow(NetlinkDecodeError);
  });
});

describe("mac", () => {
  test("any length, lowercase, zero-padded", () => {
    expect(mac(hex("0a1bC2d3e4f5"))).toBe("0a:1b:c2:d3:e4:f5");
    expect(mac(hex("c0000201"))).toBe("c0:00:02:01");
    expect(mac(new Uint8Array(0))).toBe("");
    expect(mac(new Uint8Array(20)).split(":").length).toBe(20);
  });
});

// Cross-check against the real glibc on random addresses biased towards zero runs, when python3
// is around (it calls glibc's inet_ntop / inet_pton).
const python = Bun.which("python3");
describe.skipIf(!python)("agreement with glibc on random addresses", () => {
  test("inet_ntop(AF_INET6) for 3000 addresses", () => {
    const seed = 20240611;
    const rnd = prng(seed);
    const inputs: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const b = new Uint8Array(16);
      for (let w = 0; w < 8; w++) {
        const r = rnd();
        const word = r < 0.55 ? 0 : r < 0.65 ? 0xffff : r < 0.75 ? 1 : Math.floor(rnd() * 0x10000);
        b[2 * w] = word >> 8;
        b[2 * w + 1] = word & 0xff;
      }
      if (rnd() < 0.1) b.fill(0, 0, 10);
      inputs.push(toHex(b));
    }
    const script =
      "import socket,sys\nfor l in sys.stdin.read().split():\n print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(l)))";
    const out = Bun.spawnSync([python!, "-c", script], { stdin: new TextEncoder().encode(inputs.join("\n")) });
    const expected = out.stdout.toString().trim().split("\n");
    expect(expected.length).toBe(inputs.length);
    inputs.forEach((h, i) => {
      const got = ipAddress(hex(h));
      if (got !== expected[i]) throw new Error(`seed ${seed}: ${h} → ${got}, glibc says ${expected[i]}`);
      expect(toHex(parseIpAddress(got))).toBe(h);
    });
  });
});
