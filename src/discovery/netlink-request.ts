// The request/response loop over a netlink socket: the one place that joins the ffi socket and
// the pure codec. It checks sequence numbers (a socket may still hold a late answer to an
// earlier request), turns NLMSG_ERROR into a named error, and repeats a dump the kernel flagged
// NLM_F_DUMP_INTR (the table changed while it was being walked, so the result may be torn).

import { NetlinkSocket, NetlinkTruncatedError, errnoName } from "../ffi/index.ts";
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLM_F_DUMP_INTR,
  decodeDone,
  decodeError,
  parseMessages,
  type NetlinkMessage,
} from "../netlink/index.ts";

/** A request the kernel answered with a negative errno. */
export class NetlinkRequestError extends Error {
  constructor(
    readonly code: string,
    readonly errno: number,
    readonly what: string,
    readonly extack?: string,
  ) {
    super(`${what}: ${code}${extack ? ` (${extack})` : ""}`);
    this.name = "NetlinkRequestError";
  }
}

/**
 * Milliseconds spent waiting on the kernel (send and recv of every request, and the socket opens
 * that collect-namespace reports here), summed over the process: what a benchmark subtracts from
 * a collection to get the time spent decoding. Two performance.now() calls per datagram.
 */
export const netlinkClock = { ms: 0 };

let nextSeq = 1;
function takeSeq(): number {
  nextSeq = nextSeq >= 0x7fffffff ? 1 : nextSeq + 1;
  return nextSeq;
}

/** How often a dump is repeated when the kernel keeps interrupting it (or a datagram was too long for the buffer) before we give up. */
const MAX_DUMP_ATTEMPTS = 5;

export interface DumpResult<T> {
  items: T[];
  /** How many times the dump had to be repeated because of NLM_F_DUMP_INTR. */
  retries: number;
  /** True when even the last attempt was interrupted: the caller should warn. */
  interrupted: boolean;
}

/**
 * Sends a dump request built for a fresh sequence number and decodes each answer as it arrives
 * (the receive buffer is reused by the next recv, so decoding in place saves a copy).
 * `decode` returns undefined for messages it does not want.
 */
export function dump<T>(
  sock: NetlinkSocket,
  what: string,
  build: (seq: number) => Uint8Array,
  decode: (msg: NetlinkMessage) => T | undefined,
): DumpResult<T> {
  let retries = 0;
  for (;;) {
    const { items, interrupted } = collect(sock, what, build, decode);
    if (!interrupted || retries + 1 >= MAX_DUMP_ATTEMPTS) return { items, retries, interrupted };
    retries++;
  }
}

/**
 * A datagram of this dump was longer than the receive buffer and is lost (the buffer has grown
 * since). Reads what else the kernel queued for the dump, without blocking: the kernel queues a
 * dump's next datagram while the previous one is read, so when nothing is queued the dump is
 * over — even when its DONE was in the lost datagram, which a blocking read would wait for forever.
 */
function drainAfterTruncation(sock: NetlinkSocket, seq: number): void {
  for (;;) {
    const datagram = sock.recvNonBlocking();
    if (datagram === null) return;
    for (const msg of parseMessages(datagram)) {
      if (msg.seq !== seq) continue;
      if (msg.type === NLMSG_DONE || msg.type === NLMSG_ERROR) return;
    }
  }
}

/**
 * Sends a non-dump request and returns the single reply message. The request must ask for what
 * the kernel answers with a message (RTM_GETNSID does); an NLMSG_ERROR reply is thrown.
 */
export function ask(sock: NetlinkSocket, what: string, build: (seq: number) => Uint8Array): NetlinkMessage {
  const seq = takeSeq();
  sock.send(build(seq));
  for (;;) {
    for (const msg of parseMessages(sock.recv())) {
      if (msg.seq !== seq) continue;
      if (msg.type === NLMSG_ERROR) throwIfError(msg, what);
      if (msg.type === NLMSG_NOOP || msg.type === NLMSG_ERROR) continue;
      return msg;
    }
  }
}

function collect<T>(
  sock: NetlinkSocket,
  what: string,
  build: (seq: number) => Uint8Array,
  decode: (msg: NetlinkMessage) => T | undefined,
): { items: T[]; interrupted: boolean } {
  const seq = takeSeq();
  const request = build(seq);
  const t0 = performance.now();
  sock.send(request);
  netlinkClock.ms += performance.now() - t0;
  const items: T[] = [];
  let interrupted = false;
  for (;;) {
    const t1 = performance.now();
    let datagram: Uint8Array;
    try {
      datagram = sock.recvDatagram();
    } catch (err) {
      if (!(err instanceof NetlinkTruncatedError)) throw err;
      drainAfterTruncation(sock, seq);
      return { items, interrupted: true }; // repeated by dump(), now with a buffer that fits
    } finally {
      netlinkClock.ms += performance.now() - t1;
    }
    for (const msg of parseMessages(datagram)) {
      if (msg.seq !== seq) continue; // a stale answer to an earlier request
      if (msg.flags & NLM_F_DUMP_INTR) interrupted = true;
      if (msg.type === NLMSG_DONE) {
        // A dump may end with an error code (and extack) in the DONE payload, e.g. -EMSGSIZE.
        const done = decodeDone(msg);
        if (done.error < 0) throw new NetlinkRequestError(errnoName(-done.error), -done.error, what, done.message);
        return { items, interrupted };
      }
      if (msg.type === NLMSG_ERROR) {
        throwIfError(msg, what);
        return { items, interrupted }; // an ack ends a request too
      }
      if (msg.type === NLMSG_NOOP) continue;
      const item = decode(msg);
      if (item !== undefined) items.push(item);
    }
  }
}

function throwIfError(msg: NetlinkMessage, what: string): void {
  const ack = decodeError(msg);
  if (ack.error < 0) throw new NetlinkRequestError(errnoName(-ack.error), -ack.error, what, ack.message);
}
