// Robustness: every decoder, fed garbage, truncations and single-byte mutations of valid
// messages, must either return or throw NetlinkDecodeError — never a RangeError/TypeError, never
// hang. Deterministic: the seed is printed with any failure; set WIRESIGHT_FUZZ_SEED to replay.

import { expect, test } from "bun:test";
import {
  type NetlinkMessage,
  NetlinkDecodeError,
  decodeAddress,
  decodeDone,
  decodeError,
  decodeInetDiag,
  decodeLink,
  decodeNftChain,
  decodeNftRule,
  decodeNftSet,
  decodeNftSetElements,
  decodeNftTable,
  decodeNsid,
  decodeRoute,
  parseAttributes,
  parseMessages,
} from "../../src/netlink/index.ts";
import fixture from "./fixtures/kernel-6.18.json";
import nftFixture from "./fixtures/nftables-6.18.json";
import sockdiag from "./fixtures/sockdiag-6.18.json";
import { attr, be16, be32, cstr, hex, ifaddrmsg, ifinfomsg, ip4, ip6, le16, le32, msg, nest, prng, rtmsg } from "./bytes.ts";

const SEED = Number(process.env.WIRESIGHT_FUZZ_SEED ?? 0x5eed_2024);

const DECODERS: [string, (m: NetlinkMessage) => unknown][] = [
  ["decodeLink", decodeLink],
  ["decodeAddress", decodeAddress],
  ["decodeRoute", decodeRoute],
  ["decodeNsid", decodeNsid],
  ["decodeError", decodeError],
  ["decodeDone", decodeDone],
  ["decodeNftTable", decodeNftTable],
  ["decodeNftChain", decodeNftChain],
  ["decodeNftRule", decodeNftRule],
  ["decodeNftSet", decodeNftSet],
  ["decodeNftSetElements", decodeNftSetElements],
  ["decodeInetDiag", decodeInetDiag],
];
/**
 * A message type each of DECODERS accepts: RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWNSID,
 * NLMSG_ERROR, NLMSG_DONE, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWTABLE / NEWCHAIN / NEWRULE /
 * NEWSET / NEWSETELEM, and SOCK_DIAG_BY_FAMILY.
 */
const WANTS = [16, 20, 24, 88, 2, 3, 0x0a00, 0x0a03, 0x0a06, 0x0a09, 0x0a0c, 20];

/** Valid messages: everything the kernel sent in the capture, plus hand-built ones for kinds it lacks. */
function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const hexes of [...Object.values(fixture.messages), ...Object.values(nftFixture.messages), ...Object.values(sockdiag.messages)]) {
    for (const h of hexes as string[]) {
      const buf = hex(h);
      for (const m of parseMessages(buf)) {
        const whole = new Uint8Array(16 + m.payload.length);
        whole.set(buf.subarray(m.payload.byteOffset - buf.byteOffset - 16, m.payload.byteOffset - buf.byteOffset + m.payload.length));
        out.push(whole);
      }
    }
  }
  const nh = (ifindex: number, ...attrs: number[][]) => {
    const body = attrs.flat();
    return [...le16(8 + body.length), 0, 1, ...le32(ifindex), ...body];
  };
  out.push(
    msg({ type: 16 }, ifinfomsg({ type: 1, index: 6, flags: 0x1003 }), attr(3, cstr("eth0.100")), nest(18, attr(1, cstr("vlan")), nest(2, attr(5, be16(0x88a8)), attr(1, le16(100)), attr(2, le32(1), le32(~0)), nest(4, attr(1, le32(1), le32(2)))))),
    msg({ type: 16 }, ifinfomsg({ type: 1, index: 7, flags: 0 }), nest(18, attr(1, cstr("vxlan")), nest(2, attr(1, le32(5)), attr(4, ip4("10.0.0.1")), attr(17, ip6("fd00000000000000000000000000000a")), attr(10, be16(1), be16(2)), attr(26, be32(7)), attr(29, [1])))),
    msg({ type: 16 }, ifinfomsg({ type: 1, index: 8, flags: 0 }), nest(18, attr(1, cstr("bridge")), nest(2, attr(11, [0x80, 0, 1, 2, 3, 4, 5, 6]), attr(8, be16(0x8100)), attr(7, [1])))),
    msg({ type: 24 }, rtmsg({ family: 2, dstLen: 8, table: 252, protocol: 4, scope: 0, type: 1 }), attr(15, le32(1000)), nest(8, attr(2, le32(1400)), attr(16, cstr("cubic"))), attr(9, nh(2, attr(5, ip4("192.0.2.1"))), nh(3, attr(18, le16(10), ip6("fe800000000000000000000000000001"))))),
    msg({ type: 20 }, ifaddrmsg({ family: 10, prefixlen: 64, flags: 2, scope: 0, index: 4 }), attr(1, ip6("20010db8000000000000000000000001")), attr(6, le32(1), le32(2), le32(3), le32(4)), attr(8, le32(0x202))),
    msg({ type: 2, flags: 0x200 }, le32(-22 >>> 0), hex("14000000 1000 0500 01000000 00000000 01020304"), attr(1, cstr("bad")), attr(2, le32(16))),
    msg({ type: 3, flags: 0x202 }, le32(-90 >>> 0), attr(1, cstr("dump failed"))),
    // kube-proxy's maps: a set, and a verdict map element with a concatenated key and a comment
    msg({ type: 0x0a09 }, [2, 0, 0, 0], attr(1, cstr("kube-proxy")), attr(2, cstr("service-ips")), attr(3, be32(0x88)), attr(4, be32(0x1c4c)), attr(5, be32(12)), attr(6, be32(0xffffff00)), attr(13, [3, 4, 65, 66, 67, 0])),
    msg(
      { type: 0x0a0c },
      [2, 0, 0, 0],
      attr(1, cstr("kube-proxy")),
      attr(2, cstr("service-ips")),
      nest(3, nest(1, nest(1, attr(1, [172, 30, 0, 41, 6, 0, 0, 0, 0, 80, 0, 0])), nest(2, nest(2, attr(1, be32(-4 >>> 0)), attr(2, cstr("service-X")))), attr(6, [0, 4, 65, 66, 67, 0]))),
    ),
  );
  return out;
}

