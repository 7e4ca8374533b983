// The pcapng writer, byte for byte against blocks written out by hand from the format spec
// (draft-ietf-opsawg-pcapng: section header, interface description, enhanced packet, statistics).
import { describe, expect, test } from "bun:test";
import {
  EPB_INBOUND,
  EPB_OUTBOUND,
  EPB_UNICAST,
  enhancedPacketBlock,
  enhancedPacketSize,
  interfaceDescriptionBlock,
  interfaceStatisticsBlock,
  sectionHeaderBlock,
  writeEnhancedPacketHeader,
  writeEnhancedPacketTrailer,
} from "../../src/capture/pcapng.ts";

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
}

describe("pcapng blocks", () => {
  test("section header: byte-order magic, version 1.0, unknown section length, comments padded to 4", () => {
    expect(sectionHeaderBlock({ comments: ["ab"] })).toEqual(
      hex(`0a0d0d0a 28000000  4d3c2b1a 0100 0000 ffffffffffffffff
           0100 0200 61620000  00000000  28000000`),
    );
    expect(sectionHeaderBlock({})).toEqual(hex(`0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000`));
    expect(sectionHeaderBlock({ os: "Linux", userAppl: "ws" })).toEqual(
      hex(`0a0d0d0a 34000000 4d3c2b1a 0100 0000 ffffffffffffffff
           0300 0500 4c696e75 78000000  0400 0200 77730000  00000000  34000000`),
    );
  });

  test("interface description: link type, snaplen, if_name, if_tsresol = 9 (nanoseconds)", () => {
    expect(interfaceDescriptionBlock({ name: "lo", linkType: 1, snaplen: 262144 })).toEqual(
      hex(`01000000 28000000 0100 0000 00000400
           0200 0200 6c6f0000  0900 0100 09000000  00000000  28000000`),
    );
    expect(interfaceDescriptionBlock({ name: "veth0", linkType: 101, snaplen: 65535, description: "x" })).toEqual(
      hex(`01000000 34000000 6500 0000 ffff0000
           0200 0500 76657468 30000000  0300 0100 78000000  0900 0100 09000000  00000000  34000000`),
    );
  });

  test("enhanced packet: interface id, 64-bit nanosecond timestamp split high/low, lengths, padded data, epb_flags", () => {
    expect(enhancedPacketBlock(1, 0x1_0000_0002n, Uint8Array.of(1, 2, 3, 4, 5), 5, EPB_INBOUND | EPB_UNICAST)).toEqual(
      hex(`06000000 34000000 01000000 01000000 02000000 05000000 05000000
           01020304 05000000  0200 0400 05000000  00000000  34000000`),
    );
    // A frame cut at the snaplen keeps its original length; 4-byte data needs no padding.
    const ts = 1_795_316_532_839_469_229n; // 2026, nanoseconds
    expect(enhancedPacketBlock(0, ts, Uint8Array.of(0xde, 0xad, 0xbe, 0xef), 1500, EPB_OUTBOUND)).toEqual(
      hex(`06000000 30000000 00000000 df3eea18 ad5048e7
           04000000 dc050000 deadbeef  0200 0400 02000000  00000000  30000000`),
    );
    expect(ts).toBe(0x18ea3edf_e74850adn); // high word 0x18ea3edf, low word 0xe74850ad
  });

  test("in place: header, data put by the caller, trailer; blocks back to back, the next offset returned", () => {
    const out = new Uint8Array(200).fill(0xaa);
    const view = new DataView(out.buffer);
    const a = Uint8Array.of(1, 2, 3);
    const write = (at: number, id: number, ts: bigint) => {
      writeEnhancedPacketHeader(view, at, id, Number(ts >> 32n), Number(ts & 0xffffffffn), a.byteLength, 3);
      out.set(a, at + 28);
      return writeEnhancedPacketTrailer(out, view, at, a.byteLength, 0);
    };
    const end1 = write(0, 0, 5n);
    expect(end1).toBe(enhancedPacketSize(3));
    const end2 = write(end1, 2, 0x7_0000_0006n);
    expect([...out.subarray(0, end1)]).toEqual([...enhancedPacketBlock(0, 5n, a, 3, 0)]);
    expect([...out.subarray(end1, end2)]).toEqual([...enhancedPacketBlock(2, 0x7_0000_0006n, a, 3, 0)]);
    expect(out[end2]).toBe(0xaa); // nothing written past the end
  });

  test("interface statistics: start/end time, received, kernel drops, delivered; our drops as a comment", () => {
    const isb = interfaceStatisticsBlock({ interfaceId: 1, timestampNs: 0x2_0000_0003n, startNs: 0x1_0000_0001n, endNs: 0x2_0000_0003n, received: 10n, osDropped: 2n, dropped: 0n, delivered: 8n });
    expect(isb).toEqual(
      hex(`05000000 58000000 01000000 02000000 03000000
           0200 0800 01000000 01000000  0300 0800 02000000 03000000
           0400 0800 0a00000000000000  0700 0800 0200000000000000  0800 0800 0800000000000000
           00000000  58000000`),
    );
    const withDrops = interfaceStatisticsBlock({ interfaceId: 0, timestampNs: 1n, startNs: 0n, endNs: 1n, received: 3n, osDropped: 0n, dropped: 1n, delivered: 2n });
    expect(Buffer.from(withDrops).toString("latin1")).toContain("wiresight dropped 1 packets");
    const v = new DataView(withDrops.buffer);
    expect(v.getUint32(4, true)).toBe(withDrops.byteLength);
    expect(v.getUint32(withDrops.byteLength - 4, true)).toBe(withDrops.byteLength);
    expect(withDrops.byteLength % 4).toBe(0);
  });

  test("an option longer than 65535 bytes is refused, not silently truncated", () => {
    expect(() => interfaceDescriptionBlock({ name: "x".repeat(70000), linkType: 1, snaplen: 1 })).toThrow(RangeError);
  });
});
