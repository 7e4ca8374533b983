// An AF_PACKET capture socket: opened inside a target network namespace, bound to one interface
// (or all of them), an optional classic-BPF filter attached in the kernel, promiscuous mode as a
// socket membership (undone by the kernel when the socket closes, even if we crash), and
// non-blocking reads that return each frame with its interface, direction and a nanosecond
// receive timestamp. Formats (pcapng) and filter compilation live elsewhere.

import { ptr } from "bun:ffi";
import {
  AF_PACKET,
  ETH_P_ALL,
  MSG_DONTWAIT,
  MSG_TRUNC,
  PACKET_ADD_MEMBERSHIP,
  PACKET_MREQ_SIZE,
  PACKET_MR_PROMISC,
  PACKET_STATISTICS,
  SCM_TIMESTAMPNS,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCKADDR_LL_SIZE,
  SOL_PACKET,
  SOL_SOCKET,
  SO_ATTACH_FILTER,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_TIMESTAMPNS,
} from "./constants.ts";
import { isSyscallError } from "./errno.ts";
import { closeFd, closeQuietly } from "./fd.ts";
import { lastError, libc } from "./libc.ts";
import { socketInNetns } from "./netns.ts";
import { setsockoptInt } from "./socket.ts";

const EINTR = 4;
const EAGAIN = 11;

/** Largest frame we keep (tcpdump's default snaplen); longer ones are cut, their length kept. */
export const CAPTURE_SNAPLEN = 262144;
const DEFAULT_RCVBUF = 8 * 1024 * 1024;

/** One classic BPF instruction, struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }. */
export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
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
  /** SO_RCVBUF(FORCE): the kernel queue that absorbs bursts between two reads. Default 8 MiB. */
  rcvbuf?: number;
}

/** One received frame. `data` is a view of a shared buffer, valid until the next recv of any PacketSocket. */
export interface CapturedFrame {
  data: Uint8Array;
  /** Length on the wire; more than data.byteLength when the frame was longer than CAPTURE_SNAPLEN. */
  originalLength: number;
  ifindex: number;
  /** sll_pkttype: PACKET_HOST, _BROADCAST, _MULTICAST, _OTHERHOST (promiscuous) or _OUTGOING. */
  pkttype: number;
  /** sll_hatype: the ARPHRD_* type of the interface. */
  hatype: number;
  /** Kernel receive time, nanoseconds since the epoch. */
  timestampNs: bigint;
}

// Receive scratch, shared by every PacketSocket: reads are synchronous on one thread, and the
// caller copies each frame out before the next read. struct msghdr on x86_64/arm64 (56 bytes):
//   0 msg_name*  8 msg_namelen u32  16 msg_iov*  24 msg_iovlen  32 msg_control*  40 msg_controllen  48 msg_flags
// The engine may move the storage of small typed arrays during GC (seen here: a pointer to a
// 16-byte iovec taken once went stale after a discovery's worth of allocation, and recvmsg then
// copied nothing). So every pointer is taken again right before each call, with no allocation
// between taking it and the call.
const frameBuf = new Uint8Array(CAPTURE_SNAPLEN);
const sll = new Uint8Array(SOCKADDR_LL_SIZE + 4);
const control = new Uint8Array(64); // room for one cmsg carrying a struct timespec (16 + 16)
const iov = new Uint8Array(16);
const iovView = new DataView(iov.buffer);
const msghdr = new Uint8Array(56);
const msgView = new DataView(msghdr.buffer);
const sllView = new DataView(sll.buffer);
const controlView = new DataView(control.buffer);
const TWO32 = 2 ** 32;

/** Store a pointer (a Number from ptr()) as a u64 without allocating a BigInt. */
function setPointer(view: DataView, offset: number, p: number): void {
  view.setUint32(offset, p % TWO32, true);
  view.setUint32(offset + 4, Math.floor(p / TWO32), true);
}

const frame: CapturedFrame = { data: frameBuf.subarray(0, 0), originalLength: 0, ifindex: 0, pkttype: 0, hatype: 0, timestampNs: 0n };

export class PacketSocket implements Disposable {
  #fd: number;
  readonly ifindex: number;

  private constructor(fd: number, ifindex: number) {
    this.#fd = fd;
    this.ifindex = ifindex;
  }

