// Kernel change notifications for every watched namespace: one NETLINK_ROUTE socket per
// namespace, opened inside it by the reader that first read it (in the same switch) and joined to
// the link, address, route and NSID groups (discovery/network/change-events.ts); plus
// /proc/self/mountinfo, whose poll reports a change of our mount table (`ip netns add/del`
// bind-mount and unmount there).
//
// Readiness: every fd sits in ONE epoll set, asked with timeout 0 on a short timer (poll()): one
// non-blocking syscall per tick whatever the number of namespaces (~100 µs/s at a 10 ms tick),
// at most one tick of latency, and the thread that serves queries is never blocked. Draining an
// announcement costs a recv per datagram; the namespace is then re-read by a reader Worker.
//
// An event socket is the watcher's only hold on a namespace: it keeps the namespace alive (so the
// watcher must unwatch one as soon as nothing else holds it), but pins no bind mount, and it is
// the handle a reader re-enters the namespace through (SIOCGSKNS gives a fresh fd of it).

import { EPOLLIN, EPOLLPRI, Epoll, NETLINK_ROUTE, NetlinkSocket, closeQuietly, isSyscallError, openFile } from "../ffi/index.ts";
import type { NetnsKey } from "../model/keys.ts";
import { RTM_DELNSID, RTM_NEWNSID, parseMessages } from "../netlink/index.ts";

/** Datagrams drained per socket per poll; the rest wait for the next tick (level-triggered). */
const DRAIN_LIMIT = 512;
const MOUNTS_ID = 0;

/**
 * Where a watcher hears that namespaces changed, and how it holds on to them: kernel event
 * sockets (EventSockets), or in tests anything that plays the part.
 */
export interface EventSource {
  /** Namespaces held. */
  readonly size: number;
  has(key: NetnsKey): boolean;
  /** Takes over an event socket (an fd opened inside the namespace, joined to the change groups). */
  watch(key: NetnsKey, fd: number): void;
  /** Closes a namespace's event socket: our hold on it ends. */
  unwatch(key: NetnsKey): void;
  /** The event socket of a held namespace: a socket inside it, to re-enter it through. */
  socketOf(key: NetnsKey): number | undefined;
  /** What arrived since the last poll. Never blocks. */
  poll(): PollResult;
  /** Closes everything. Idempotent. */
  close(): void;
}

export interface NamespaceActivity {
  /** An NSID was added or deleted in it (its cached NSID resolutions are stale). */
  nsid: boolean;
  /** Its receive queue overflowed (ENOBUFS): messages were lost, so only a re-read is sure. */
  overflow: boolean;
  /** Datagrams received. */
  datagrams: number;
}

export interface PollResult {
  /** Namespace key → what arrived for it. */
  active: Map<string, NamespaceActivity>;
  /** Our mount table changed. */
  mounts: boolean;
}

interface Entry {
  key: string;
  sock: NetlinkSocket;
}

export class EventSockets implements EventSource {
  readonly #epoll: Epoll;
  readonly #mountsFd: number;
  readonly #byId = new Map<number, Entry>();
  readonly #idByKey = new Map<string, number>();
  #nextId = MOUNTS_ID + 1;

  private constructor(epoll: Epoll, mountsFd: number) {
    this.#epoll = epoll;
    this.#mountsFd = mountsFd;
  }

  /** An empty set; `mountinfo` is the file whose poll signals mount changes (null: none). */
  static open(mountinfo: string | null = "/proc/self/mountinfo"): EventSockets {
    const epoll = Epoll.create();
    let mountsFd = -1;
    try {
      if (mountinfo !== null) {
        mountsFd = openFile(mountinfo);
        // mountinfo is always readable; a change of the mount table shows as EPOLLPRI (|EPOLLERR).
        epoll.add(mountsFd, EPOLLPRI, MOUNTS_ID);
      }
      return new EventSockets(epoll, mountsFd);
    } catch (err) {
      closeQuietly(mountsFd);
      epoll.close();
      throw err;
    }
  }

  get size(): number {
    return this.#byId.size;
  }

  has(key: string): boolean {
    return this.#idByKey.has(key);
  }

  watch(key: string, fd: number): void {
    if (this.#idByKey.has(key)) {
      closeQuietly(fd);
      return;
    }
    const sock = NetlinkSocket.adopt(fd, NETLINK_ROUTE);
    try {
      const id = this.#nextId++;
      this.#epoll.add(sock.fd, EPOLLIN, id);
      this.#byId.set(id, { key, sock });
      this.#idByKey.set(key, id);
    } catch (err) {
      sock.close();
      throw err;
    }
  }

  socketOf(key: string): number | undefined {
    const id = this.#idByKey.get(key);
    return id === undefined ? undefined : this.#byId.get(id)!.sock.fd;
  }

  unwatch(key: string): void {
    const id = this.#idByKey.get(key);
    if (id === undefined) return;
    const entry = this.#byId.get(id)!;
    this.#idByKey.delete(key);
    this.#byId.delete(id);
    try {
      this.#epoll.remove(entry.sock.fd);
    } finally {
      entry.sock.close();
    }
  }

  poll(): PollResult {
    const result: PollResult = { active: new Map(), mounts: false };
    for (const r of this.#epoll.wait(0)) {
      if (r.id === MOUNTS_ID) {
        result.mounts = true;
        continue;
      }
      const entry = this.#byId.get(r.id);
      if (!entry) continue;
      result.active.set(entry.key, drain(entry.sock));
    }
    return result;
  }

  close(): void {
    for (const { sock } of this.#byId.values()) sock.close();
    this.#byId.clear();
    this.#idByKey.clear();
    closeQuietly(this.#mountsFd);
    this.#epoll.close();
  }
}

function drain(sock: NetlinkSocket): NamespaceActivity {
  const activity: NamespaceActivity = { nsid: false, overflow: false, datagrams: 0 };
  try {
    drainInto(sock, activity);
  } finally {
    // Idle until its namespace changes again: the receive buffer goes back to the shared pool
    // (a thousand event sockets keeping 64 KiB each would be 64 MB).
    sock.releaseBuffer();
  }
  return activity;
}

function drainInto(sock: NetlinkSocket, activity: NamespaceActivity): void {
  for (let i = 0; i < DRAIN_LIMIT; i++) {
    let bytes: Uint8Array | null;
    try {
      bytes = sock.recvNonBlocking();
    } catch (err) {
      if (isSyscallError(err, "ENOBUFS")) {
        activity.overflow = true; // the queue is usable again right after the error
        continue;
      }
      throw err;
    }
    if (bytes === null) break;
    activity.datagrams++;
    try {
      for (const m of parseMessages(bytes)) if (m.type === RTM_NEWNSID || m.type === RTM_DELNSID) activity.nsid = true;
    } catch {
      activity.nsid = true; // undecodable: assume the worst, the namespace is re-read anyway
    }
  }
}
