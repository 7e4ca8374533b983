// A netlink socket as a datagram pipe to the kernel: open/bind, send bytes, receive whole
// datagrams into a reusable buffer. It knows nothing about message formats; request building,
// the dump loop and decoding live in src/netlink and src/discovery.

import {
  AF_NETLINK,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_TRUNC,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCKADDR_NL_SIZE,
  SOL_NETLINK,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
} from "./constants.ts";
import { isSyscallError } from "./errno.ts";
import { closeFd, closeQuietly } from "./fd.ts";
import { lastError, libc } from "./libc.ts";
import { socketInNetns, socketsInNetns } from "./netns.ts";
import { netnsCookie, setsockoptInt } from "./socket.ts";

const EINTR = 4;
const EAGAIN = 11;

const KIB = 1024;
const MIN_RCVBUF = 32 * KIB;
const DEFAULT_RCVBUF = 1024 * KIB;
const DEFAULT_RECV_BUFFER = 64 * KIB;

/** A datagram longer than the receive buffer reached a plain read (should not happen: recv peeks first). */
export class NetlinkTruncatedError extends Error {
  readonly datagramLength: number;
  readonly bufferLength: number;
  constructor(datagramLength: number, bufferLength: number) {
    super(`netlink datagram of ${datagramLength} bytes truncated to a ${bufferLength}-byte buffer`);
    this.name = "NetlinkTruncatedError";
    this.datagramLength = datagramLength;
    this.bufferLength = bufferLength;
  }
}

export interface NetlinkSocketOptions {
  /** Legacy multicast group bitmask for bind (groups 1..32); use addMembership for any group. */
  groups?: number;
  /** SO_RCVBUF(FORCE) in bytes. Default 1 MiB, at least 32 KiB. */
  rcvbuf?: number;
  /** SOCK_NONBLOCK: recv() then throws EAGAIN instead of blocking; recvNonBlocking works either way. */
  nonblocking?: boolean;
  /**
   * Open the socket in this network namespace (an fd of /run/netns/X, /proc/PID/ns/net) via
   * socketInNetns, instead of the calling thread's. Preferred over withNetns(fd, () => open(...)):
   * no JS runs while switched, so no engine thread can inherit the namespace.
   */
  netnsFd?: number;
  /**
   * Initial receive buffer in bytes, this socket's own rather than one from the shared pool.
   * Only tests want it: a small one makes a dump's datagrams overflow it (see recvDatagram).
   */
  recvBuffer?: number;
}

/** struct sockaddr_nl with the given pid and groups (native byte order, like the kernel expects). */
function sockaddrNl(pid: number, groups: number): Uint8Array {
  const sa = new Uint8Array(SOCKADDR_NL_SIZE);
  const v = new DataView(sa.buffer);
  v.setUint16(0, AF_NETLINK, true); // x64/arm64 are little-endian (libc.ts refuses others)
  v.setUint32(4, pid, true);
  v.setUint32(8, groups >>> 0, true);
  return sa;
}

// The kernel's address: every request goes to nl_pid 0.
const KERNEL = sockaddrNl(0, 0);

function socketType(opts: NetlinkSocketOptions): number {
  return SOCK_RAW | SOCK_CLOEXEC | (opts.nonblocking ? SOCK_NONBLOCK : 0);
}

// Receive buffers of closed sockets, for the next sockets to reuse. A discovery opens a few
// sockets per namespace, each of which used to allocate (and zero) its own 64 KiB: at 500
// namespaces that was ~100 MB of garbage and ~25 ms per pass. Single JS thread per module copy
// (a Worker has its own), so no locking. Bounded, so a burst of big datagrams is not kept forever.
const POOL_MAX = 8;
const POOL_MAX_BYTES = 1024 * KIB;
const bufferPool: Uint8Array[] = [];

