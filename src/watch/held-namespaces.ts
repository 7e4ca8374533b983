// The namespaces a watcher holds, and reading them again. Its hold on a namespace is the event
// socket it keeps in it (an EventSource holds those); a re-read goes through that socket (a
// reader enters the namespace by SIOCGSKNS), compares digests (an unchanged read comes back as a
// digest alone), and is numbered, so that an older answer never overwrites a newer one. A
// namespace let go while a read of it is out keeps its socket until the read is back: the read
// uses the socket's fd, and a closed fd's number may be another file's by then.

import type { NamespaceRead } from "../discovery/assembly.ts";
import type { NsidHandle } from "../discovery/network/resolve-nsids.ts";
import type { NetnsCandidate } from "../discovery/procfs/namespaces.ts";
import type { ReadDigest } from "../discovery/workers/digest.ts";
import type { ReadResult, ReadTask } from "../discovery/workers/protocol.ts";
import type { NetnsKey } from "../model/keys.ts";
import type { Warning } from "../model/topology.ts";
import type { EventSource } from "./event-sockets.ts";

/** A re-read, numbered when asked. */
export interface HeldRead {
  key: NetnsKey;
  seq: number;
  result: ReadResult;
}

/** What a re-read means for the assembly. */
export type Taken =
  /** Nothing: an older read than one taken already, a namespace let go meanwhile, or unchanged. */
  | { kind: "nothing" }
  | { kind: "changed"; read: NamespaceRead }
  /** Held, yet unreadable now (no privilege any more?): its last read stands, with these warnings. */
  | { kind: "stale"; warnings: Warning[] };

export class HeldNamespaces {
  readonly #events: EventSource;
  /** Digest of the last read taken in, per namespace: a re-read with the same one changed nothing. */
  readonly #digests = new Map<NetnsKey, ReadDigest>();
  #seq = 0;
  /** The number of the last read taken in, and how many reads are out, per namespace. */
  readonly #taken = new Map<NetnsKey, number>();
  readonly #reading = new Map<NetnsKey, number>();
  /** Let go while a read of it was out: its socket is closed when that read is back. */
  readonly #releasing = new Set<NetnsKey>();

  constructor(events: EventSource) {
    this.#events = events;
  }

  get size(): number {
    return this.#events.size;
  }

  /** Held, and not being let go. */
  has(key: NetnsKey): boolean {
    return this.#events.has(key) && !this.#releasing.has(key);
  }

  /** Starts holding a namespace by its event socket, first read as `digest`. Throws if the socket cannot be watched. */
  hold(key: NetnsKey, eventFd: number, digest: ReadDigest): void {
    this.#events.watch(key, eventFd);
    this.#digests.set(key, digest);
    this.#taken.set(key, ++this.#seq);
  }

  /** Our hold ends: its event socket is closed (once no read of it is out). */
  release(key: NetnsKey): void {
    this.#digests.delete(key);
    this.#taken.delete(key);
    if (this.#reading.has(key)) this.#releasing.add(key);
    else this.#events.unwatch(key);
  }

  /** A socket inside a held namespace, for NSID questions asked through it. */
  handle(key: NetnsKey | undefined): NsidHandle | undefined {
    const fd = key === undefined || !this.has(key) ? undefined : this.#events.socketOf(key);
    return fd === undefined ? undefined : { socketFd: fd, requests: false };
  }

  /**
   * Reads a held namespace again (through `read`, a reader task). With no other read of it out,
   * only a digest comes back when nothing changed. Null when it is not held.
   */
  async reread(
    key: NetnsKey,
    candidate: NetnsCandidate,
    read: (task: Omit<ReadTask, "kind">) => Promise<ReadResult>,
    task: Omit<ReadTask, "kind" | "candidate" | "target" | "digest" | "previousDigest">,
  ): Promise<HeldRead | null> {
    const fd = this.has(key) ? this.#events.socketOf(key) : undefined;
    if (fd === undefined) return null;
    const seq = ++this.#seq;
    const alone = !this.#reading.has(key);
    this.#reading.set(key, (this.#reading.get(key) ?? 0) + 1);
    try {
      const result = await read({ ...task, candidate, target: { kind: "socket", fd }, digest: true, previousDigest: alone ? this.#digests.get(key) : undefined });
      return { key, seq, result };
    } finally {
      const left = this.#reading.get(key)! - 1;
      if (left > 0) this.#reading.set(key, left);
      else {
        this.#reading.delete(key);
        if (this.#releasing.delete(key)) this.#events.unwatch(key);
      }
    }
  }

  /** What a re-read means, once it is back (taken in a commit). */
  take(read: HeldRead | null): Taken {
    if (!read || !this.has(read.key) || read.seq < (this.#taken.get(read.key) ?? 0)) return { kind: "nothing" };
    const { key, result: r } = read;
    this.#taken.set(key, read.seq);
    if (r.unchanged) return { kind: "nothing" };
    if (r.namespace === null || r.namespace.key !== key) {
      this.#digests.delete(key);
      return { kind: "stale", warnings: r.warnings.map((w) => ({ subject: key, message: `not re-read, shown as last read: ${w.message}` })) };
    }
    const d = r.digest!;
    this.#digests.set(key, d.rest === null ? { net: d.net, rest: this.#digests.get(key)?.rest ?? null } : d);
    return { kind: "changed", read: r.namespace };
  }
}
