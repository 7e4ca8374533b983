// The capture engine: one AF_PACKET socket per captured interface, each with a TPACKET_V3 ring
// (src/ffi/packet-socket.ts), read without blocking the event loop, packets written as pcapng
// into chunks that a consumer pulls as an async iterable. A CLI writes the chunks to a file or
// stdout; a server can stream them to a client the same way and call stop() when it goes away.
//
// Reading: the kernel fills ring blocks and hands each over when it is full or RING_RETIRE_MS
// after its first packet. A tick takes the blocks handed over (a status word in shared memory:
// no system call), copies each out, gives it back and rewrites the copy in place as pcapng
// (ring-block.ts); after TICK_BUDGET packets it yields (setImmediate), so other work on the loop
// (queries, other streams) waits at most one tick. Ticks come on a timer whose interval adapts
// to the traffic (see POLL_MAX_MS); between ticks the rings hold what arrives.
//
// Memory is bounded: when the consumer does not keep up and maxBufferedBytes of chunks are
// waiting, further blocks are given back unread and their packets counted as dropped (reported
// in stats and, at the end of the stream, in each interface's statistics block) rather than
// queued. When the rings themselves overflow, the kernel counts the loss (PACKET_STATISTICS).
//
// Stopping: a stop that keeps what was captured (duration, signal, vanished target) first makes
// each socket take no more packets, then waits (at most FINISH_GRACE_MS) for the kernel to hand
// over the block it was filling, reads it, and only then closes. A consumer that went away or a
// reached count stops at once.

import {
  CAPTURE_SNAPLEN,
  DEFAULT_RING_BYTES,
  PacketSocket,
  RING_BLOCK_SIZE,
  RING_RETIRE_MS,
  acceptAllFilter,
  compileFilter,
  type SockFilter,
} from "../ffi/index.ts";
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, interfaceDescriptionBlock, interfaceStatisticsBlock, sectionHeaderBlock } from "./pcapng.ts";
import { blockToPcapng } from "./ring-block.ts";

// Packets per tick: a few milliseconds of work, after which other work on the loop gets its turn.
const TICK_BUDGET = 8192;
// How often the rings are looked at. Every look is a timer wakeup, and a wakeup costs about as
// much CPU as reading a thousand packets, so looks are few: the kernel keeps packets in the ring
// until we come (tcpdump, blocked in poll(), is woken for every block instead). The interval
// halves whenever a look finds a ring half full, and doubles back when looks find little, so a
// ring never overflows for want of looking; a tick that stopped at its budget goes on at once.
const POLL_MIN_MS = 5;
const POLL_MAX_MS = 100;
const STOPPING_POLL_MS = 10;
const ALIVE_CHECK_MS = 500;
/** Recycled block buffers kept for reuse. */
const MAX_SPARE = 8;
const DEFAULT_MAX_BUFFERED = 32 * 1024 * 1024;
/** How long a stop waits for the kernel to hand over a block it was still filling. */
const FINISH_GRACE_MS = RING_RETIRE_MS + 100;
/** Ring memory shared by the interfaces of one capture when not given per interface. */
const DEFAULT_TOTAL_RING_BYTES = 64 * 1024 * 1024;
/** Where an 802.1Q tag the kernel took out goes back: after the two MAC addresses. */
const ETHERNET_VLAN_OFFSET = 12;

/** ARPHRD_* → LINKTYPE_*: what a SOCK_RAW packet socket hands us on that kind of interface. */
export function linkTypeFor(arphrd: number): number | null {
  switch (arphrd) {
    case 1: // ARPHRD_ETHER
    case 772: // ARPHRD_LOOPBACK: Linux loopback frames carry a (zeroed) Ethernet header
      return LINKTYPE_ETHERNET;
    case 65534: // ARPHRD_NONE: tun, wireguard — bare IP packets
    case 768: // ARPHRD_TUNNEL (ipip)
    case 769: // ARPHRD_TUNNEL6
    case 776: // ARPHRD_SIT
      return LINKTYPE_RAW;
    default:
      return null;
  }
}

export interface CaptureInterface {
  index: number;
  name: string;
  /** ARPHRD_* of the interface (the topology's linkType). */
  arphrd: number;
}

