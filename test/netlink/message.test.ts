import { describe, expect, test } from "bun:test";
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLM_F_MULTI,
  NetlinkDecodeError,
  RTM_NEWLINK,
  decodeDone,
  decodeError,
  decodeLink,
  parseMessages,
} from "../../src/netlink/index.ts";
import { cstr, hex, ifinfomsg, le32, msg, attr, single } from "./bytes.ts";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("parseMessages", () => {
  test("a dump datagram: two RTM_NEWLINK then NLMSG_DONE", () => {
    const lo = msg(
      { type: 16, flags: 2, seq: 7, pid: 99 }, // RTM_NEWLINK, NLM_F_MULTI
      ifinfomsg({ type: 772, index: 1, flags: 0x10049 }),
      attr(3, cstr("lo")), // IFLA_IFNAME
    );
    const eth = msg({ type: 16, flags: 2, seq: 7, pid: 99 }, ifinfomsg({ type: 1, index: 2, flags: 0x11043 }), attr(3, cstr("eth0")));
    const done = msg({ type: 3, flags: 2, seq: 7, pid: 99 }, le32(0)); // NLMSG_DONE with int 0
    const buf = Uint8Array.from([...lo, ...eth, ...done]);

    const msgs = parseMessages(buf);
    expect(msgs.map((m) => m.type)).toEqual([RTM_NEWLINK, RTM_NEWLINK, NLMSG_DONE]);
    expect(msgs.every((m) => m.seq === 7 && m.pid === 99 && m.flags === NLM_F_MULTI)).toBe(true);
    expect(msgs.map((m) => m.payload.length)).toEqual([lo.length - 16, eth.length - 16, 4]);
    expect(decodeLink(msgs[0]!).ifname).toBe("lo");
    expect(decodeLink(msgs[1]!).ifname).toBe("eth0");
    expect(decodeDone(msgs[2]!)).toEqual({ error: 0 });
  });

  test("payload stops at nlmsg_len, not at the padding", () => {
    const buf = hex(`
      11000000 0300 0200 01000000 00000000 ff 000000 // len 17: one payload byte, 3 padding bytes
      14000000 0300 0200 02000000 00000000 00000000
    `);
    const msgs = parseMessages(buf);
    expect(msgs.length).toBe(2);
    expect(Array.from(msgs[0]!.payload)).toEqual([0xff]);
    expect(msgs[1]!.seq).toBe(2);
  });

  test("the last message may lack its padding", () => {
    const buf = hex("11000000 0300 0200 01000000 00000000 ff");
    expect(parseMessages(buf).length).toBe(1);
  });

  test("empty datagram → no messages", () => {
    expect(parseMessages(new Uint8Array(0))).toEqual([]);
  });

  test("works on a view into a larger buffer", () => {
    const inner = msg({ type: 3, seq: 5 }, le32(0));
    const big = new Uint8Array(inner.length + 7);
    big.set(inner, 3);
    const m = parseMessages(big.subarray(3, 3 + inner.length));
    expect(m[0]!.seq).toBe(5);
  });

  test.each([
    ["nlmsg_len below the header (would loop forever)", "00000000 0300 0000 00000000 00000000", 0],
    ["nlmsg_len 15", "0f000000 0300 0000 00000000 00000000", 0],
    ["nlmsg_len beyond the buffer", "20000000 0300 0000 00000000 00000000", 0],
    ["trailing bytes shorter than a header", "10000000 0300 0000 00000000 00000000 0102", 16],
    ["a truncated header", "1000", 0],
  ])("%s → NetlinkDecodeError with the offset", (_name, text, offset) => {
    const e = thrown(() => parseMessages(hex(text)));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect((e as NetlinkDecodeError).offset).toBe(offset);
    expect((e as Error).message).toContain(`offset ${offset}`);
  });
});

