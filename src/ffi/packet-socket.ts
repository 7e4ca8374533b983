// An AF_PACKET capture socket that receives through a TPACKET_V3 ring, as libpcap does: the kernel
// writes frames into blocks of a buffer we share with it (mmap), hands a block over when it is
// full or after a timeout, and we read the whole block and give it back. No system call per
// frame, and none at all to learn that nothing arrived (a block's status word says so).
//
// The socket is opened inside a target network namespace, bound to one interface, with an
// optional classic-BPF filter attached in the kernel and promiscuous mode as a socket membership
// (undone by the kernel when the socket closes, even if we crash). Formats (pcapng) and filter
// compilation live elsewhere; the layout of a block is in constants.ts under the kernel's names.

import { ptr, toArrayBuffer, type Pointer } from "bun:ffi";
import {
  AF_PACKET,
  ETH_P_ALL,
  MAP_SHARED,
  PACKET_ADD_MEMBERSHIP,
  PACKET_MREQ_SIZE,
  PACKET_MR_PROMISC,
  PACKET_RX_RING,
  PACKET_STATISTICS,
  PACKET_VERSION,
  PROT_READ,
  PROT_WRITE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCKADDR_LL_SIZE,
  SOL_PACKET,
  SOL_SOCKET,
  SO_ATTACH_FILTER,
  TPACKET_REQ3_SIZE,
  TPACKET_STATS_V3_SIZE,
  TPACKET_V3,
  TP_STATUS_KERNEL,
  TP_STATUS_USER,
  tpacket_block_desc,
} from "./constants.ts";
import { closeFd, closeQuietly } from "./fd.ts";
import { lastError, libc } from "./libc.ts";
import { socketInNetns } from "./netns.ts";
import { setsockoptInt } from "./socket.ts";

/** Largest frame we keep (tcpdump's default snaplen); longer ones are cut, their length kept. */
export const CAPTURE_SNAPLEN = 262144;
/**
 * Bytes of one ring block. A frame never spans blocks, so this bounds the longest frame kept
 * whole (the kernel cuts longer ones to fit, keeping their length); libpcap uses the same size.
 */
export const RING_BLOCK_SIZE = 256 * 1024;
/** Default ring size per socket: 32 blocks, the 8 MiB tcpdump -B 8192 asks for. */
export const DEFAULT_RING_BYTES = 32 * RING_BLOCK_SIZE;
/**
 * A block that is not full is handed over after this long, so a quiet interface's packets still
 * arrive promptly (and the last ones before a stop are seen within this time).
 */
export const RING_RETIRE_MS = 50;
const MIN_BLOCKS = 2;
const MAX_RING_BYTES = 1024 * 1024 * 1024;
/** tp_frame_size: only the ring geometry check uses it for TPACKET_V3 (frames are variable-sized). */
const RING_FRAME_SIZE = 2048;
const BPF_RET_K = 0x06; // BPF_RET | BPF_K: "accept this many bytes of the packet"

/** One classic BPF instruction, struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }. */
export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** A filter that accepts every packet, cut to `snaplen` bytes (what libpcap attaches without an expression). */
export function acceptAllFilter(snaplen: number): SockFilter[] {
  return [{ code: BPF_RET_K, jt: 0, jf: 0, k: snaplen }];
}

export interface PacketSocketOptions {
  /** fd of the network namespace to open the socket in (/run/netns/X, /proc/PID/ns/net). */
  netnsFd: number;
  /** Interface to bind to; 0 = every interface of the namespace. */
  ifindex: number;
  /** Put `ifindex` in promiscuous mode for the life of the socket (needs ifindex > 0). */
  promiscuous: boolean;
  /** A compiled filter (see libpcap.ts); the kernel drops what it rejects before we see it. */
  filter?: SockFilter[];
  /** Size of the ring, rounded up to whole blocks (at least 2). Default DEFAULT_RING_BYTES. */
  ringBytes?: number;
}