export class NetlinkSocket implements Disposable {
  #fd: number;
  /** Port id (nl_pid) the kernel assigned at bind; replies carry it in nlmsg_pid. */
  readonly portId: number;
  readonly protocol: number;
  /** The receive buffer: taken from the pool at the first receive, given back at close. */
  #buf: Uint8Array | null = null;

  private constructor(fd: number, portId: number, protocol: number, recvBuffer: number | undefined) {
    this.#fd = fd;
    this.portId = portId;
    this.protocol = protocol;
    if (recvBuffer !== undefined) this.#buf = new Uint8Array(Math.max(16, recvBuffer));
  }

  /**
   * socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, protocol) in the calling thread's network namespace
   * or in opts.netnsFd's, sized, bound with nl_pid 0 so the kernel assigns the port id, and
   * connected to the kernel so that only the kernel can unicast to it: otherwise any process with
   * CAP_NET_ADMIN over that namespace — e.g. root of a rootless container, in the container's own
   * namespace, where we open sockets — could send forged "replies" to our port id. Everything
   * after socket() acts on the socket's own namespace, so only socket() itself needs the switch.
   */
  static open(protocol: number, opts: NetlinkSocketOptions = {}): NetlinkSocket {
    const type = socketType(opts);
    let fd: number;
    if (opts.netnsFd !== undefined) {
      fd = socketInNetns(opts.netnsFd, AF_NETLINK, type, protocol);
    } else {
      fd = libc.socket(AF_NETLINK, type, protocol);
      if (fd < 0) throw lastError("socket", `AF_NETLINK protocol ${protocol}`);
    }
    return NetlinkSocket.#setUp(fd, protocol, opts);
  }

  /**
   * One socket per protocol (up to MAX_SOCKETS_PER_WINDOW), all opened inside the namespace
   * `netnsFd` in a single switch — what a discovery of many namespaces wants, as each switch costs
   * two setns calls. Per protocol: the socket, or the error that socket()/set-up gave for it alone
   * (say EPROTONOSUPPORT where nf_tables is absent). Throws if the namespace cannot be entered.
   */
  static openAllIn(netnsFd: number, protocols: readonly number[], opts: Omit<NetlinkSocketOptions, "netnsFd"> = {}): (NetlinkSocket | Error)[] {
    const fds = socketsInNetns(netnsFd, AF_NETLINK, socketType(opts), protocols);
    return fds.map((fd, i) => {
      if (fd instanceof Error) return fd;
      try {
        return NetlinkSocket.#setUp(fd, protocols[i]!, opts);
      } catch (err) {
        return err as Error;
      }
    });
  }

  /**
   * A NetlinkSocket over an fd that is already set up (bound and connected by open/openAllIn),
   * taken over from whoever opened it: fds are process-wide, so a socket a Worker thread opened
   * inside some namespace can be used, and must then be closed, here.
   */
  static adopt(fd: number, protocol: number): NetlinkSocket {
    const sa = new Uint8Array(SOCKADDR_NL_SIZE);
    const saLen = new Uint32Array([SOCKADDR_NL_SIZE]);
    if (libc.getsockname(fd, sa, saLen) !== 0) throw lastError("getsockname", `adopting fd ${fd}`);
    return new NetlinkSocket(fd, new DataView(sa.buffer).getUint32(4, true), protocol, undefined);
  }