describe("decodeError", () => {
  test("an ack (error 0, NLM_F_CAPPED: only the request header is echoed)", () => {
    const ack = msg(
      { type: 2, flags: 0x100, seq: 9 }, // NLMSG_ERROR, NLM_F_CAPPED
      le32(0),
      hex("20000000 1000 0500 09000000 00000000"), // the request's nlmsghdr
    );
    expect(decodeError(single(ack))).toEqual({ error: 0 });
  });

  test("an error with the whole request echoed and an extack message and offset", () => {
    // The request: 36 bytes (header + ifinfomsg + one 4-byte attribute)
    const request = Array.from(hex("24000000 1000 0506 0b000000 00000000  00000000 00000000 00000000 00000000  04000300"));
    const err = msg(
      { type: 2, flags: 0x200, seq: 11 }, // NLMSG_ERROR, NLM_F_ACK_TLVS
      le32(-22 >>> 0), // -EINVAL
      request,
      attr(1, cstr("Attribute failed policy validation")), // NLMSGERR_ATTR_MSG
      attr(2, le32(32)), // NLMSGERR_ATTR_OFFS: offset of the bad attribute in the request
    );
    const m = single(err);
    expect(m.type).toBe(NLMSG_ERROR);
    expect(decodeError(m)).toEqual({ error: -22, message: "Attribute failed policy validation", offset: 32 });
  });

  test("an echoed request whose length is not a multiple of 4: the TLVs start aligned", () => {
    const request = Array.from(hex("11000000 1200 0100 01000000 00000000 ff"));
    const err = msg({ type: 2, flags: 0x200 }, le32(-19 >>> 0), request, [0, 0, 0], attr(1, cstr("No such device")));
    expect(decodeError(single(err))).toEqual({ error: -19, message: "No such device" });
  });

  test("capped error with TLVs", () => {
    const err = msg({ type: 2, flags: 0x300 }, le32(-95 >>> 0), hex("44000000 1000 0506 ef030000 00000000"), attr(1, cstr("Unknown device type")));
    expect(decodeError(single(err))).toEqual({ error: -95, message: "Unknown device type" });
  });

  test("without NLM_F_ACK_TLVS trailing bytes are not read as TLVs", () => {
    const err = msg({ type: 2 }, le32(-1 >>> 0), hex("10000000 1000 0500 01000000 00000000"));
    expect(decodeError(single(err))).toEqual({ error: -1 });
  });

  test.each([
    ["too short for struct nlmsgerr", msg({ type: 2 }, le32(0))],
    ["echoed length beyond the message", msg({ type: 2, flags: 0x200 }, le32(-22 >>> 0), hex("ff000000 1000 0500 01000000 00000000"))],
    ["echoed length below a header", msg({ type: 2, flags: 0x200 }, le32(-22 >>> 0), hex("04000000 1000 0500 01000000 00000000"))],
    ["a broken TLV", msg({ type: 2, flags: 0x300 }, le32(-22 >>> 0), hex("10000000 1000 0500 01000000 00000000"), hex("0200 0100"))],
    ["not NLMSG_ERROR", msg({ type: 3 }, le32(0), le32(0), le32(0), le32(0), le32(0))],
  ])("%s → NetlinkDecodeError", (_name, buf) => {
    expect(thrown(() => decodeError(single(buf)))).toBeInstanceOf(NetlinkDecodeError);
  });
});

describe("decodeDone", () => {
  test("a dump that failed part-way carries a negative errno, maybe with extack", () => {
    expect(decodeDone(single(msg({ type: 3, flags: 2 }, le32(-90 >>> 0))))).toEqual({ error: -90 });
    const withMsg = msg({ type: 3, flags: 0x202 }, le32(-22 >>> 0), attr(1, cstr("Invalid dump request")));
    expect(decodeDone(single(withMsg))).toEqual({ error: -22, message: "Invalid dump request" });
  });

  test("an old-style DONE without payload is success", () => {
    expect(decodeDone(single(msg({ type: 3 })))).toEqual({ error: 0 });
  });
});