export interface PacketStats {
  /** Packets that passed the filter, including the dropped ones. */
  packets: number;
  /** Packets lost because no block was free (the reader was behind). */
  drops: number;
}

const TWO32 = 2 ** 32;

/** Store a pointer (a Number from ptr()) as a u64 without allocating a BigInt. */
function setPointer(view: DataView, offset: number, p: number): void {
  view.setUint32(offset, p % TWO32, true);
  view.setUint32(offset + 4, Math.floor(p / TWO32), true);
}

/** Round a requested ring size to whole blocks within [MIN_BLOCKS blocks, 1 GiB]. */
function ringBlocks(bytes: number): number {
  if (!Number.isFinite(bytes) || bytes <= 0) throw new RangeError(`a capture buffer size is a positive number of bytes, not ${bytes}`);
  return Math.max(MIN_BLOCKS, Math.ceil(Math.min(bytes, MAX_RING_BYTES) / RING_BLOCK_SIZE));
}

export class PacketSocket implements Disposable {
  #fd: number;
  readonly ifindex: number;
  #map: number; // address of the ring (0 once unmapped)
  readonly #mapBytes: number;
  readonly #blockCount: number;
  // Views of the shared ring. After close() they are replaced by empty arrays: the memory is
  // unmapped, and touching it through an old view would crash the process.
  #ring: Uint8Array;
  #words: Int32Array;
  #next = 0; // the block the kernel hands over next

  private constructor(fd: number, ifindex: number, map: number, blockCount: number) {
    this.#fd = fd;
    this.ifindex = ifindex;
    this.#map = map;
    this.#blockCount = blockCount;
    this.#mapBytes = blockCount * RING_BLOCK_SIZE;
    this.#ring = new Uint8Array(toArrayBuffer(map as Pointer, 0, this.#mapBytes));
    this.#words = new Int32Array(this.#ring.buffer);
  }

  /**
   * Open, filter, set up the ring, then bind. The socket is created with protocol 0, which
   * receives nothing until bind names a protocol: so the filter and the ring are in place before
   * the first frame is queued, and no unfiltered frame can slip in (libpcap does the same). Only
   * socket() needs the namespace switch: everything after acts on the socket's own netns.
   */
  static open(opts: PacketSocketOptions): PacketSocket {
    if (!Number.isInteger(opts.ifindex) || opts.ifindex < 0) throw new RangeError(`bad ifindex ${opts.ifindex}`);
    if (opts.promiscuous && opts.ifindex === 0) throw new RangeError("promiscuous mode needs an interface (ifindex > 0)");
    const blockCount = ringBlocks(opts.ringBytes ?? DEFAULT_RING_BYTES);
    const fd = socketInNetns(opts.netnsFd, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    let map = 0;
    try {
      setsockoptInt(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3);
      if (opts.filter) attachFilter(fd, opts.filter);
      map = mapRing(fd, blockCount);
      const addr = new Uint8Array(SOCKADDR_LL_SIZE);
      const v = new DataView(addr.buffer);
      v.setUint16(0, AF_PACKET, true);
      v.setUint16(2, ETH_P_ALL, false); // network byte order
      v.setInt32(4, opts.ifindex, true);
      if (libc.bind(fd, addr, SOCKADDR_LL_SIZE) !== 0) throw lastError("bind", `AF_PACKET ifindex ${opts.ifindex}`);
      if (opts.promiscuous) {
        // struct packet_mreq { int mr_ifindex; u16 mr_type; u16 mr_alen; u8 mr_address[8]; }
        const mreq = new Uint8Array(PACKET_MREQ_SIZE);
        const m = new DataView(mreq.buffer);
        m.setInt32(0, opts.ifindex, true);
        m.setUint16(4, PACKET_MR_PROMISC, true);
        if (libc.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq, PACKET_MREQ_SIZE) !== 0) {
          throw lastError("setsockopt", `PACKET_ADD_MEMBERSHIP promiscuous, ifindex ${opts.ifindex}`);
        }
      }
      return new PacketSocket(fd, opts.ifindex, map, blockCount);
    } catch (e) {
      if (map !== 0) libc.munmap(map as Pointer, blockCount * RING_BLOCK_SIZE);
      closeQuietly(fd);
      throw e;
    }
  }

