// The capture engine: one AF_PACKET socket per captured interface, read without blocking the
// event loop, packets written as pcapng into chunks that a consumer pulls as an async iterable.
// A CLI writes the chunks to a file or stdout; a server can stream them to a client the same way
// and call stop() when the client goes away.
//
// Reading: the sockets are non-blocking and drained from timers. A tick reads at most
// TICK_BUDGET frames, then yields (setImmediate when there may be more, a short timeout when the
// sockets were empty), so other work on the loop (queries, other streams) waits at most one
// tick. Between ticks the kernel queues frames in each socket's receive buffer (8 MiB).
//
// Memory is bounded: when the consumer does not keep up and maxBufferedBytes of chunks are
// waiting, further packets are dropped and counted (reported in stats and, at the end of the
// stream, in each interface's statistics block) rather than queued.

import {
  CAPTURE_SNAPLEN,
  PACKET_BROADCAST,
  PACKET_HOST,
  PACKET_MULTICAST,
  PACKET_OTHERHOST,
  PACKET_OUTGOING,
  PacketSocket,
  compileFilter,
  isSyscallError,
  type SockFilter,
} from "../ffi/index.ts";
import {
  EPB_BROADCAST,
  EPB_INBOUND,
  EPB_MULTICAST,
  EPB_OUTBOUND,
  EPB_PROMISCUOUS,
  EPB_UNICAST,
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW,
  enhancedPacketSize,
  interfaceDescriptionBlock,
  interfaceStatisticsBlock,
  sectionHeaderBlock,
  writeEnhancedPacket,
} from "./pcapng.ts";

const TICK_BUDGET = 4096;
const FINAL_DRAIN_BUDGET = 65536;
const IDLE_POLL_MS = 5;
const ALIVE_CHECK_MS = 500;
const CHUNK_BYTES = 256 * 1024;
const DEFAULT_MAX_BUFFERED = 32 * 1024 * 1024;

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
  /** Packets the kernel dropped (socket receive queue full); known once the capture ended. */
  kernelDropped: number;
  /** Packets that passed the filter in the kernel; known once the capture ended. */
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
  counters: InterfaceCounters;
}

