import { describe, expect, test } from "bun:test";
import {
  NetlinkDecodeError,
  attributeMap,
  be16,
  be32,
  concat,
  encodeAttribute,
  encodeNested,
  encodeU32Attribute,
  parseAttributes,
  s32,
  str,
  u16,
  u32,
  u64,
  u8,
} from "../../src/netlink/index.ts";
import { hex, toHex } from "./bytes.ts";

describe("parseAttributes", () => {
  test("types, nesting flag, payload views, offsets", () => {
    const area = hex(`
      0800 0400 dc050000       // IFLA_MTU 1500
      0700 0300 6c6f00 00      // IFLA_IFNAME "lo" (len 7, one padding byte)
      0c00 1280 0800 0100 aabbccdd // IFLA_LINKINFO | NLA_F_NESTED
      0600 0f40 1234 0000      // type 15 | NLA_F_NET_BYTEORDER
    `);
    const attrs = parseAttributes(area, 100);
    expect(attrs.map((a) => a.type)).toEqual([4, 3, 18, 15]);
    expect(attrs.map((a) => a.nested)).toEqual([false, false, true, false]);
    expect(attrs.map((a) => a.offset)).toEqual([100, 108, 116, 128]);
    expect(toHex(attrs[1]!.data)).toBe("6c6f00");
    expect(toHex(attrs[3]!.data)).toBe("1234");
    expect(parseAttributes(attrs[2]!.data).map((a) => a.type)).toEqual([1]);
  });

  test("a zero-length payload is fine; a missing final padding is fine", () => {
    expect(parseAttributes(hex("0400 0700")).map((a) => a.data.length)).toEqual([0]);
    expect(parseAttributes(hex("0500 0100 ff")).map((a) => toHex(a.data))).toEqual(["ff"]);
    expect(parseAttributes(new Uint8Array(0))).toEqual([]);
  });

  test.each([
    ["nla_len 0 (would loop forever)", "0000 0100 00000000", 0],
    ["nla_len 3", "0300 0100 00000000", 0],
    ["nla_len beyond the area", "0800 0100 0000", 0],
    ["2 trailing bytes", "0400 0100 0000", 4],
    ["second attribute truncated", "0400 0100 0900 0200 00000000", 4],
  ])("%s → NetlinkDecodeError at the offset", (_n, text, offset) => {
    let err: unknown;
    try {
      parseAttributes(hex(text), 32);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NetlinkDecodeError);
    expect((err as NetlinkDecodeError).offset).toBe(32 + offset);
  });

  test("attributeMap: last one wins", () => {
    const m = attributeMap(hex("0800 0400 01000000 0800 0400 02000000 0500 0300 41000000"));
    expect(u32(m.get(4)!)).toBe(2);
    expect(str(m.get(3)!)).toBe("A");
  });
});

describe("readers", () => {
  const b = hex("fefffffff0debc9a 78563412");
  test("host order (little-endian) and network order", () => {
    expect(u8(b)).toBe(0xfe);
    expect(u16(b)).toBe(0xfffe);
    expect(u32(b)).toBe(0xfffffffe);
    expect(s32(b)).toBe(-2);
    expect(u64(b)).toBe(0x9abcdef0fffffffen);
    expect(be16(hex("12b5"))).toBe(4789);
    expect(be32(hex("000fffff"))).toBe(0xfffff);
  });

  test("reads the front of longer payloads (like nla_get_*)", () => {
    expect(u16(hex("01000000"))).toBe(1);
  });

  test.each([
    ["u8", () => u8(new Uint8Array(0))],
    ["u16", () => u16(hex("01"))],
    ["u32", () => u32(hex("010203"))],
    ["s32", () => s32(hex("0102"))],
    ["u64", () => u64(hex("01020304050607"))],
    ["be16", () => be16(hex("01"))],
    ["be32", () => be32(hex("01"))],
  ])("%s on a short payload → NetlinkDecodeError naming it", (_n, fn) => {
    expect(fn).toThrow(NetlinkDecodeError);
  });

  test("errors name the attribute and offset when given", () => {
    expect(() => u32(hex("01"), "IFLA_MTU", 40)).toThrow("IFLA_MTU: expected at least 4 bytes, got 1 (at offset 40)");
  });

  test("str: up to the first NUL, tolerant of bad UTF-8 and missing NUL", () => {
    expect(str(hex("65746830 00"))).toBe("eth0");
    expect(str(hex("65746830"))).toBe("eth0");
    expect(str(hex("6100 6200"))).toBe("a");
    expect(str(new Uint8Array(0))).toBe("");
    expect(str(hex("ff00"))).toBe("\ufffd");
    expect(str(hex("c3a900"))).toBe("é");
  });
});

describe("encoders", () => {
  test("encodeAttribute pads the buffer but not nla_len", () => {
    expect(toHex(encodeAttribute(3, hex("6c6f00")))).toBe("070003006c6f0000");
    expect(toHex(encodeAttribute(7, new Uint8Array(0)))).toBe("04000700");
  });

  test("encodeU32Attribute is host order", () => {
    expect(toHex(encodeU32Attribute(29, 9))).toBe("08001d0009000000");
  });

  test("encodeNested sets NLA_F_NESTED and wraps the children", () => {
    const kind = encodeAttribute(1, hex("7665746800")); // IFLA_INFO_KIND "veth"
    expect(toHex(encodeNested(18, [kind]))).toBe("100012800900010076657468000000" + "00");
    const parsed = parseAttributes(encodeNested(18, [kind, encodeU32Attribute(2, 5)]));
    expect(parsed[0]!.nested).toBe(true);
    expect(parseAttributes(parsed[0]!.data).map((a) => a.type)).toEqual([1, 2]);
  });

  test("concat", () => {
    expect(toHex(concat(hex("01"), new Uint8Array(0), hex("0203")))).toBe("010203");
    expect(concat().length).toBe(0);
  });
});
