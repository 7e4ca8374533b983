// Kernel change notifications for every watched namespace: one NETLINK_ROUTE socket per
// namespace, opened inside it (socketInNetns: no JS runs while switched) and joined to the link,
// address, route and NSID multicast groups; plus /proc/self/mountinfo, whose poll reports a change
// of our mount table (`ip netns add/del` bind-mount and unmount there).
//
// Readiness: every fd sits in ONE epoll set, asked with timeout 0 on a short timer (poll()).
// Why not a Worker blocking in epoll_wait: a compiled binary would need the worker as an extra
// build entry point, and stopping a worker stuck in a blocking FFI call needs a wake-up fd; the
// timer costs one non-blocking syscall per tick whatever the number of namespaces (~100 µs/s at a
// 10 ms tick), adds at most one tick of latency, and never blocks the event loop that serves
// queries. Why not the event loop's own fd watching: Bun exposes none for raw netlink fds.
//
// An event socket holds a reference to its namespace: the watcher must unwatch a namespace as
// soon as nothing else holds it, or it (and its veth pairs) would never be destroyed.

import { EPOLLIN, EPOLLPRI, Epoll, NETLINK_ROUTE, NetlinkSocket, closeQuietly, isSyscallError, openFile } from "../ffi/index.ts";
import {
  RTM_DELNSID,
  RTM_NEWNSID,
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV6_IFADDR,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_LINK,
  RTNLGRP_NSID,
  parseMessages,
} from "../netlink/index.ts";

/** The rtnetlink groups whose messages mean "re-read this namespace". */
export const WATCHED_GROUPS = [
  RTNLGRP_LINK,
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV6_IFADDR,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_NSID,
] as const;

/** Enough for bursts (a veth pair is a handful of messages); an overflow only forces a re-read. */
const EVENT_RCVBUF = 256 * 1024;
/** Datagrams drained per socket per poll; the rest wait for the next tick (level-triggered). */
const DRAIN_LIMIT = 512;
const MOUNTS_ID = 0;

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

export class EventSockets {
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

  /** Opens the namespace's event socket (netnsFd undefined: the namespace we sit in). */
  watch(key: string, netnsFd: number | undefined): void {
    if (this.#idByKey.has(key)) return;
    const sock = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd, nonblocking: true, rcvbuf: EVENT_RCVBUF });
    try {
      for (const g of WATCHED_GROUPS) sock.addMembership(g);
      const id = this.#nextId++;
      this.#epoll.add(sock.fd, EPOLLIN, id);
      this.#byId.set(id, { key, sock });
      this.#idByKey.set(key, id);
    } catch (err) {
      sock.close();
      throw err;
    }
  }

  /** Closes the namespace's event socket, dropping our reference to the namespace. */
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

  /** What arrived since the last poll. Never blocks. */
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

  /** Closes every socket, the mountinfo fd and the epoll set. Idempotent. */
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
  return activity;
}