export interface CaptureOptions {
  /** fd of the target network namespace; only needed while start() runs (the caller closes it). */
  netnsFd: number;
  interfaces: CaptureInterface[];
  /** tcpdump-syntax capture filter, compiled by libpcap. */
  filter?: string;
  promiscuous: boolean;
  /** Bytes kept of each frame (1..262144), like tcpdump -s. Default 262144. */
  snaplen?: number;
  /** Ring size per interface in bytes, like tcpdump -B (in KiB there). Default: 64 MiB shared, at most 8 MiB each. */
  ringBytes?: number;
  /** Stop after this many packets. */
  count?: number;
  /** Stop after this many milliseconds. */
  durationMs?: number;
  /** Polled every 500 ms; false ends the capture ("target vanished"). */
  isAlive?: () => boolean;
  /** Chunks waiting for the consumer, in bytes, before packets are dropped. Default 32 MiB. */
  maxBufferedBytes?: number;
  /** Section header comments (target, host). */
  comments: string[];
  /** shb_os, shb_userappl. */
  os?: string;
  userAppl?: string;
}

export type StopReason = "count" | "duration" | "stopped" | "consumer closed" | "target vanished" | "interfaces gone";

export interface InterfaceCounters {
  name: string;
  /** Packets written to the stream. */
  packets: number;
  /** Packets wiresight dropped because the consumer was too slow. */
  dropped: number;
  /** Packets the kernel dropped (no free ring block); known once the capture ended. */
  kernelDropped: number;
  /** Packets that passed the filter in the kernel, dropped ones included; known once the capture ended. */
  kernelReceived: number;
}

export interface CaptureStats {
  packets: number;
  bytes: number;
  dropped: number;
  kernelDropped: number;
  interfaces: InterfaceCounters[];
}

interface Source {
  socket: PacketSocket;
  id: number;
  /** ETHERNET_VLAN_OFFSET on Ethernet, null on raw-IP interfaces. */
  vlanOffset: number | null;
  counters: InterfaceCounters;
  /** Set when the source is finishing (a stop, or its interface was deleted): close by then at the latest. */
  finishBy?: number;
}

/** A chunk for the consumer and the memory it holds (the whole ring block it was written into). */
interface Queued {
  chunk: Uint8Array;
  cost: number;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function defaultRingBytes(interfaces: number): number {
  return Math.min(DEFAULT_RING_BYTES, Math.floor(DEFAULT_TOTAL_RING_BYTES / Math.max(1, interfaces)));
}

/** A running capture. Iterate it for pcapng chunks; the iteration ends when the capture stops. */
export class Capture implements AsyncIterable<Uint8Array> {
  readonly #sources: Source[];
  readonly #queue: Queued[] = [];
  /** Whole-block buffers the consumer gave back (recycle()), for the next blocks. */
  readonly #spare: ArrayBuffer[] = [];
  #queuedBytes = 0;
  readonly #maxBuffered: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  #pollMs = POLL_MAX_MS;
  #lastAliveCheck = Date.now();
  #durationTimer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  /** Why the capture is stopping, while it drains what the kernel still holds. */
  #stopping: StopReason | undefined;
  #stopReason: StopReason | undefined;
  #error: unknown;
  readonly #count: number;
  readonly #isAlive: (() => boolean) | undefined;
  readonly #startNs = nowNs();
  readonly #endedResolvers = Promise.withResolvers<StopReason>();
  readonly stats: CaptureStats;

  private constructor(sources: Source[], header: Uint8Array, opts: CaptureOptions) {
    this.#sources = sources;
    this.#maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.#count = opts.count ?? Infinity;
    this.#isAlive = opts.isAlive;
    this.stats = { packets: 0, bytes: 0, dropped: 0, kernelDropped: 0, interfaces: sources.map((s) => s.counters) };
    this.#push(header, header.byteLength);
    if (opts.durationMs !== undefined) this.#durationTimer = setTimeout(() => this.stop("duration"), opts.durationMs);
    this.#immediate = setImmediate(() => this.#tick());
  }

