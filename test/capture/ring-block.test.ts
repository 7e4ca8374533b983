// A TPACKET_V3 block rewritten as pcapng, against blocks laid out here byte by byte the way the
// kernel writes them (struct tpacket_block_desc, then per packet struct tpacket3_hdr, struct
// sockaddr_ll at 48, the frame at tp_mac, packets 8-aligned, the last with tp_next_offset 0),
// compared with Enhanced Packet Blocks made one by one by the pcapng writer.
import { describe, expect, test } from "bun:test";
import { blockToPcapng, CorruptBlockError } from "../../src/capture/ring-block.ts";
import { EPB_BROADCAST, EPB_INBOUND, EPB_OUTBOUND, EPB_PROMISCUOUS, EPB_UNICAST, enhancedPacketBlock } from "../../src/capture/pcapng.ts";
import { PACKET_BROADCAST, PACKET_HOST, PACKET_OTHERHOST, PACKET_OUTGOING, TP_STATUS_VLAN_TPID_VALID, TP_STATUS_VLAN_VALID } from "../../src/ffi/index.ts";

interface FakePacket {
  sec: number;
  nsec: number;
  frame: Uint8Array;
  /** Length on the wire (> frame.length when the kernel cut it). */
  len?: number;
  pkttype: number;
  status?: number;
  vlanTci?: number;
  vlanTpid?: number;
  /** Where the frame starts after the header: 82 on Ethernet (TPACKET_ALIGN(68 + 16) - 14), 96 for raw IP. */
  mac?: number;
}

const align8 = (n: number) => (n + 7) & ~7;

/** A block as the kernel hands it over: header, packets, nothing after blk_len. */
function fakeBlock(packets: FakePacket[], firstAt = 48): Uint8Array {
  let size = firstAt;
  for (const p of packets) size += align8((p.mac ?? 82) + p.frame.byteLength);
  const block = new Uint8Array(size).fill(0xee); // garbage where the kernel wrote nothing
  const v = new DataView(block.buffer);
  v.setUint32(0, 3, true); // version (TPACKET_V3)
  v.setUint32(8, 1, true); // block_status: TP_STATUS_USER
  v.setUint32(12, packets.length, true); // num_pkts
  v.setUint32(16, firstAt, true); // offset_to_first_pkt
  v.setUint32(20, size, true); // blk_len
  let at = firstAt;
  packets.forEach((p, i) => {
    const mac = p.mac ?? 82;
    const next = align8(mac + p.frame.byteLength);
    v.setUint32(at, i === packets.length - 1 ? 0 : next, true);
    v.setUint32(at + 4, p.sec, true);
    v.setUint32(at + 8, p.nsec, true);
    v.setUint32(at + 12, p.frame.byteLength, true);
    v.setUint32(at + 16, p.len ?? p.frame.byteLength, true);
    v.setUint32(at + 20, p.status ?? 0, true);
    v.setUint16(at + 24, mac, true);
    v.setUint16(at + 26, mac + 14, true);
    v.setUint32(at + 32, p.vlanTci ?? 0, true);
    v.setUint16(at + 36, p.vlanTpid ?? 0, true);
    v.setUint16(at + 48, 17, true); // sll_family AF_PACKET
    v.setUint8(at + 48 + 10, p.pkttype);
    block.set(p.frame, at + mac);
    at += next;
  });
  return block;
}

const ns = (sec: number, nsec: number) => BigInt(sec) * 1_000_000_000n + BigInt(nsec);
const frame = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const concat = (parts: Uint8Array[]) => Buffer.concat(parts);

