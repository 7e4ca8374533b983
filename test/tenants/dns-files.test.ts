// The DNS file parsers on clean, ugly and hostile inputs: they must return what can be read,
// describe what cannot, and never throw.

import { describe, expect, test } from "bun:test";
import { decodeText, parseHosts, parseNameFile, parseResolvConf } from "../../src/discovery/tenants/dns-files.ts";
import { parseCapBnd } from "../../src/discovery/tenants/collect-tenants.ts";
import { parseFdinfoIff } from "../../src/discovery/procfs/tun-fds.ts";
import { namespaceLeaders, compareTenants } from "../../src/discovery/tenants/leaders.ts";

describe("parseHosts", () => {
  test("names map to their addresses, aliases included, in file order", () => {
    const r = parseHosts("127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n10.0.0.5\tweb web.lab.example # the web box\n");
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual([
      { name: "localhost", addresses: ["127.0.0.1", "::1"] },
      { name: "ip6-localhost", addresses: ["::1"] },
      { name: "ip6-loopback", addresses: ["::1"] },
      { name: "web", addresses: ["10.0.0.5"] },
      { name: "web.lab.example", addresses: ["10.0.0.5"] },
    ]);
  });

  test("names merge case-insensitively keeping the first spelling; repeated addresses once", () => {
    const r = parseHosts("10.0.0.1 Box\n10.0.0.1 box\n10.0.0.2 BOX\n");
    expect(r.value).toEqual([{ name: "Box", addresses: ["10.0.0.1", "10.0.0.2"] }]);
  });

  test("CRLF, comments, blank lines, zone ids", () => {
    const r = parseHosts("# header\r\n\r\n   \t\r\nfe80::1%eth0 router\r\n#10.0.0.9 hidden\r\n");
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual([{ name: "router", addresses: ["fe80::1%eth0"] }]);
  });

  test("bad lines are reported with their number and skipped; good lines survive", () => {
    const r = parseHosts("300.1.1.1 bad\n10.0.0.1\nnot-an-ip name\n10.0.0.2 good\n10.0.0.3 ok\u0007bell\n");
    expect(r.value).toEqual([{ name: "good", addresses: ["10.0.0.2"] }]);
    expect(r.problems).toEqual([
      'line 1: "300.1.1.1" is not an IP address',
      "line 2: address 10.0.0.1 has no name",
      'line 3: "not-an-ip" is not an IP address',
      'line 5: name "ok\\u0007bell" contains control characters',
    ]);
  });

  test("a flood of bad lines gives a bounded list of problems", () => {
    const r = parseHosts("garbage\n".repeat(1000));
    expect(r.value).toEqual([]);
    expect(r.problems).toHaveLength(6);
    expect(r.problems[5]).toBe("… and 995 more");
  });

  test("binary garbage never throws", () => {
    let seed = 7;
    for (let n = 0; n < 200; n++) {
      const bytes = new Uint8Array(200).map(() => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
      const text = decodeText(bytes).value;
      expect(() => parseHosts(text)).not.toThrow();
      expect(() => parseResolvConf(text)).not.toThrow();
      expect(() => parseNameFile(text)).not.toThrow();
    }
  });
});

describe("parseResolvConf", () => {
  test("nameservers, search, options", () => {
    const r = parseResolvConf("# generated\n; also a comment\nnameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch lab.example corp.example\noptions ndots:2 edns0\noptions rotate\n");
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual({ nameservers: ["192.0.2.53", "2001:db8::53"], search: ["lab.example", "corp.example"], options: ["ndots:2", "edns0", "rotate"] });
  });

  test("the last of search/domain wins, as in glibc; domain takes one word", () => {
    expect(parseResolvConf("search a.example b.example\ndomain c.example d.example\n").value.search).toEqual(["c.example"]);
    expect(parseResolvConf("domain c.example\nsearch a.example b.example\n").value.search).toEqual(["a.example", "b.example"]);
  });

  test("malformed lines are reported, the rest kept", () => {
    const r = parseResolvConf("nameserver\nnameserver 999.1.1.1\nnameserver 10.0.0.53 # trailing\nsearch\nfrobnicate yes\nsortlist 10.0.0.0\nnameserver 10.0.0.53\n");
    expect(r.value).toEqual({ nameservers: ["10.0.0.53"], search: [], options: [] });
    expect(r.problems).toEqual([
      "line 1: nameserver without an address",
      'line 2: nameserver "999.1.1.1" is not an IP address',
      "line 4: search without a domain",
      'line 5: unknown keyword "frobnicate"',
    ]);
  });

  test("empty file: nothing configured, no problem", () => {
    expect(parseResolvConf("")).toEqual({ value: { nameservers: [], search: [], options: [] }, problems: [] });
  });
});

describe("parseNameFile", () => {
  test("first non-comment line", () => {
    expect(parseNameFile("# comment\n\n  box-1.lab  \nother\n")).toEqual({ value: "box-1.lab", problems: [] });
  });
  test("empty or comments only: null", () => {
    expect(parseNameFile("")).toEqual({ value: null, problems: [] });
    expect(parseNameFile("#only\n\n")).toEqual({ value: null, problems: [] });
  });
  test("several words or invalid names: the first word, with problems", () => {
    const r = parseNameFile("my host\n");
    expect(r.value).toBe("my");
    expect(r.problems).toEqual(['line 1: more than one word ("my host"); using "my"']);
    const long = "a".repeat(70);
    expect(parseNameFile(long).problems[0]).toContain("is not a valid host name");
    expect(parseNameFile("-bad-").problems).toHaveLength(1);
  });
});

describe("decodeText", () => {
  test("invalid UTF-8 and NUL bytes are reported", () => {
    expect(decodeText(new Uint8Array([0x68, 0x69])).problems).toEqual([]);
    expect(decodeText(new Uint8Array([0xff, 0x0a])).problems).toEqual(["not valid UTF-8 (undecodable bytes replaced)"]);
    expect(decodeText(new Uint8Array([0x61, 0x00])).problems).toEqual(["contains NUL bytes: not a text file"]);
  });
});

describe("procfs bits", () => {
  test("CapBnd from a status text", () => {
    expect(parseCapBnd("Name:\tx\nCapEff:\t0000000000000000\nCapBnd:\t000001ffffffffff\nCapAmb:\t0\n")).toBe("000001ffffffffff");
    expect(parseCapBnd("Name:\tx\n")).toBeNull();
    expect(parseCapBnd("CapBnd:\tzz\n")).toBeNull();
  });

  test("iff from tun fdinfo; empty when not attached", () => {
    expect(parseFdinfoIff("pos:\t0\nflags:\t0100002\nmnt_id:\t25\nino:\t105\niff:\ttap0\n")).toBe("tap0");
    expect(parseFdinfoIff("pos:\t0\nflags:\t0100002\niff:\t\n")).toBeNull();
    expect(parseFdinfoIff("pos:\t0\n")).toBeNull();
  });

  test("leaders: members whose parent is not a member; oldest first, then by name", () => {
    const p = (pid: number, ppid: number, comm: string, startTime: number) => [pid, { pid, ppid, comm, startTime, cmdline: [] as string[], uid: 0, scheduling: null, cpuAffinity: null, pidns: null }] as const;
    const processes = new Map([p(10, 1, "sh", 50), p(11, 10, "sleep", 60), p(20, 1, "dnsmasq", 40), p(30, 99, "orphan-ish", 40)]);
    expect(namespaceLeaders(new Set([10, 11, 20, 30]), processes)).toEqual([10, 20, 30]);
    const ordered = [10, 20, 30].map((pid) => processes.get(pid)!).sort(compareTenants).map((x) => x.comm);
    expect(ordered).toEqual(["dnsmasq", "orphan-ish", "sh"]);
  });
});