function epbFlags(pkttype: number): number {
  switch (pkttype) {
    case PACKET_HOST:
      return EPB_INBOUND | EPB_UNICAST;
    case PACKET_BROADCAST:
      return EPB_INBOUND | EPB_BROADCAST;
    case PACKET_MULTICAST:
      return EPB_INBOUND | EPB_MULTICAST;
    case PACKET_OTHERHOST:
      return EPB_INBOUND | EPB_PROMISCUOUS;
    case PACKET_OUTGOING:
      return EPB_OUTBOUND;
    default:
      return 0;
  }
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** A running capture. Iterate it for pcapng chunks; the iteration ends when the capture stops. */
export class Capture implements AsyncIterable<Uint8Array> {
  readonly #sources: Source[];
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  readonly #maxBuffered: number;
  #chunk = new Uint8Array(CHUNK_BYTES);
  #view = new DataView(this.#chunk.buffer);
  #used = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  #aliveTimer: ReturnType<typeof setInterval> | undefined;
  #durationTimer: ReturnType<typeof setTimeout> | undefined;
  #wake: (() => void) | undefined;
  #stopReason: StopReason | undefined;
  #error: unknown;
  readonly #count: number;
  readonly #startNs = nowNs();
  readonly #endedResolvers = Promise.withResolvers<StopReason>();
  readonly stats: CaptureStats;

  private constructor(sources: Source[], header: Uint8Array, opts: CaptureOptions) {
    this.#sources = sources;
    this.#maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED;
    this.#count = opts.count ?? Infinity;
    this.stats = { packets: 0, bytes: 0, dropped: 0, kernelDropped: 0, interfaces: sources.map((s) => s.counters) };
    this.#push(header);
    if (opts.durationMs !== undefined) this.#durationTimer = setTimeout(() => this.stop("duration"), opts.durationMs);
    if (opts.isAlive) {
      const isAlive = opts.isAlive;
      this.#aliveTimer = setInterval(() => {
        if (!isAlive()) this.stop("target vanished");
      }, ALIVE_CHECK_MS);
    }
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
          if (!filter) filters.set(linkType, (filter = compileFilter(opts.filter, linkType, CAPTURE_SNAPLEN)));
        }
        const socket = PacketSocket.open({ netnsFd: opts.netnsFd, ifindex: iface.index, promiscuous: opts.promiscuous, filter });
        sources.push({ socket, id: sources.length, counters: { name: iface.name, packets: 0, dropped: 0, kernelDropped: 0, kernelReceived: 0 } });
        blocks.push(interfaceDescriptionBlock({ name: iface.name, linkType, snaplen: CAPTURE_SNAPLEN }));
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

  /** Why the capture ended (undefined while it runs). */
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

  #push(bytes: Uint8Array): void {
    this.#queue.push(bytes);
    this.#queuedBytes += bytes.byteLength;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #flush(): void {
    if (this.#used === 0) return;
    this.#push(this.#chunk.slice(0, this.#used));
    this.#used = 0;
  }

  #tick(): void {
    this.#timer = undefined;
    this.#immediate = undefined;
    if (this.#stopReason) return;
    let read: number;
    try {
      read = this.#read(TICK_BUDGET);
    } catch (e) {
      this.#fail(e);
      return;
    }
    if (this.#stopReason) return; // the count was reached
    this.#flush();
    if (this.#sources.every((s) => s.socket.closed)) {
      this.stop("interfaces gone");
      return;
    }
    if (read >= TICK_BUDGET) this.#immediate = setImmediate(() => this.#tick());
    else this.#timer = setTimeout(() => this.#tick(), read > 0 ? 0 : IDLE_POLL_MS);
  }

  /** Read up to `budget` queued frames into the chunk; returns how many were read. */
  #read(budget: number): number {
    let read = 0;
    for (const src of this.#sources) {
      if (src.socket.closed) continue;
      while (read < budget) {
        let frame;
        try {
          frame = src.socket.recv();
        } catch (e) {
          if (!isSyscallError(e, "ENETDOWN", "ENXIO", "ENODEV")) throw e;
          // The interface was deleted: this source is finished; the others go on.
          this.#closeSource(src);
          break;
        }
        if (frame === null) break;
        read++;
        const size = enhancedPacketSize(frame.data.byteLength);
        if (this.#queuedBytes + this.#used + size > this.#maxBuffered) {
          src.counters.dropped++;
          this.stats.dropped++;
          continue;
        }
        if (this.#used + size > this.#chunk.byteLength) {
          this.#flush();
          if (size > this.#chunk.byteLength) this.#chunk = new Uint8Array(size);
          this.#view = new DataView(this.#chunk.buffer);
        }
        this.#used = writeEnhancedPacket(this.#chunk, this.#view, this.#used, src.id, frame.timestampNs, frame.data, frame.originalLength, epbFlags(frame.pkttype));
        src.counters.packets++;
        this.stats.packets++;
        this.stats.bytes += frame.data.byteLength;
        if (this.stats.packets >= this.#count) {
          this.stop("count");
          return read;
        }
      }
    }
    return read;
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
    clearInterval(this.#aliveTimer);
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
   * End the capture: close every socket (always, whatever the reason), write what was read and
   * each interface's statistics, and let the iteration finish. Idempotent.
   */
  stop(reason: StopReason = "stopped"): void {
    if (this.#stopReason) return;
    if (reason !== "consumer closed" && reason !== "count") {
      // What the kernel already queued was captured before the stop: read it (bounded: a flood
      // must not keep a stop waiting), unless nobody will read it or the count is complete.
      try {
        this.#read(FINAL_DRAIN_BUDGET);
      } catch {
        // stopping anyway; the sockets are closed below
      }
      if (this.#stopReason) return; // the drain reached the count and stopped
    }
    this.#stopReason = reason;
    this.#shutdown();
    this.#flush();
    const endNs = nowNs();
    for (const src of this.#sources) {
      this.#push(
        interfaceStatisticsBlock({
          interfaceId: src.id,
          timestampNs: endNs,
          startNs: this.#startNs,
          endNs,
          received: BigInt(src.counters.kernelReceived),
          osDropped: BigInt(src.counters.kernelDropped),
          dropped: BigInt(src.counters.dropped),
          delivered: BigInt(src.counters.packets),
        }),
      );
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
          this.#queuedBytes -= next.byteLength;
          yield next;
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
