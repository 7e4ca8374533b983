// Filter compilation through libpcap, checked against tcpdump's own compilation of the same
// expression (`tcpdump -ddd`, an independent program over the same library) — and bad input.
import { beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { CAPTURE_SNAPLEN, FilterSyntaxError, compileFilter } from "../../src/ffi/index.ts";
import { ensureTool } from "../helpers/packages.ts";
import { requireRoot } from "../helpers/lab.ts";

const root = requireRoot(); // installing the oracle needs root

beforeAll(() => {
  if (root) ensureTool("tcpdump", "tcpdump");
});

function tcpdumpProgram(linkType: string, expr: string): number[][] {
  const r = spawnSync("tcpdump", ["-y", linkType, "-s", String(CAPTURE_SNAPLEN), "-ddd", "-i", "lo", expr], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tcpdump -ddd ${expr}: ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  expect(Number(lines[0])).toBe(lines.length - 1);
  return lines.slice(1).map((l) => l.split(" ").map(Number));
}

describe.if(root)("compileFilter", () => {
  for (const [linkType, dlt, expr] of [
    [1, "EN10MB", "icmp"],
    [1, "EN10MB", "tcp port 80 or (udp and not port 53)"],
    [1, "EN10MB", "host 10.1.2.3 and greater 100"],
  ] as const) {
    test(`${expr} (${dlt}) compiles to what tcpdump -ddd says`, () => {
      const ours = compileFilter(expr, linkType, CAPTURE_SNAPLEN).map((i) => [i.code, i.jt, i.jf, i.k]);
      expect(ours).toEqual(tcpdumpProgram(dlt, expr));
    });
  }

  test("raw-IP interfaces (tun) get a program for LINKTYPE_RAW, reading the IP header at offset 0", () => {
    // tcpdump -y RAW needs a device of that type, so no oracle here: the first instruction shows
    // the difference (Ethernet loads the ethertype at 12, raw IP loads the version nibble at 0).
    const raw = compileFilter("icmp", 101, CAPTURE_SNAPLEN);
    const eth = compileFilter("icmp", 1, CAPTURE_SNAPLEN);
    expect(eth[0]).toEqual({ code: 0x28, jt: 0, jf: 0, k: 12 }); // ldh [12]
    expect(raw[0]).toEqual({ code: 0x30, jt: 0, jf: 0, k: 0 }); // ldb [0]
  });

  test("a bad expression is a FilterSyntaxError carrying libpcap's reason", () => {
    for (const bad of ["tcp port nope-not-a-port", "((", "icmp and and", "ether host 1:2"]) {
      let err: unknown;
      try {
        compileFilter(bad, 1, CAPTURE_SNAPLEN);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FilterSyntaxError);
      expect((err as Error).message).toStartWith(`invalid capture filter ${JSON.stringify(bad)}: `);
      expect((err as FilterSyntaxError).reason.length).toBeGreaterThan(0);
    }
  });

  test("a NUL byte in the expression is refused before reaching C", () => {
    expect(() => compileFilter("icmp\0 or tcp", 1, CAPTURE_SNAPLEN)).toThrow(FilterSyntaxError);
  });
});