function header(buf: Uint8Array, payload: Uint8Array): NetlinkMessage {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return { type: v.getUint16(4, true), flags: v.getUint16(6, true), seq: v.getUint32(8, true), pid: v.getUint32(12, true), payload };
}

test(
  "decoders return or throw NetlinkDecodeError on garbage, truncations and mutations",
  () => {
    const rnd = prng(SEED);
    const int = (n: number) => Math.floor(rnd() * n);
    let cases = 0;
    let errors = 0;

    const guard = (what: string, input: Uint8Array, fn: () => unknown) => {
      cases++;
      try {
        fn();
      } catch (e) {
        if (e instanceof NetlinkDecodeError) {
          errors++;
          return;
        }
        const bytes = Array.from(input, (b) => b.toString(16).padStart(2, "0")).join("");
        throw new Error(`fuzz seed ${SEED}: ${what} threw ${String(e)} (${(e as Error)?.name}) on ${bytes}`);
      }
    };
    // A message as the socket layer would hand it over: whole buffer through parseMessages, and
    // its header + (possibly broken) payload straight into every decoder.
    const feed = (what: string, buf: Uint8Array, payload: Uint8Array) => {
      guard(`${what} parseMessages`, buf, () => {
        for (const m of parseMessages(buf)) for (const [, d] of DECODERS) guard(what, buf, () => d(m));
      });
      if (buf.length >= 16) {
        const m = header(buf, payload);
        for (const [name, d] of DECODERS) guard(`${what} ${name}`, buf, () => d(m));
        // and with the type each decoder wants, so that its attribute code runs whatever the bytes
        DECODERS.forEach(([name, d], i) => guard(`${what} ${name} (type forced)`, buf, () => d({ ...m, type: WANTS[i]! })));
      }
      guard(`${what} parseAttributes`, payload, () => parseAttributes(payload));
    };

    const valid = corpus();
    expect(valid.length).toBeGreaterThan(60);

    // (a) random bytes: plain, and random TLV soup behind a plausible header
    for (let i = 0; i < 3000; i++) {
      const buf = Uint8Array.from({ length: int(200) }, () => int(256));
      feed("random", buf, buf.subarray(Math.min(16, buf.length)));
    }
    for (let i = 0; i < 3000; i++) {
      const parts: number[][] = [];
      const n = int(8);
      for (let k = 0; k < n; k++) {
        const data = Array.from({ length: int(24) }, () => int(256));
        const a = rnd() < 0.3 ? nest(int(40), attr(int(40), data), attr(int(40), data.slice(0, int(data.length + 1)))) : attr(int(40), data);
        if (rnd() < 0.1) a[0] = int(256); // lie about nla_len
        parts.push(a);
      }
      const type = [2, 3, 16, 17, 20, 21, 24, 25, 88, 89, 0x0a00, 0x0a03, 0x0a06][int(13)]!;
      const fixed = Array.from({ length: [0, 4, 8, 12, 16, 20][int(6)]! }, () => int(256));
      const buf = msg({ type, flags: int(0x400) }, fixed, ...parts);
      feed("structured", buf, buf.subarray(16));
    }

    for (const buf of valid) {
      // (b) every truncation: of the datagram, and of the payload under an intact header
      for (let k = 0; k < buf.length; k++) {
        feed("truncated", buf.subarray(0, k), buf.subarray(16, Math.max(16, k)));
      }
      // (c) single-byte mutations
      for (let i = 0; i < 60; i++) {
        const copy = buf.slice();
        copy[int(copy.length)] = rnd() < 0.5 ? int(256) : [0, 1, 2, 3, 4, 0x7f, 0x80, 0xff][int(8)]!;
        feed("mutated", copy, copy.subarray(16));
      }
    }

    expect(cases).toBeGreaterThan(50_000);
    expect(errors).toBeGreaterThan(0);
    console.log(`fuzz seed ${SEED}: ${cases} cases, ${errors} NetlinkDecodeErrors`);
  },
  { timeout: 20_000 },
);
