// epoll over fds we own (netlink event sockets, /proc/self/mountinfo): one readiness set asked
// with a zero timeout, so a caller watching hundreds of sockets learns which are ready in one
// syscall, without blocking its thread.
//
// struct epoll_event is { u32 events; u64 data; }. The kernel declares it __attribute__((packed))
// on x86_64 only (EPOLL_PACKED in <linux/eventpoll.h>): 12 bytes there, data at offset 4; on
// arm64 it has the natural layout, 16 bytes, data at offset 8.

import { EPOLL_CLOEXEC, EPOLL_CTL_ADD, EPOLL_CTL_DEL } from "./constants.ts";
import { closeFd } from "./fd.ts";
import { lastError, libc } from "./libc.ts";

const EINTR = 4;
const EVENT_SIZE = process.arch === "x64" ? 12 : 16;
const DATA_OFFSET = process.arch === "x64" ? 4 : 8;

export interface EpollReady {
  /** The id given to add(). */
  id: number;
  /** EPOLLIN, EPOLLPRI, EPOLLERR, EPOLLHUP bits. */
  events: number;
}

export class Epoll {
  #fd: number;
  readonly #one = new Uint8Array(EVENT_SIZE);
  #out: Uint8Array;

  private constructor(fd: number, capacity: number) {
    this.#fd = fd;
    this.#out = new Uint8Array(EVENT_SIZE * capacity);
  }

  /** epoll_create1(EPOLL_CLOEXEC). `capacity`: most ready fds reported by one wait. */
  static create(capacity = 256): Epoll {
    const fd = libc.epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) throw lastError("epoll_create1");
    return new Epoll(fd, Math.max(1, capacity));
  }

  get fd(): number {
    return this.#fd;
  }

  #live(): number {
    if (this.#fd < 0) throw new Error("Epoll is closed");
    return this.#fd;
  }

  /** Watch `fd` for `events`; `id` (a non-negative integer below 2^32) comes back with readiness. */
  add(fd: number, events: number, id: number): void {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`epoll id must be a u32, got ${id}`);
    const v = new DataView(this.#one.buffer);
    v.setUint32(0, events >>> 0, true);
    v.setBigUint64(DATA_OFFSET, BigInt(id), true);
    if (libc.epoll_ctl(this.#live(), EPOLL_CTL_ADD, fd, this.#one) !== 0) throw lastError("epoll_ctl", `ADD fd ${fd}`);
  }

  /** Stop watching `fd` (do it before closing the fd, so no stale readiness is reported). */
  remove(fd: number): void {
    if (libc.epoll_ctl(this.#live(), EPOLL_CTL_DEL, fd, this.#one) !== 0) throw lastError("epoll_ctl", `DEL fd ${fd}`);
  }

  /** The fds ready now (timeout 0: never blocks), or within timeoutMs. */
  wait(timeoutMs = 0): EpollReady[] {
    const fd = this.#live();
    const capacity = this.#out.byteLength / EVENT_SIZE;
    for (;;) {
      const n = libc.epoll_wait(fd, this.#out, capacity, timeoutMs);
      if (n >= 0) {
        const v = new DataView(this.#out.buffer);
        const ready: EpollReady[] = [];
        for (let i = 0; i < n; i++) {
          const at = i * EVENT_SIZE;
          ready.push({ events: v.getUint32(at, true), id: Number(v.getBigUint64(at + DATA_OFFSET, true)) });
        }
        return ready;
      }
      const err = lastError("epoll_wait");
      if (err.errno !== EINTR) throw err;
    }
  }

  /** Close the epoll fd. Idempotent. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    closeFd(fd);
  }
}