  /**
   * Open, filter, then bind. The socket is created with protocol 0, which receives nothing until
   * bind names a protocol: so the filter is in place before the first frame is queued, and no
   * unfiltered frame can slip in between socket() and SO_ATTACH_FILTER (libpcap does the same).
   * Only socket() needs the namespace switch: everything after acts on the socket's own netns.
   */
  static open(opts: PacketSocketOptions): PacketSocket {
    if (!Number.isInteger(opts.ifindex) || opts.ifindex < 0) throw new RangeError(`bad ifindex ${opts.ifindex}`);
    if (opts.promiscuous && opts.ifindex === 0) throw new RangeError("promiscuous mode needs an interface (ifindex > 0)");
    const fd = socketInNetns(opts.netnsFd, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    try {
      setRcvbuf(fd, opts.rcvbuf ?? DEFAULT_RCVBUF);
      if (opts.filter) attachFilter(fd, opts.filter);
      setsockoptInt(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
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
      return new PacketSocket(fd, opts.ifindex);
    } catch (e) {
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

  /**
   * The next queued frame, or null when none is queued (never blocks). The result object and its
   * data are reused by the next call. Throws SyscallError ENETDOWN once when the bound interface
   * has been deleted (the socket then stays silent).
   */
  recv(): CapturedFrame | null {
    const fd = this.#fd;
    if (fd < 0) throw new Error("PacketSocket is closed");
    let n: number;
    for (;;) {
      setPointer(iovView, 0, ptr(frameBuf));
      iovView.setUint32(8, CAPTURE_SNAPLEN, true);
      setPointer(msgView, 0, ptr(sll));
      msgView.setUint32(8, SOCKADDR_LL_SIZE, true);
      setPointer(msgView, 16, ptr(iov));
      msgView.setUint32(24, 1, true);
      setPointer(msgView, 32, ptr(control));
      msgView.setUint32(40, control.byteLength, true);
      // MSG_TRUNC on a packet socket: the return value is the frame's real length even when cut.
      n = Number(libc.recvmsg(fd, msghdr, MSG_TRUNC | MSG_DONTWAIT));
      if (n >= 0) break;
      const err = lastError("recvmsg", `AF_PACKET ifindex ${this.ifindex}`);
      if (err.errno === EAGAIN) return null;
      if (err.errno !== EINTR) throw err;
    }
    frame.data = frameBuf.subarray(0, Math.min(n, CAPTURE_SNAPLEN));
    frame.originalLength = n;
    frame.ifindex = sllView.getInt32(4, true);
    frame.hatype = sllView.getUint16(8, true);
    frame.pkttype = sll[10]!;
    frame.timestampNs = readTimestamp(msgView.getUint32(40, true));
    return frame;
  }

  /** Frames the kernel queued and dropped (receive buffer full) since the last call: PACKET_STATISTICS resets on read. */
  takeStats(): { packets: number; drops: number } {
    const stats = new Uint32Array(2);
    const len = new Uint32Array([8]);
    if (libc.getsockopt(this.#fd, SOL_PACKET, PACKET_STATISTICS, stats, len) !== 0) throw lastError("getsockopt", "PACKET_STATISTICS");
    return { packets: stats[0]!, drops: stats[1]! };
  }

  /** Close the socket (promiscuous membership ends with it). Idempotent. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    closeFd(fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** SCM_TIMESTAMPNS from the control data; the wall clock if the kernel sent none (it always should). */
function readTimestamp(controlLen: number): bigint {
  // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } followed by data, 8-aligned.
  for (let off = 0; off + 16 <= controlLen; ) {
    const len = Number(controlView.getBigUint64(off, true));
    if (len < 16) break;
    if (controlView.getInt32(off + 8, true) === SOL_SOCKET && controlView.getInt32(off + 12, true) === SCM_TIMESTAMPNS && len >= 32) {
      return controlView.getBigInt64(off + 16, true) * 1_000_000_000n + controlView.getBigInt64(off + 24, true);
    }
    off += (len + 7) & ~7;
  }
  return BigInt(Date.now()) * 1_000_000n;
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

function setRcvbuf(fd: number, bytes: number): void {
  try {
    setsockoptInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, bytes);
  } catch (e) {
    if (!isSyscallError(e, "EPERM")) throw e;
    setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, bytes);
  }
}
