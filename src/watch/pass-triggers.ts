// What makes the watcher run a pass, and which pass: kernel events (debounced), mount changes
// (debounced), container engines' events (debounced), the periodic full pass and namespace
// rescan, and requests (discoverNow). Requests that arrive while a pass runs are coalesced into
// the next one. Two lanes, so that a kernel event never waits behind a long pass:
//
//   netlink     (nextNetlink) namespaces whose event sockets spoke → re-read those only
//   namespaces  (nextStructural, as the next two; the most thorough one wanted covers the others)
//               mount table changed, or the rescan period → procfs: open new namespaces, drop gone ones
//   engine      a container engine reported a container or network change → procfs + engines
//   full        the full-pass period, or discoverNow → procfs + engines, then every namespace re-read

import type { NetnsKey } from "../model/keys.ts";
import type { RevisionBatch } from "./live.ts";

export interface TriggerTimes {
  /** Kernel events within this window after the first are served by one pass, ms. */
  debounceMs: number;
  /** Mount changes within this window are served by one rescan, ms. */
  namespaceDebounceMs: number;
  /** Engine events within this window are served by one engine pass, ms. */
  engineDebounceMs: number;
  fullPassEveryMs: number;
  namespaceRescanEveryMs: number;
}

export interface Waiter {
  resolve: (batch: RevisionBatch | null) => void;
  reject: (err: Error) => void;
}

export type PassRequest =
  | { kind: "start" }
  | { kind: "full"; waiters: Waiter[] }
  | { kind: "engine"; containers: string[] }
  | { kind: "namespaces" }
  | { kind: "netlink"; namespaces: NetnsKey[]; nsidsChanged: NetnsKey[] };

export class PassTriggers {
  readonly #t: TriggerTimes;
  /** Called whenever a pass became wanted (the watcher starts its loop unless it runs). */
  readonly #wake: () => void;

  #wantFull = false;
  #wantNamespaces = false;
  #wantEngine = false;
  readonly #dirty = new Set<NetnsKey>();
  readonly #nsidsChanged = new Set<NetnsKey>();
  readonly #containers = new Set<string>();
  #waiters: Waiter[] = [];

  // Debounce windows: what arrived since their first event, and their timers.
  readonly #pendingDirty = new Set<NetnsKey>();
  #dirtyTimer: ReturnType<typeof setTimeout> | null = null;
  #mountsTimer: ReturnType<typeof setTimeout> | null = null;
  #engineTimer: ReturnType<typeof setTimeout> | null = null;
  // Periods.
  #fullTimer: ReturnType<typeof setTimeout> | null = null;
  #rescanTimer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;

  constructor(times: TriggerTimes, wake: () => void) {
    this.#t = times;
    this.#wake = wake;
  }

  /** Kernel events arrived for these namespaces (`nsid`: their NSIDs changed too). */
  netlink(activity: Iterable<[NetnsKey, { nsid: boolean }]>): void {
    for (const [key, a] of activity) {
      this.#pendingDirty.add(key);
      if (a.nsid) this.#nsidsChanged.add(key);
    }
    if (this.#pendingDirty.size === 0 || this.#dirtyTimer !== null || this.#stopped) return;
    this.#dirtyTimer = setTimeout(() => {
      this.#dirtyTimer = null;
      for (const k of this.#pendingDirty) this.#dirty.add(k);
      this.#pendingDirty.clear();
      this.#wake();
    }, this.#t.debounceMs);
  }

  /** Our mount table changed (a bind mount came or went): rescan procfs soon. */
  mounts(): void {
    if (this.#mountsTimer !== null || this.#stopped) return;
    this.#mountsTimer = setTimeout(() => {
      this.#mountsTimer = null;
      this.#wantNamespaces = true;
      this.#wake();
    }, this.#t.namespaceDebounceMs);
  }

  /** A container engine reported an event (about a container, or null: its stream ended). */
  engine(container: string | null): void {
    if (this.#stopped) return;
    if (container !== null) this.#containers.add(container);
    if (this.#engineTimer !== null) return;
    this.#engineTimer = setTimeout(() => {
      this.#engineTimer = null;
      this.#wantEngine = true;
      this.#wake();
    }, this.#t.engineDebounceMs);
  }

  /** Somebody wants a full pass now, and its revision. */
  request(waiter: Waiter): void {
    this.#waiters.push(waiter);
    this.#wantFull = true;
    this.#wake();
  }

  /** The most thorough structural pass wanted now (it covers the lesser ones), or null. */
  nextStructural(): Exclude<PassRequest, { kind: "netlink" } | { kind: "start" }> | null {
    if (this.#stopped) return null;
    if (this.#wantFull) {
      this.#wantFull = this.#wantNamespaces = this.#wantEngine = false;
      this.#containers.clear();
      this.#scheduleFull();
      this.#scheduleRescan();
      return { kind: "full", waiters: this.#waiters.splice(0) };
    }
    if (this.#wantEngine) {
      this.#wantEngine = this.#wantNamespaces = false;
      const containers = [...this.#containers].sort();
      this.#containers.clear();
      this.#scheduleRescan();
      return { kind: "engine", containers };
    }
    if (this.#wantNamespaces) {
      this.#wantNamespaces = false;
      this.#scheduleRescan();
      return { kind: "namespaces" };
    }
    return null;
  }

  /** The namespaces whose kernel events are due, or null. */
  nextNetlink(): Extract<PassRequest, { kind: "netlink" }> | null {
    if (this.#stopped || this.#dirty.size === 0) return null;
    const namespaces = [...this.#dirty].sort();
    const nsidsChanged = namespaces.filter((k) => this.#nsidsChanged.delete(k));
    this.#dirty.clear();
    return { kind: "netlink", namespaces, nsidsChanged };
  }

  /** The periodic passes, counted from now (the start pass just ran). */
  started(): void {
    this.#scheduleFull();
    this.#scheduleRescan();
  }

  /** Waiters of full passes not run yet (the watcher stops). */
  takeWaiters(): Waiter[] {
    return this.#waiters.splice(0);
  }

  stop(): void {
    this.#stopped = true;
    for (const t of [this.#dirtyTimer, this.#mountsTimer, this.#engineTimer, this.#fullTimer, this.#rescanTimer]) if (t) clearTimeout(t);
  }

  #scheduleFull(): void {
    if (this.#stopped) return;
    if (this.#fullTimer) clearTimeout(this.#fullTimer);
    this.#fullTimer = setTimeout(() => {
      this.#fullTimer = null;
      this.#wantFull = true;
      this.#wake();
    }, this.#t.fullPassEveryMs);
  }

  #scheduleRescan(): void {
    if (this.#stopped) return;
    if (this.#rescanTimer) clearTimeout(this.#rescanTimer);
    this.#rescanTimer = setTimeout(() => {
      this.#rescanTimer = null;
      this.#wantNamespaces = true;
      this.#wake();
    }, this.#t.namespaceRescanEveryMs);
  }
}