describe("blockToPcapng", () => {
  test("packets of every direction, cut frames, odd lengths: the same bytes as block-by-block writing", () => {
    const packets: FakePacket[] = [
      { sec: 1_795_316_532, nsec: 839_469_229, frame: frame(60, 1), pkttype: PACKET_HOST },
      { sec: 1_795_316_532, nsec: 999_999_999, frame: frame(61, 2), pkttype: PACKET_OUTGOING },
      { sec: 4_294_967_295, nsec: 5, frame: frame(96, 3), len: 1514, pkttype: PACKET_OTHERHOST }, // cut at snaplen 96
      { sec: 0, nsec: 0, frame: frame(1, 4), pkttype: PACKET_BROADCAST },
    ];
    const block = fakeBlock(packets);
    const r = blockToPcapng(block, 3, 12, Infinity);
    const flags = [EPB_INBOUND | EPB_UNICAST, EPB_OUTBOUND, EPB_INBOUND | EPB_PROMISCUOUS, EPB_INBOUND | EPB_BROADCAST];
    const expected = concat(packets.map((p, i) => enhancedPacketBlock(3, ns(p.sec, p.nsec), p.frame, p.len ?? p.frame.byteLength, flags[i]!)));
    expect(r).toEqual({ end: expected.byteLength, packets: 4, bytes: 60 + 61 + 96 + 1 });
    expect(Buffer.from(block.subarray(0, r.end))).toEqual(expected);
  });

  test("the 64-bit nanosecond timestamp is exact for any second and nanosecond (BigInt as the oracle)", () => {
    const cases: [number, number][] = [[4_294_967_295, 999_999_999], [1, 0], [8_388_608 / 1_953_125, 0]];
    for (let i = 0; i < 2000; i++) cases.push([Math.floor(Math.random() * 2 ** 32), Math.floor(Math.random() * 1e9)]);
    const block = fakeBlock(cases.map(([sec, nsec]) => ({ sec: Math.floor(sec), nsec, frame: frame(4, 0), pkttype: PACKET_HOST })));
    const r = blockToPcapng(block, 0, 12, Infinity);
    const v = new DataView(block.buffer);
    for (let i = 0, off = 0; i < cases.length; i++, off += 48) {
      const [sec, nsec] = cases[i]!;
      const got = (BigInt(v.getUint32(off + 12, true)) << 32n) | BigInt(v.getUint32(off + 16, true));
      expect(got).toBe(ns(Math.floor(sec), nsec));
    }
    expect(r.packets).toBe(cases.length);
  });

  test("an 802.1Q tag the kernel took out goes back after the MAC addresses (libpcap's rule), with the TPID when the kernel gave one", () => {
    const eth = frame(64, 9);
    const packets: FakePacket[] = [
      { sec: 10, nsec: 1, frame: eth, pkttype: PACKET_HOST, status: TP_STATUS_VLAN_VALID, vlanTci: 0x2064 },
      { sec: 10, nsec: 2, frame: eth, len: 1500, pkttype: PACKET_HOST, status: TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID, vlanTci: 0x0005, vlanTpid: 0x88a8 },
      { sec: 10, nsec: 3, frame: eth, pkttype: PACKET_HOST, vlanTci: 7 }, // a TCI without the status bit counts too
      { sec: 10, nsec: 4, frame: eth, pkttype: PACKET_HOST, status: TP_STATUS_VLAN_VALID, vlanTci: 0 }, // VLAN 0, priority 0
      { sec: 10, nsec: 5, frame: frame(11, 1), pkttype: PACKET_HOST, status: TP_STATUS_VLAN_VALID, vlanTci: 3 }, // shorter than the MACs: left as is
    ];
    const tagged = (tpid: number, tci: number) => concat([eth.subarray(0, 12), Uint8Array.of(tpid >> 8, tpid & 0xff, tci >> 8, tci & 0xff), eth.subarray(12)]);
    const block = fakeBlock(packets);
    const r = blockToPcapng(block, 0, 12, Infinity);
    const expected = concat([
      enhancedPacketBlock(0, ns(10, 1), tagged(0x8100, 0x2064), 68, EPB_INBOUND | EPB_UNICAST),
      enhancedPacketBlock(0, ns(10, 2), tagged(0x88a8, 0x0005), 1504, EPB_INBOUND | EPB_UNICAST),
      enhancedPacketBlock(0, ns(10, 3), tagged(0x8100, 7), 68, EPB_INBOUND | EPB_UNICAST),
      enhancedPacketBlock(0, ns(10, 4), tagged(0x8100, 0), 68, EPB_INBOUND | EPB_UNICAST),
      enhancedPacketBlock(0, ns(10, 5), frame(11, 1), 11, EPB_INBOUND | EPB_UNICAST),
    ]);
    expect(Buffer.from(block.subarray(0, r.end))).toEqual(expected);
    // On an interface without a link header (tun: raw IP) there is nowhere to put a tag.
    const raw = fakeBlock([{ sec: 1, nsec: 1, frame: eth, pkttype: PACKET_HOST, status: TP_STATUS_VLAN_VALID, vlanTci: 5, mac: 96 }]);
    const rr = blockToPcapng(raw, 1, null, Infinity);
    expect(Buffer.from(raw.subarray(0, rr.end))).toEqual(Buffer.from(enhancedPacketBlock(1, ns(1, 1), eth, 64, EPB_INBOUND | EPB_UNICAST)));
  });

  test("maxPackets stops within the block (a capture's --count)", () => {
    const packets = [1, 2, 3].map((i) => ({ sec: i, nsec: i, frame: frame(20, i), pkttype: PACKET_HOST }));
    const block = fakeBlock(packets);
    const r = blockToPcapng(block, 0, 12, 2);
    expect(r.packets).toBe(2);
    expect(Buffer.from(block.subarray(0, r.end))).toEqual(concat(packets.slice(0, 2).map((p) => enhancedPacketBlock(0, ns(p.sec, p.nsec), p.frame, 20, EPB_INBOUND | EPB_UNICAST))));
  });

  test("a block that does not hold what its header says is refused, not read past", () => {
    const good = () => fakeBlock([{ sec: 1, nsec: 1, frame: frame(40, 1), pkttype: PACKET_HOST }, { sec: 2, nsec: 2, frame: frame(40, 2), pkttype: PACKET_HOST }]);
    const firstOutside = good();
    new DataView(firstOutside.buffer).setUint32(16, firstOutside.byteLength, true);
    expect(() => blockToPcapng(firstOutside, 0, 12, Infinity)).toThrow(CorruptBlockError);
    const longFrame = good();
    new DataView(longFrame.buffer).setUint32(48 + 12, 10_000, true); // tp_snaplen past the next packet
    expect(() => blockToPcapng(longFrame, 0, 12, Infinity)).toThrow(CorruptBlockError);
    const tooMany = good();
    new DataView(tooMany.buffer).setUint32(12, 3, true); // num_pkts 3, but the second is the last
    expect(blockToPcapng(tooMany, 0, 12, Infinity).packets).toBe(2);
    const nextOutside = good();
    new DataView(nextOutside.buffer).setUint32(48, 4096, true);
    expect(() => blockToPcapng(nextOutside, 0, 12, Infinity)).toThrow(CorruptBlockError);
  });
});