  /**
   * Open a socket on every interface (all or nothing: on any failure the ones already open are
   * closed) and start reading. Throws FilterSyntaxError / LibpcapMissingError for filter
   * problems, SyscallError for socket problems, before any packet is read.
   */
  static start(opts: CaptureOptions): Capture {
    if (opts.interfaces.length === 0) throw new Error("nothing to capture: the namespace has no interfaces");
    if (opts.count !== undefined && !(Number.isInteger(opts.count) && opts.count > 0)) throw new RangeError(`count must be a positive integer, not ${opts.count}`);
    const snaplen = opts.snaplen ?? CAPTURE_SNAPLEN;
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > CAPTURE_SNAPLEN) throw new RangeError(`snaplen must be an integer from 1 to ${CAPTURE_SNAPLEN}, not ${snaplen}`);
    const ringBytes = opts.ringBytes ?? defaultRingBytes(opts.interfaces.length);
    const filters = new Map<number, SockFilter[]>();
    const sources: Source[] = [];
    const blocks: Uint8Array[] = [sectionHeaderBlock({ comments: opts.comments, os: opts.os, userAppl: opts.userAppl })];
    try {
      for (const iface of opts.interfaces) {
        const linkType = linkTypeFor(iface.arphrd);
        if (linkType === null) throw new Error(`cannot capture on ${iface.name}: link type ARPHRD ${iface.arphrd} is not supported`);
        let filter: SockFilter[] | undefined;
        if (opts.filter !== undefined) {
          filter = filters.get(linkType);
          if (!filter) filters.set(linkType, (filter = compileFilter(opts.filter, linkType, snaplen)));
        } else if (snaplen < CAPTURE_SNAPLEN) {
          filter = acceptAllFilter(snaplen); // the kernel cuts frames at what the filter returns
        }
        const socket = PacketSocket.open({ netnsFd: opts.netnsFd, ifindex: iface.index, promiscuous: opts.promiscuous, filter, ringBytes });
        sources.push({
          socket,
          id: sources.length,
          vlanOffset: linkType === LINKTYPE_ETHERNET ? ETHERNET_VLAN_OFFSET : null,
          counters: { name: iface.name, packets: 0, dropped: 0, kernelDropped: 0, kernelReceived: 0 },
        });
        blocks.push(interfaceDescriptionBlock({ name: iface.name, linkType, snaplen }));
      }
    } catch (e) {
      for (const s of sources) s.socket.close();
      throw e;
    }
    const header = new Uint8Array(blocks.reduce((n, b) => n + b.byteLength, 0));
    let off = 0;
    for (const b of blocks) {
      header.set(b, off);
      off += b.byteLength;
    }
    return new Capture(sources, header, opts);
  }

  /** Why the capture ended (undefined while it runs or drains). */
  get stopReason(): StopReason | undefined {
    return this.#stopReason;
  }

  /** Resolves with the stop reason once the sockets are closed; rejects if reading failed. */
  get ended(): Promise<StopReason> {
    return this.#endedResolvers.promise;
  }

  /** fds of the open sockets (for diagnostics and tests). */
  get fds(): number[] {
    return this.#sources.filter((s) => !s.socket.closed).map((s) => s.socket.fd);
  }

  /**
   * The consumer is done with `chunk`, one this capture yielded (written out, say): its memory
   * may hold a later block. Optional — an unrecycled chunk is garbage-collected — but it spares
   * fresh memory for every block. The chunk must not be used afterwards.
   */
  recycle(chunk: Uint8Array): void {
    this.#recycleBuffer(chunk.buffer);
  }

