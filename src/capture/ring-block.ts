// A TPACKET_V3 ring block, copied out of the ring, rewritten in place as pcapng Enhanced Packet
// Blocks: the capture's per-packet work, so it allocates nothing per packet (no views, no
// BigInt) and moves each frame once, within the same buffer (copyWithin).
//
// In place works because every packet shrinks: in the ring a frame sits after a struct
// tpacket3_hdr and a struct sockaddr_ll (tp_mac >= 68 bytes from the header's start), and an
// Enhanced Packet Block needs 28 bytes before the frame and at most 16 + 3 after it (+ 4 for a
// VLAN tag put back). So the block written for packet k ends before packet k+1's header starts,
// which is read before anything is written over it.

import {
  PACKET_BROADCAST,
  PACKET_HOST,
  PACKET_MULTICAST,
  PACKET_OTHERHOST,
  PACKET_OUTGOING,
  TP_STATUS_VLAN_TPID_VALID,
  TP_STATUS_VLAN_VALID,
  sockaddr_ll,
  tpacket3_hdr,
  tpacket_block_desc,
} from "../ffi/index.ts";
import {
  EPB_BROADCAST,
  EPB_HEADER_BYTES,
  EPB_INBOUND,
  EPB_MULTICAST,
  EPB_OUTBOUND,
  EPB_PROMISCUOUS,
  EPB_UNICAST,
  enhancedPacketSize,
  writeEnhancedPacketHeader,
  writeEnhancedPacketTrailer,
} from "./pcapng.ts";

const SLL_AT = tpacket3_hdr.sizeof; // TPACKET_ALIGN(sizeof(struct tpacket3_hdr))
const ETH_P_8021Q = 0x8100;
const VLAN_TAG_BYTES = 4;
// sec * 1e9 + nsec needs 61 bits, more than a double holds exactly. But 1e9 = 1953125 * 2^9 and
// sec * 1953125 < 2^53 is exact; split at bit 23 of that, the 64-bit value's high and low words
// follow with one floor, no modulo and no BigInt.
const NS_ODD = 1953125;
const TWO23 = 8388608;
const TWO32 = 4294967296;

/** epb_flags by sockaddr_ll.sll_pkttype (0..7): direction and reception type; 0 where unknown. */
const EPB_FLAGS_BY_PKTTYPE = new Uint32Array(8);
EPB_FLAGS_BY_PKTTYPE[PACKET_HOST] = EPB_INBOUND | EPB_UNICAST;
EPB_FLAGS_BY_PKTTYPE[PACKET_BROADCAST] = EPB_INBOUND | EPB_BROADCAST;
EPB_FLAGS_BY_PKTTYPE[PACKET_MULTICAST] = EPB_INBOUND | EPB_MULTICAST;
EPB_FLAGS_BY_PKTTYPE[PACKET_OTHERHOST] = EPB_INBOUND | EPB_PROMISCUOUS;
EPB_FLAGS_BY_PKTTYPE[PACKET_OUTGOING] = EPB_OUTBOUND;

export interface ConvertedBlock {
  /** Bytes of pcapng at the start of the block. */
  end: number;
  /** Packets written. */
  packets: number;
  /** Captured bytes of those packets (frame data, without pcapng framing). */
  bytes: number;
}

export class CorruptBlockError extends Error {
  override name = "CorruptBlockError";
}

/**
 * Rewrite `block` (a copy of one ring block, see PacketSocket.takeBlock) as Enhanced Packet
 * Blocks of interface `interfaceId`, at most `maxPackets` of them. `vlanOffset` is where an
 * 802.1Q tag goes back into a frame whose tag the kernel took out (12, after the MAC addresses,
 * on Ethernet), or null where frames have no link header. Throws CorruptBlockError if the block
 * does not hold what its header says.
 */
export function blockToPcapng(block: Uint8Array, interfaceId: number, vlanOffset: number | null, maxPackets: number): ConvertedBlock {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const len = block.byteLength;
  const count = Math.min(view.getUint32(tpacket_block_desc.num_pkts, true), maxPackets);
  let hdr = view.getUint32(tpacket_block_desc.offset_to_first_pkt, true);
  let out = 0;
  let bytes = 0;
  let packets = 0;
  while (packets < count) {
    if (hdr < tpacket_block_desc.sizeof || hdr + SLL_AT + sockaddr_ll.sll_halen > len) {
      throw new CorruptBlockError(`packet ${packets} of a ring block starts at ${hdr}, outside its ${len} bytes`);
    }
    const next = view.getUint32(hdr + tpacket3_hdr.tp_next_offset, true);
    const sec = view.getUint32(hdr + tpacket3_hdr.tp_sec, true);
    const nsec = view.getUint32(hdr + tpacket3_hdr.tp_nsec, true);
    const snaplen = view.getUint32(hdr + tpacket3_hdr.tp_snaplen, true);
    const wireLen = view.getUint32(hdr + tpacket3_hdr.tp_len, true);
    const status = view.getUint32(hdr + tpacket3_hdr.tp_status, true);
    const mac = view.getUint16(hdr + tpacket3_hdr.tp_mac, true);
    const vlanTci = view.getUint32(hdr + tpacket3_hdr.hv1_tp_vlan_tci, true);
    const vlanTpid = view.getUint16(hdr + tpacket3_hdr.hv1_tp_vlan_tpid, true);
    const flags = EPB_FLAGS_BY_PKTTYPE[block[hdr + SLL_AT + sockaddr_ll.sll_pkttype]! & 7]!;
    const from = hdr + mac;
    const limit = next === 0 ? len : hdr + next;
    // libpcap's test: a tag the kernel took out is reported by a non-zero TCI or the status bit.
    const tagged = vlanOffset !== null && (vlanTci !== 0 || (status & TP_STATUS_VLAN_VALID) !== 0) && snaplen >= vlanOffset;
    const captured = tagged ? snaplen + VLAN_TAG_BYTES : snaplen;
    if (from + snaplen > limit || next > len || out + enhancedPacketSize(captured) > limit) {
      throw new CorruptBlockError(`packet ${packets} of a ring block (${snaplen} bytes at ${from}) does not fit its ${limit - hdr}`);
    }

    const scaled = sec * NS_ODD; // sec * 1e9 / 2^9, exact
    let tsHigh = Math.floor(scaled / TWO23);
    let tsLow = (scaled - tsHigh * TWO23) * 512 + nsec; // < 2^32 + 2^30: carry at most once
    if (tsLow >= TWO32) {
      tsLow -= TWO32;
      tsHigh++;
    }
    writeEnhancedPacketHeader(view, out, interfaceId, tsHigh, tsLow, captured, tagged ? wireLen + VLAN_TAG_BYTES : wireLen);
    const data = out + EPB_HEADER_BYTES;
    if (tagged) {
      block.copyWithin(data, from, from + vlanOffset);
      view.setUint16(data + vlanOffset, (status & TP_STATUS_VLAN_TPID_VALID) !== 0 ? vlanTpid : ETH_P_8021Q, false);
      view.setUint16(data + vlanOffset + 2, vlanTci & 0xffff, false);
      block.copyWithin(data + vlanOffset + VLAN_TAG_BYTES, from + vlanOffset, from + snaplen);
    } else {
      block.copyWithin(data, from, from + snaplen);
    }
    out = writeEnhancedPacketTrailer(block, view, out, captured, flags);
    bytes += captured;
    packets++;
    if (next === 0) break;
    hdr += next;
  }
  return { end: out, packets, bytes };
}
