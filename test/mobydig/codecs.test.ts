// The pure parts of the neighbourhood check: DNS queries and answers (byte-exact against a
// message as a DNS server builds it, compression included), ICMP echo, and the verdict stream
// in Ghostwire's order.

import { describe, expect, test } from "bun:test";
import { decodeAnswer, DnsMessageError, encodeQuery, TYPE_A, TYPE_AAAA } from "../../src/mobydig/dns-message.ts";
import { checksum, echoRequest, parseEchoReply } from "../../src/mobydig/icmp-echo.ts";
import { VerdictStream, type Verdict } from "../../src/mobydig/verdicts.ts";

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!.map((b) => parseInt(b, 16)));

describe("DNS messages", () => {
  test("a query: header with RD, one question, labels, type and class", () => {
    expect([...encodeQuery(0x1234, "web.shopnet", TYPE_A)]).toEqual([...hex("1234 0100 0001 0000 0000 0000 03 776562 07 73686f706e6574 00 0001 0001")]);
    expect(() => encodeQuery(1, "a..b", TYPE_A)).toThrow(DnsMessageError);
    expect(() => encodeQuery(1, `${"x".repeat(64)}.example`, TYPE_A)).toThrow(DnsMessageError);
  });

  test("an answer with a compressed name: the addresses of the asked type", () => {
    // id 0x1234, QR RD RA, 1 question, 2 answers: web A 172.18.0.2 (pointer to offset 12), and a CNAME
    const msg = hex(
      "1234 8180 0001 0002 0000 0000 03776562 00 0001 0001" +
        "c00c 0001 0001 00000258 0004 ac120002" +
        "c00c 0005 0001 00000258 0002 c00c",
    );
    expect(decodeAnswer(msg, TYPE_A)).toEqual({ id: 0x1234, rcode: "NOERROR", truncated: false, addresses: ["172.18.0.2"] });
  });

  test("NXDOMAIN, AAAA, truncation; malformed input is an error, never a read past the end", () => {
    expect(decodeAnswer(hex("0007 8183 0001 0000 0000 0000 01 78 00 001c 0001"), TYPE_AAAA)).toMatchObject({ rcode: "NXDOMAIN", addresses: [] });
    const aaaa = hex("0008 8380 0001 0001 0000 0000 0178 00 001c 0001 c00c 001c 0001 0000003c 0010 20010db8000000000000000000000002");
    expect(decodeAnswer(aaaa, TYPE_AAAA)).toMatchObject({ truncated: true, addresses: ["2001:db8::2"] });
    expect(() => decodeAnswer(hex("0008 8180 0001 0001 0000 0000 0178 00 0001 0001 c00c 0001 0001 0000003c 0004 ac12"), TYPE_A)).toThrow(DnsMessageError);
    expect(() => decodeAnswer(hex("0008 0100 0000 0000 0000 0000"), TYPE_A)).toThrow("not a response");
    expect(() => decodeAnswer(hex("0008"), TYPE_A)).toThrow(DnsMessageError);
  });

});

describe("ICMP echo", () => {
  test("IPv4 request carries a checksum that verifies; replies matched by type, id and seq", () => {
    const req = echoRequest(false, 0xbeef, 3);
    expect(req[0]).toBe(8);
    expect(checksum(req)).toBe(0);
    const reply = new Uint8Array(20 + req.length);
    reply[0] = 0x45;
    reply.set(req, 20);
    reply[20] = 0; // echo reply
    expect(parseEchoReply(false, reply)).toEqual({ id: 0xbeef, seq: 3 });
    reply[20] = 8; // our own request seen on lo
    expect(parseEchoReply(false, reply)).toBeNull();
    const v6 = echoRequest(true, 1, 2);
    expect([v6[0], v6[2], v6[3]]).toEqual([128, 0, 0]); // the kernel fills in the ICMPv6 checksum
    v6[0] = 129;
    expect(parseEchoReply(true, v6)).toEqual({ id: 1, seq: 2 });
    expect(parseEchoReply(true, v6.subarray(0, 4))).toBeNull();
  });
});

describe("the verdict stream", () => {
  test("Ghostwire's order; an address checked once for every name that resolves to it", () => {
    const out: Verdict[] = [];
    const s = new VerdictStream((v) => out.push(v));
    s.submitted("web");
    s.submitted("web.shopnet");
    expect(s.resolved("web", "172.18.0.2")).toBe(true);
    s.checked("172.18.0.2", "verifying");
    expect(s.resolved("web.shopnet", "172.18.0.2")).toBe(false); // joins the check in progress
    s.checked("172.18.0.2", "verified");
    s.checked("172.18.0.2", "verifying"); // stale: ignored
    s.submitted("gone");
    s.unresolved("gone", "NXDOMAIN");
    expect(out).toEqual([
      { fqdn: "web.", quality: "unverified" },
      { fqdn: "web.shopnet.", quality: "unverified" },
      { fqdn: "web.", address: "172.18.0.2", quality: "unverified" },
      { fqdn: "web.", address: "172.18.0.2", quality: "verifying" },
      { fqdn: "web.shopnet.", address: "172.18.0.2", quality: "verifying" },
      { fqdn: "web.", address: "172.18.0.2", quality: "verified" },
      { fqdn: "web.shopnet.", address: "172.18.0.2", quality: "verified" },
      { fqdn: "gone.", quality: "unverified" },
      { fqdn: "gone.", quality: "invalid", error: "NXDOMAIN" },
    ]);
  });
});