  /** Everything after socket(): it acts on the socket's own namespace, wherever we sit. Closes fd on failure. */
  static #setUp(fd: number, protocol: number, opts: NetlinkSocketOptions): NetlinkSocket {
    try {
      setRcvbuf(fd, Math.max(MIN_RCVBUF, opts.rcvbuf ?? DEFAULT_RCVBUF));
      // Richer errors (extended ACK) and strict checking of dump requests; both optional extras,
      // absent on old kernels and on some netlink families.
      setOptionalNetlinkFlag(fd, NETLINK_EXT_ACK);
      setOptionalNetlinkFlag(fd, NETLINK_GET_STRICT_CHK);

      if (libc.bind(fd, sockaddrNl(0, opts.groups ?? 0), SOCKADDR_NL_SIZE) !== 0) {
        throw lastError("bind", `AF_NETLINK protocol ${protocol}`);
      }
      const sa = new Uint8Array(SOCKADDR_NL_SIZE);
      const saLen = new Uint32Array([SOCKADDR_NL_SIZE]);
      if (libc.getsockname(fd, sa, saLen) !== 0) throw lastError("getsockname");
      const portId = new DataView(sa.buffer).getUint32(4, true);

      if (libc.connect(fd, KERNEL, SOCKADDR_NL_SIZE) !== 0) throw lastError("connect", "netlink kernel");
      return new NetlinkSocket(fd, portId, protocol, opts.recvBuffer);
    } catch (e) {
      closeQuietly(fd);
      throw e;
    }
  }

  /** The socket fd; -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  // Refuse to touch a closed socket: its fd number may already belong to something else.
  #live(): number {
    if (this.#fd < 0) throw new Error("NetlinkSocket is closed");
    return this.#fd;
  }

  /** Send one datagram (one or more netlink messages) to the kernel; all of it, or throw. */
  send(bytes: Uint8Array): void {
    const fd = this.#live();
    if (bytes.byteLength === 0) throw new RangeError("NetlinkSocket.send: empty datagram");
    for (;;) {
      const n = Number(libc.sendto(fd, bytes, bytes.byteLength, 0, KERNEL, SOCKADDR_NL_SIZE));
      if (n === bytes.byteLength) return;
      if (n >= 0) throw new Error(`sendto: sent ${n} of ${bytes.byteLength} bytes to netlink`);
      const err = lastError("sendto", "netlink");
      if (err.errno !== EINTR) throw err;
    }
  }

  /**
   * Receive one datagram, blocking unless the socket is nonblocking (then EAGAIN is thrown).
   * Returns a view of an internal buffer, valid until the next receive or the close (which hands
   * the buffer to the next socket opened): copy what must outlive that.
   *
   * Never truncates: a netlink dump cannot re-read a lost datagram, so the size is peeked first
   * (MSG_PEEK|MSG_TRUNC with an empty buffer returns the real length), the buffer grown if needed,
   * then the datagram read. This costs one extra syscall per datagram.
   */
  recv(): Uint8Array {
    return this.#receive(0)!;
  }

  /** Like recv() but never blocks: null when nothing is queued (EAGAIN). */
  recvNonBlocking(): Uint8Array | null {
    return this.#receive(MSG_DONTWAIT);
  }

  #receive(flags: number): Uint8Array | null {
    const fd = this.#live();
    let size: number;
    for (;;) {
      size = Number(libc.recvfrom(fd, null, 0, MSG_PEEK | MSG_TRUNC | flags, null, null));
      if (size >= 0) break;
      const err = lastError("recvfrom", "netlink peek");
      if (err.errno === EINTR) continue;
      if (err.errno === EAGAIN && flags & MSG_DONTWAIT) return null;
      throw err; // ENOBUFS: the kernel dropped messages (receive queue overrun)
    }
    const buf = this.#bufferFor(size);
    for (;;) {
      // The datagram is queued (we just peeked it and only this thread reads), so never block here.
      const n = Number(libc.recvfrom(fd, buf, buf.byteLength, MSG_TRUNC | MSG_DONTWAIT, null, null));
      if (n > buf.byteLength) throw new NetlinkTruncatedError(n, buf.byteLength);
      if (n >= 0) return buf.subarray(0, n);
      const err = lastError("recvfrom", "netlink");
      if (err.errno !== EINTR) throw err;
    }
  }

  /**
   * Receive one datagram with a single recvfrom (no size peek), blocking. Returns a view of the
   * internal buffer like recv(). A datagram longer than the buffer is LOST: the buffer is grown to
   * its size and NetlinkTruncatedError thrown, so only a caller that can ask again should use this
   * — a dump loop (which drains and repeats the dump) does; event sockets must use recv().
   * The kernel fills dump datagrams up to 32 KiB unless one message needs more, so with the 64 KiB
   * buffer truncation does not happen in practice, and this halves the syscalls of a dump.
   */
  recvDatagram(): Uint8Array {
    const fd = this.#live();
    const buf = this.#bufferFor(0);
    for (;;) {
      const n = Number(libc.recvfrom(fd, buf, buf.byteLength, MSG_TRUNC, null, null));
      if (n > buf.byteLength) {
        this.#bufferFor(n);
        throw new NetlinkTruncatedError(n, buf.byteLength);
      }
      if (n >= 0) return buf.subarray(0, n);
      const err = lastError("recvfrom", "netlink");
      if (err.errno !== EINTR) throw err;
    }
  }

  /** The receive buffer, at least `size` bytes (from the pool, or grown). */
  #bufferFor(size: number): Uint8Array {
    let buf = this.#buf;
    if (buf === null) buf = this.#buf = bufferPool.pop() ?? new Uint8Array(DEFAULT_RECV_BUFFER);
    if (size > buf.byteLength) {
      // Round up to 4 KiB and at least double, so a run of growing datagrams reallocates rarely.
      buf = this.#buf = new Uint8Array(Math.max(buf.byteLength * 2, (size + 4095) & ~4095));
    }
    return buf;
  }

  /** SO_RCVBUF(FORCE) after the fact (a socket opened with others in one window shares their options). */
  setReceiveBuffer(bytes: number): void {
    setRcvbuf(this.#live(), Math.max(MIN_RCVBUF, bytes));
  }

  /**
   * Gives up the fd without closing it (its new owner adopts it, maybe in another thread) and
   * returns it; this object is closed from then on.
   */
  release(): number {
    const fd = this.#live();
    this.releaseBuffer();
    this.#fd = -1;
    return fd;
  }

  /** Join a multicast group (NETLINK_ADD_MEMBERSHIP takes the group number, not a bitmask). */
  addMembership(group: number): void {
    setsockoptInt(this.#live(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
  }

  /** Leave a multicast group. */
  dropMembership(group: number): void {
    setsockoptInt(this.#live(), SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
  }

  /** Cookie of the network namespace this socket was opened in (see socket.ts netnsCookie). */
  netnsCookie(): bigint {
    return netnsCookie(this.#live());
  }

  /**
   * Hands the receive buffer back to the pool while the socket is kept open but idle (a discovery
   * keeps one route socket per namespace for later queries); the next receive takes one again.
   * Views returned by earlier receives are invalid from here on.
   */
  releaseBuffer(): void {
    const buf = this.#buf;
    this.#buf = null;
    const poolable = buf !== null && buf.byteLength >= DEFAULT_RECV_BUFFER && buf.byteLength <= POOL_MAX_BYTES;
    if (poolable && bufferPool.length < POOL_MAX) bufferPool.push(buf);
  }

  /** Close the socket. Idempotent. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    this.releaseBuffer();
    closeFd(fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** SO_RCVBUFFORCE (ignores net.core.rmem_max, needs CAP_NET_ADMIN), falling back to SO_RCVBUF. */
function setRcvbuf(fd: number, bytes: number): void {
  try {
    setsockoptInt(fd, SOL_SOCKET, SO_RCVBUFFORCE, bytes);
  } catch (e) {
    if (!isSyscallError(e, "EPERM")) throw e;
    setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, bytes); // silently capped at rmem_max by the kernel
  }
}

function setOptionalNetlinkFlag(fd: number, option: number): void {
  try {
    setsockoptInt(fd, SOL_NETLINK, option, 1);
  } catch (e) {
    if (!isSyscallError(e, "ENOPROTOOPT")) throw e;
  }
}