  #recycleBuffer(buffer: ArrayBufferLike): void {
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength !== RING_BLOCK_SIZE) return; // headers, small blocks
    if (this.#spare.length >= MAX_SPARE || this.#spare.includes(buffer)) return;
    this.#spare.push(buffer);
  }

  #push(chunk: Uint8Array, cost: number): void {
    this.#queue.push({ chunk, cost });
    this.#queuedBytes += cost;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #tick(): void {
    this.#timer = undefined;
    this.#immediate = undefined;
    if (this.#stopReason) return;
    let read: number;
    try {
      read = this.#read(TICK_BUDGET);
      if (this.#stopReason) return; // the count was reached
      if (!this.#stopping && Date.now() - this.#lastAliveCheck >= ALIVE_CHECK_MS) this.#checkAlive();
      if (this.#stopReason) return;
      this.#finishSources();
    } catch (e) {
      this.#fail(e);
      return;
    }
    if (this.#sources.every((s) => s.socket.closed)) {
      this.#finish(this.#stopping ?? "interfaces gone");
      return;
    }
    clearImmediate(this.#immediate); // a stop() during this tick scheduled one; one chain of ticks only
    if (read >= TICK_BUDGET) this.#immediate = setImmediate(() => this.#tick());
    else this.#timer = setTimeout(() => this.#tick(), this.#stopping ? STOPPING_POLL_MS : this.#pollMs);
  }

  /** Take the blocks the kernel handed over, up to about `budget` packets; returns how many were read. */
  #read(budget: number): number {
    let read = 0;
    let fullest = 0; // the largest share of a ring found handed over
    for (const src of this.#sources) {
      const socket = src.socket;
      let blocks = 0;
      while (read < budget) {
        const size = socket.readyBytes();
        if (size === 0) break;
        blocks++;
        if (this.#queuedBytes + size > this.#maxBuffered) {
          const lost = socket.skipBlock();
          src.counters.dropped += lost;
          this.stats.dropped += lost;
          read += lost;
          continue;
        }
        const block = socket.takeBlock(this.#spare.pop());
        const r = blockToPcapng(block, src.id, src.vlanOffset, this.#count - this.stats.packets);
        read += r.packets;
        src.counters.packets += r.packets;
        this.stats.packets += r.packets;
        this.stats.bytes += r.bytes;
        if (r.end > 0) this.#push(block.subarray(0, r.end), block.buffer.byteLength);
        else this.#recycleBuffer(block.buffer);
        if (this.stats.packets >= this.#count) {
          this.#finish("count");
          return read;
        }
      }
      fullest = Math.max(fullest, blocks / socket.blockCount);
    }
    if (fullest >= 0.5) this.#pollMs = Math.max(POLL_MIN_MS, this.#pollMs / 2);
    else if (fullest < 0.125) this.#pollMs = Math.min(POLL_MAX_MS, this.#pollMs * 2);
    return read;
  }

  /** Close the finishing sources that have nothing more to hand over (or waited long enough). */
  #finishSources(): void {
    const now = Date.now();
    for (const src of this.#sources) {
      if (src.finishBy === undefined || src.socket.closed || src.socket.readyBytes() > 0) continue;
      if (now >= src.finishBy || !src.socket.packetsPending()) this.#closeSource(src);
    }
  }

  #checkAlive(): void {
    this.#lastAliveCheck = Date.now();
    if (this.#isAlive && !this.#isAlive()) {
      this.stop("target vanished");
      return;
    }
    // A deleted interface unbinds its socket: read what its ring holds, then close it.
    for (const src of this.#sources) {
      if (src.socket.closed || src.finishBy !== undefined) continue;
      let bound = false;
      try {
        bound = src.socket.stillBound();
      } catch {
        // cannot tell: treat it as gone, like a socket that errs
      }
      if (!bound) src.finishBy = Date.now() + FINISH_GRACE_MS;
    }
  }

  #closeSource(src: Source): void {
    if (src.socket.closed) return;
    try {
      const k = src.socket.takeStats();
      src.counters.kernelReceived += k.packets;
      src.counters.kernelDropped += k.drops;
      this.stats.kernelDropped += k.drops;
    } catch {
      // the statistics are a courtesy; closing is what matters
    }
    src.socket.close();
  }

  #shutdown(): void {
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    clearTimeout(this.#durationTimer);
    for (const src of this.#sources) this.#closeSource(src);
  }

  #fail(e: unknown): void {
    if (this.#stopReason) return;
    this.#stopReason = "stopped";
    this.#error = e;
    this.#shutdown();
    this.#endedResolvers.reject(e);
    this.#endedResolvers.promise.catch(() => {}); // reported through the iterator too
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * End the capture: always closes every socket, whatever the reason, then writes each
   * interface's statistics and lets the iteration finish. Unless the consumer went away or the
   * count is complete, what the kernel already captured is read first (see the file comment),
   * so `ended` resolves up to FINISH_GRACE_MS later. Idempotent.
   */
  stop(reason: StopReason = "stopped"): void {
    if (this.#stopReason) return;
    if (reason === "consumer closed" || reason === "count") {
      this.#finish(this.#stopping ?? reason);
      return;
    }
    if (this.#stopping) return;
    this.#stopping = reason;
    clearTimeout(this.#durationTimer);
    const due = Date.now() + FINISH_GRACE_MS;
    for (const src of this.#sources) {
      if (src.socket.closed) continue;
      try {
        src.socket.rejectAll();
      } catch {
        // a socket that cannot take the filter is closed after the grace time all the same
      }
      src.finishBy = Math.min(src.finishBy ?? due, due);
    }
    clearTimeout(this.#timer);
    clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = setImmediate(() => this.#tick());
  }

  #finish(reason: StopReason): void {
    if (this.#stopReason) return;
    this.#stopReason = reason;
    this.#shutdown();
    const endNs = nowNs();
    for (const src of this.#sources) {
      const isb = interfaceStatisticsBlock({
        interfaceId: src.id,
        timestampNs: endNs,
        startNs: this.#startNs,
        endNs,
        received: BigInt(src.counters.kernelReceived),
        osDropped: BigInt(src.counters.kernelDropped),
        dropped: BigInt(src.counters.dropped),
        delivered: BigInt(src.counters.packets),
      });
      this.#push(isb, isb.byteLength);
    }
    this.#endedResolvers.resolve(reason);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for (;;) {
        const next = this.#queue.shift();
        if (next) {
          this.#queuedBytes -= next.cost;
          yield next.chunk;
          continue;
        }
        if (this.#error !== undefined) throw this.#error;
        if (this.#stopReason) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      // The consumer went away (break, an exception, a closed client): free the sockets.
      this.stop("consumer closed");
    }
  }
}
