// The model's IP parser and formatter: known cases, then random inputs checked against two
// independent implementations — the codec's glibc-style text (src/netlink/inet.ts) for
// formatting, and Python's ipaddress module for what counts as an address at all.

import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { ipAddress } from "../../src/netlink/inet.ts";
import { IpParseError, formatIp, inPrefix, isV4Mapped, parseIp, tryParseIp, unmapV4 } from "../../src/model/ip.ts";

const v4 = (s: string) => parseIp(s).value;

describe("parseIp", () => {
  test("IPv4", () => {
    expect(parseIp("10.0.0.1")).toEqual({ family: "ipv4", value: 0x0a000001n });
    expect(v4("0.0.0.0")).toBe(0n);
    expect(v4("255.255.255.255")).toBe(0xffffffffn);
  });

  test("IPv6 with and without :: compression, any case, with a dotted IPv4 tail", () => {
    const full = (s: string) => parseIp(s).value.toString(16).padStart(32, "0");
    expect(full("::")).toBe("0".repeat(32));
    expect(full("::1")).toBe("0".repeat(31) + "1");
    expect(full("1::")).toBe("0001" + "0".repeat(28));
    expect(full("2001:DB8::8:800:200C:417A")).toBe("20010db8000000000008080020 0c417a".replace(" ", ""));
    expect(full("2001:db8:0:0:8:800:200c:417a")).toBe(full("2001:db8::8:800:200c:417a"));
    expect(full("1:2:3:4:5:6:7:8")).toBe("00010002000300040005000600070008");
    expect(full("1:2:3:4:5:6:7::")).toBe("00010002000300040005000600070000");
    expect(full("::2:3:4:5:6:7:8")).toBe("00000002000300040005000600070008");
    expect(full("::ffff:10.0.0.1")).toBe("00000000000000000000ffff0a000001");
    expect(full("1:2:3:4:5:6:1.2.3.4")).toBe("00010002000300040005000601020304");
    expect(parseIp("fe80::1").family).toBe("ipv6");
  });

  test("garbage is rejected with a message that says what is wrong", () => {
    for (const bad of [
      "10.0.0", "10.0.0.1.2", "256.0.0.1", "010.0.0.1", "1.2.3.-4", " 10.0.0.1", "10.0.0.1 ", "1e1.0.0.1", "0x1.0.0.1",
      "a.b.c.d", "localhost", ":", ":::", "1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "::1.2.3",
      "1.2.3.4::", "::1.2.3.4:5", "g::1", "1:2:3:4:5:6:7:8::", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:",
    ]) {
      expect(() => parseIp(bad)).toThrow(IpParseError);
      expect(tryParseIp(bad)).toBeNull();
    }
    expect(() => parseIp("999.1.1.1")).toThrow('"999.1.1.1" is not a valid IP address (IPv4 is four numbers 0-255 joined by dots)');
    expect(() => parseIp("1::2::3")).toThrow('"1::2::3" is not a valid IPv6 address');
    expect(() => parseIp("10.0.0.0/8")).toThrow("is a prefix");
    expect(() => parseIp("fe80::1%eth0")).toThrow("zone ids");
    expect(() => parseIp("")).toThrow("required");
    expect(() => parseIp("x".repeat(10_000))).toThrow(/"x{64}…"/);
  });
});

describe("formatIp, v4-mapped, prefixes", () => {
  test("canonical text (RFC 5952)", () => {
    for (const [input, out] of [
      ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
      ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
      ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["0:0:0:0:0:0:0:0", "::"],
      ["::ffff:10.0.0.1", "::ffff:10.0.0.1"],
      ["::ffff:a00:1", "::ffff:10.0.0.1"],
      ["192.168.001.1".replace("001", "1"), "192.168.1.1"],
    ]) expect(formatIp(parseIp(input!))).toBe(out!);
  });

  test("v4-mapped addresses unmap to IPv4; others stay", () => {
    const m = parseIp("::ffff:192.0.2.1");
    expect(isV4Mapped(m)).toBe(true);
    expect(unmapV4(m)).toEqual(parseIp("192.0.2.1"));
    expect(isV4Mapped(parseIp("::192.0.2.1"))).toBe(false);
    expect(unmapV4(parseIp("fe80::1"))).toEqual(parseIp("fe80::1"));
  });

  test("inPrefix", () => {
    const p = (a: string, n: string, l: number) => inPrefix(parseIp(a), parseIp(n), l);
    expect(p("10.1.2.3", "10.0.0.0", 8)).toBe(true);
    expect(p("11.1.2.3", "10.0.0.0", 8)).toBe(false);
    expect(p("10.1.2.3", "10.1.2.3", 32)).toBe(true);
    expect(p("10.1.2.4", "10.1.2.3", 32)).toBe(false);
    expect(p("1.2.3.4", "0.0.0.0", 0)).toBe(true);
    expect(p("fd00:1::5", "fd00:1::", 64)).toBe(true);
    expect(p("fd00:2::5", "fd00:1::", 64)).toBe(false);
    expect(p("::5", "::", 0)).toBe(true);
    expect(p("10.0.0.1", "::", 0)).toBe(false);
  });
});

// Deterministic pseudo-random numbers, so a failure reproduces.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

describe("against independent implementations", () => {
  test("random addresses: glibc-style text from the codec parses back to the same bytes, and formats the same", () => {
    const rand = rng(42);
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(rand() < 0.3 ? 4 : 16);
      for (let j = 0; j < bytes.length; j++) bytes[j] = rand() < 0.4 ? 0 : Math.floor(rand() * 256);
      if (bytes.length === 16 && rand() < 0.1) bytes.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
      const text = ipAddress(bytes);
      const ip = parseIp(text);
      const expected = [...bytes].reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
      expect(ip.value).toBe(expected);
      // glibc prints ::a.b.c.d for the deprecated v4-compatible form; RFC 5952 does not.
      const v4compat = bytes.length === 16 && /^::\d+\.\d+\.\d+\.\d+$/.test(text);
      if (!v4compat) expect(formatIp(ip)).toBe(text);
    }
  });

  test("random strings: accepted exactly when Python's ipaddress accepts them", () => {
    const rand = rng(7);
    const alphabet = "0123456789abcdefABCDEF:.:.::g";
    const inputs: string[] = [];
    for (let i = 0; i < 4000; i++) {
      let s = "";
      const len = 1 + Math.floor(rand() * 24);
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      inputs.push(s);
    }
    // Also near-misses of valid addresses: one character dropped or doubled.
    for (const base of ["10.20.30.40", "2001:db8::1:2", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8"])
      for (let k = 0; k < base.length; k++) inputs.push(base.slice(0, k) + base.slice(k + 1), base.slice(0, k) + base[k] + base.slice(k));
    const py = spawnSync(
      "python3",
      ["-c", "import sys, ipaddress\nfor line in sys.stdin.read().split('\\n'):\n    try:\n        ip = ipaddress.ip_address(line); print(int(ip))\n    except ValueError:\n        print('-')"],
      { encoding: "utf8", input: inputs.join("\n") },
    );
    expect(py.status).toBe(0);
    const verdicts = py.stdout.trim().split("\n");
    expect(verdicts).toHaveLength(inputs.length);
    let accepted = 0;
    inputs.forEach((s, i) => {
      const ours = tryParseIp(s);
      const theirs = verdicts[i]!;
      expect({ s, ours: ours === null ? "-" : ours.value.toString() }).toEqual({ s, ours: theirs });
      if (ours) accepted++;
    });
    expect(accepted).toBeGreaterThan(20);
  });
});