  get fd(): number {
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Blocks of RING_BLOCK_SIZE bytes in the ring. */
  get blockCount(): number {
    return this.#blockCount;
  }

  #status(block: number): number {
    // An atomic load orders the reads of the block after it, as the kernel's release requires.
    return Atomics.load(this.#words, (block * RING_BLOCK_SIZE + tpacket_block_desc.block_status) >> 2);
  }

  #release(): void {
    const at = this.#next * RING_BLOCK_SIZE;
    // The kernel resets the count when it opens the block again; zeroing it now keeps
    // packetsPending() from reading a stale count in between.
    this.#words[(at + tpacket_block_desc.num_pkts) >> 2] = 0;
    // Everything we read from the block happens before the kernel may write it again.
    Atomics.store(this.#words, (at + tpacket_block_desc.block_status) >> 2, TP_STATUS_KERNEL);
    this.#next = (this.#next + 1) % this.#blockCount;
  }

  /**
   * Bytes of the next block if the kernel has handed it over (what takeBlock() would copy), or 0
   * while the kernel still fills it. Reads shared memory only: no system call.
   */
  readyBytes(): number {
    if (this.#fd < 0) return 0;
    if ((this.#status(this.#next) & TP_STATUS_USER) === 0) return 0;
    const len = this.#words[(this.#next * RING_BLOCK_SIZE + tpacket_block_desc.blk_len) >> 2]!;
    if (len < tpacket_block_desc.sizeof || len > RING_BLOCK_SIZE) throw new Error(`TPACKET_V3 block ${this.#next} claims ${len} bytes`);
    return len;
  }

  /**
   * A copy of the next handed-over block (its used bytes: struct tpacket_block_desc and the
   * packets after it), which goes back to the kernel at once. Call only when readyBytes() > 0.
   * The copy goes into `into` when given (at least RING_BLOCK_SIZE bytes, e.g. a buffer the
   * consumer is done with): fresh memory costs a page fault per 4 KiB, more than the copy.
   */
  takeBlock(into?: ArrayBuffer): Uint8Array {
    const len = this.readyBytes();
    if (len === 0) throw new Error("takeBlock: the kernel has not handed over a block");
    if (into && into.byteLength < RING_BLOCK_SIZE) throw new RangeError(`takeBlock needs a buffer of ${RING_BLOCK_SIZE} bytes, not ${into.byteLength}`);
    const at = this.#next * RING_BLOCK_SIZE;
    // A block that is mostly full gets a whole block's buffer, so that it can be reused (recycled).
    const copy = new Uint8Array(into ?? new ArrayBuffer(len > RING_BLOCK_SIZE / 2 ? RING_BLOCK_SIZE : len), 0, len);
    copy.set(this.#ring.subarray(at, at + len));
    this.#release();
    return copy;
  }

  /** Give the next handed-over block back unread; returns how many packets it held. */
  skipBlock(): number {
    const packets = this.#words[(this.#next * RING_BLOCK_SIZE + tpacket_block_desc.num_pkts) >> 2]!;
    this.#release();
    return packets;
  }

  /**
   * Whether the block the kernel is filling holds packets it has not handed over yet (it will,
   * within RING_RETIRE_MS). A hint read without synchronisation, for deciding whether to wait.
   */
  packetsPending(): boolean {
    if (this.#fd < 0) return false;
    for (let i = 0, b = this.#next; i < this.#blockCount; i++, b = (b + 1) % this.#blockCount) {
      if ((this.#status(b) & TP_STATUS_USER) === 0) return this.#words[(b * RING_BLOCK_SIZE + tpacket_block_desc.num_pkts) >> 2]! > 0;
    }
    return false; // every block is ours: nothing can be pending
  }

  /** Stop accepting packets (a filter that takes none) so that what the ring holds is final. */
  rejectAll(): void {
    attachFilter(this.#fd, acceptAllFilter(0));
  }

  /**
   * Whether the interface the socket is bound to still exists. When it is deleted the kernel
   * unbinds the socket (its sll_ifindex becomes -1), and the socket receives nothing more.
   */
  stillBound(): boolean {
    if (this.ifindex === 0) return true;
    const sa = new Uint8Array(SOCKADDR_LL_SIZE);
    const len = new Uint32Array([SOCKADDR_LL_SIZE]);
    if (libc.getsockname(this.#fd, sa, len) !== 0) throw lastError("getsockname", `AF_PACKET ifindex ${this.ifindex}`);
    return new DataView(sa.buffer).getInt32(4, true) === this.ifindex;
  }

  /** PACKET_STATISTICS since the last call (the kernel resets them on read). */
  takeStats(): PacketStats {
    const stats = new Uint32Array(TPACKET_STATS_V3_SIZE / 4);
    const len = new Uint32Array([TPACKET_STATS_V3_SIZE]);
    if (libc.getsockopt(this.#fd, SOL_PACKET, PACKET_STATISTICS, stats, len) !== 0) throw lastError("getsockopt", "PACKET_STATISTICS");
    return { packets: stats[0]!, drops: stats[1]! };
  }

  /** Unmap the ring and close the socket (promiscuous membership ends with it). Idempotent. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    this.#ring = new Uint8Array(0);
    this.#words = new Int32Array(0);
    if (this.#map !== 0) {
      libc.munmap(this.#map as Pointer, this.#mapBytes);
      this.#map = 0;
    }
    closeFd(fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** PACKET_RX_RING with struct tpacket_req3, then mmap of the whole ring; returns its address. */
function mapRing(fd: number, blockCount: number): number {
  const req = new Uint8Array(TPACKET_REQ3_SIZE);
  const r = new DataView(req.buffer);
  r.setUint32(0, RING_BLOCK_SIZE, true); // tp_block_size
  r.setUint32(4, blockCount, true); // tp_block_nr
  r.setUint32(8, RING_FRAME_SIZE, true); // tp_frame_size
  r.setUint32(12, (RING_BLOCK_SIZE / RING_FRAME_SIZE) * blockCount, true); // tp_frame_nr
  r.setUint32(16, RING_RETIRE_MS, true); // tp_retire_blk_tov
  // tp_sizeof_priv and tp_feature_req_word stay 0: no private area, no rxhash.
  if (libc.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, req, TPACKET_REQ3_SIZE) !== 0) {
    throw lastError("setsockopt", `PACKET_RX_RING ${blockCount} blocks of ${RING_BLOCK_SIZE} bytes`);
  }
  const addr = libc.mmap(null, blockCount * RING_BLOCK_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (addr === -1 || addr === 0) throw lastError("mmap", `packet ring of ${blockCount * RING_BLOCK_SIZE} bytes`);
  return Number(addr);
}

/** SO_ATTACH_FILTER with struct sock_fprog { u16 len; struct sock_filter *filter; }. */
function attachFilter(fd: number, filter: SockFilter[]): void {
  if (filter.length === 0 || filter.length > 4096) throw new RangeError(`a BPF program has 1..4096 instructions, not ${filter.length}`);
  const insns = new Uint8Array(filter.length * 8);
  const v = new DataView(insns.buffer);
  filter.forEach((f, i) => {
    v.setUint16(i * 8, f.code, true);
    v.setUint8(i * 8 + 2, f.jt);
    v.setUint8(i * 8 + 3, f.jf);
    v.setUint32(i * 8 + 4, f.k >>> 0, true);
  });
  const prog = new Uint8Array(16);
  const p = new DataView(prog.buffer);
  p.setUint16(0, filter.length, true);
  setPointer(p, 8, ptr(insns)); // taken last: nothing allocates between this and the call
  if (libc.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, prog, 16) !== 0) throw lastError("setsockopt", "SO_ATTACH_FILTER");
}
