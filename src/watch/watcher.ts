// The watch loop: keeps the live Topology up to date, records every change in the store and
// publishes each recorded revision to subscribers.
//
// Three kinds of pass, never two at once (serialised; requests that arrive during a pass are
// coalesced into the next one):
//   netlink     a namespace's event socket spoke → re-read THAT namespace only (links, addresses,
//               routes, sockets, nft rules) and reassemble from the other namespaces' cached reads
//               (NSIDs already resolved are not asked again; tenants and the procfs tables are
//               reused; engines' last answers decorate again).
//   namespaces  our mount table changed (ip netns add/del), or the periodic fallback
//               (namespaceRescanEveryMs) → procfs only: open new namespaces, drop vanished ones.
//   engine      a container engine's event stream (Docker's GET /events, containerd's Events.Subscribe) reported a container or network
//               change → procfs (its new or vanished namespace) + the engines asked again.
//   full        start, periodic (fullPassEveryMs) or discoverNow → procfs + every namespace +
//               container engines: what sends no event (sockets, processes, containers).
//
// Namespace lifetime. We hold, per namespace, an nsfs fd (to open sockets in it for re-reads) and
// an event socket; both keep the namespace alive. The procfs scan hides our own held fds, so a
// namespace that only we still hold is not found by it: then it has been deleted (`ip netns del`
// with no process left in it) and we close both, so the kernel can destroy it — and with it the
// veth ends it held, whose peers then vanish from other namespaces (seen as their link events).

import { threadNetnsInode, closeQuietly } from "../ffi/index.ts";
import type { NetnsKey } from "../model/keys.ts";
import type { Topology, Warning } from "../model/topology.ts";
import type { Store } from "../store/index.ts";
import { askEngines } from "../discovery/discover-with-engines.ts";
import { decorateTopology, type EngineResult } from "../discovery/engines/decorate.ts";
import { withoutNoise } from "../model/without-noise.ts";
import { EngineEventStream, type EngineEvent } from "../discovery/engines/engine-events.ts";
import { ContainerdEventStream } from "../discovery/engines/containerd-events.ts";
import { containerKey, type EngineKind } from "../model/containers.ts";
import { DEFAULT_CALL_TIMEOUT_MS } from "../discovery/engines/docker-api.ts";
import type { NetnsCandidate } from "../discovery/procfs/namespaces.ts";
import type { NamespaceHandle } from "../discovery/network/collect-namespace.ts";
import {
  assemble,
  openCandidate,
  readNamespace,
  scanProcfs,
  type CollectedNamespace,
  type ProcfsState,
} from "../discovery/session.ts";
import { EventSockets } from "./event-sockets.ts";
import type { LiveTopology, RevisionBatch, RevisionCause, WatchStatus } from "./live.ts";

export interface WatcherOptions {
  store: Store;
  /** Period of the full pass (procfs, every namespace, engines), ms. Default 30 000. */
  fullPassEveryMs?: number;
  /** Events within this window after the first are served by one re-read, ms. Default 10 (a link change and its addresses arrive within it; longer only adds latency). */
  debounceMs?: number;
  /** Fallback period of the procfs-only namespace rescan, ms. Default 5 000. */
  namespaceRescanEveryMs?: number;
  /** Debounce of namespace rescans asked for by mount changes, ms. Default 100. */
  namespaceDebounceMs?: number;
  /** Period of the readiness check of the event sockets, ms. Default 10. */
  pollEveryMs?: number;
  /** Full passes ask container engines (discoverWithEngines), whose event streams are followed. Default true. */
  withEngines?: boolean;
  /** Engine events within this window after the first are served by one engine pass, ms. Default 200. */
  engineDebounceMs?: number;
  engineCallTimeoutMs?: number;
  /** As in discover(). */
  listeningOnly?: boolean;
  procRoot?: string;
  servicesPath?: string;
  /** Called before a namespace new to the watcher is opened (tests: make it vanish then). */
  beforeNamespace?: (candidate: NetnsCandidate) => void;
}

/** A namespace we hold: its fd, its last read, and what that read warned about. */
interface Watched {
  key: NetnsKey;
  candidate: NetnsCandidate;
  handle: NamespaceHandle;
  /** Null when the last read failed (left out of the topology, with its warning). */
  read: CollectedNamespace | null;
  warnings: Warning[];
}

type PassKind = "start" | "full" | "engine" | "namespaces" | "netlink";

/** An engine's event stream that ended is opened again by a pass at least this much later, ms. */
const STREAM_RETRY_MS = 10_000;

interface Waiter {
  resolve: (batch: RevisionBatch | null) => void;
  reject: (err: Error) => void;
}

export class Watcher implements LiveTopology {
  readonly #o: Required<Omit<WatcherOptions, "beforeNamespace" | "servicesPath" | "listeningOnly" | "store">> & WatcherOptions;
  readonly #store: Store;
  readonly #events: EventSockets;
  readonly #listeners = new Set<(batch: RevisionBatch) => void>();
  readonly #status: WatchStatus;

  #procfs: ProcfsState | null = null;
  /** By dev:inode of the nsfs file (cannot be reused while we hold the fd). */
  readonly #watched = new Map<string, Watched>();
  /** Warnings of namespaces that could not be opened at the last scan. */
  #scanWarnings: Warning[] = [];
  #nsids = new Map<NetnsKey, Map<number, NetnsKey | null>>();
  #engines: { results: EngineResult[]; warnings: Warning[] } | null = null;
  #current: { topology: Topology; revision: number } | null = null;

  // What the next passes must do.
  #wantFull = false;
  #wantNamespaces = false;
  readonly #wantDirty = new Set<NetnsKey>();
  #wantEngine = false;
  /** Containers (keys) the engines' events named since the last engine or full pass. */
  readonly #engineContainers = new Set<string>();
  #engineTimer: ReturnType<typeof setTimeout> | null = null;
  /** Open event streams, by API socket. */
  readonly #engineStreams = new Map<string, EngineEventStream | ContainerdEventStream>();
  /** When each socket's stream last ended: not reopened for a while, so a broken one cannot spin. */
  readonly #engineStreamEnded = new Map<string, number>();
  #waiters: Waiter[] = [];
  // Debounce windows.
  readonly #pendingDirty = new Set<NetnsKey>();
  #dirtyTimer: ReturnType<typeof setTimeout> | null = null;
  #namespacesTimer: ReturnType<typeof setTimeout> | null = null;
  // Periodic timers.
  #pollTimer: ReturnType<typeof setInterval> | null = null;
  #fullTimer: ReturnType<typeof setTimeout> | null = null;
  #rescanTimer: ReturnType<typeof setTimeout> | null = null;

  #running: Promise<void> | null = null;
  #stopped = false;

  private constructor(options: WatcherOptions, events: EventSockets) {
    this.#o = {
      fullPassEveryMs: 30_000,
      debounceMs: 10,
      namespaceRescanEveryMs: 5_000,
      namespaceDebounceMs: 100,
      pollEveryMs: 10,
      withEngines: true,
      engineDebounceMs: 200,
      engineCallTimeoutMs: DEFAULT_CALL_TIMEOUT_MS,
      procRoot: "/proc",
      ...options,
    };
    this.#store = options.store;
    this.#events = events;
    this.#status = {
      startedAt: new Date().toISOString(),
      lastSuccessAt: null,
      lastError: null,
      consecutiveFailures: 0,
      namespacesWatched: 0,
      fullPassEveryMs: this.#o.fullPassEveryMs,
    };
  }

  /**
   * Opens the event machinery, runs the first full discovery (recorded with cause `start`, unless
   * the store already holds exactly this state) and starts watching. Throws if that first
   * discovery fails (there would be nothing to serve), having released everything.
   */
  static async start(options: WatcherOptions): Promise<Watcher> {
    const w = new Watcher(options, EventSockets.open());
    try {
      await w.#pass("start");
    } catch (err) {
      await w.stop();
      throw err;
    }
    if (w.#current === null) {
      const err = new Error(w.#status.lastError?.message ?? "the first discovery failed");
      await w.stop();
      throw err;
    }
    w.#pollTimer = setInterval(() => w.#poll(), w.#o.pollEveryMs);
    w.#scheduleFull();
    w.#scheduleRescan();
    return w;
  }

  current(): { topology: Topology; revision: number } {
    return this.#current!;
  }

  subscribe(listener: (batch: RevisionBatch) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  discoverNow(): Promise<RevisionBatch | null> {
    if (this.#stopped) return Promise.reject(new Error("the watcher is stopped"));
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#wantFull = true;
      this.#kick();
    });
  }

  status(): WatchStatus {
    return { ...this.#status, namespacesWatched: this.#events.size };
  }

  /** Stops the timers, lets a pass in progress finish (and record), then closes every fd. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const t of [this.#dirtyTimer, this.#namespacesTimer, this.#fullTimer, this.#rescanTimer, this.#engineTimer]) if (t) clearTimeout(t);
    for (const stream of this.#engineStreams.values()) stream.close();
    this.#engineStreams.clear();
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    while (this.#running) await this.#running;
    for (const w of this.#waiters) w.reject(new Error("the watcher stopped before this discovery ran"));
    this.#waiters = [];
    this.#events.close();
    for (const w of this.#watched.values()) closeQuietly(w.handle.fd);
    this.#watched.clear();
    this.#listeners.clear();
  }

  // -------------------------------------------------------------------------------------------
  // triggers

  #poll(): void {
    if (this.#stopped) return;
    let result;
    try {
      result = this.#events.poll();
    } catch (err) {
      this.#fail(`event sockets: ${(err as Error).message}`);
      return;
    }
    for (const [key, activity] of result.active) {
      this.#pendingDirty.add(key);
      if (activity.nsid) this.#nsids.delete(key);
    }
    if (this.#pendingDirty.size > 0 && this.#dirtyTimer === null)
      this.#dirtyTimer = setTimeout(() => {
        this.#dirtyTimer = null;
        for (const k of this.#pendingDirty) this.#wantDirty.add(k);
        this.#pendingDirty.clear();
        this.#kick();
      }, this.#o.debounceMs);
    if (result.mounts) this.#requestNamespaces();
  }

  #requestNamespaces(): void {
    if (this.#namespacesTimer !== null || this.#stopped) return;
    this.#namespacesTimer = setTimeout(() => {
      this.#namespacesTimer = null;
      this.#wantNamespaces = true;
      this.#kick();
    }, this.#o.namespaceDebounceMs);
  }

  #scheduleFull(): void {
    if (this.#stopped) return;
    if (this.#fullTimer) clearTimeout(this.#fullTimer);
    this.#fullTimer = setTimeout(() => {
      this.#fullTimer = null;
      this.#wantFull = true;
      this.#kick();
    }, this.#o.fullPassEveryMs);
  }

  #scheduleRescan(): void {
    if (this.#stopped) return;
    if (this.#rescanTimer) clearTimeout(this.#rescanTimer);
    this.#rescanTimer = setTimeout(() => {
      this.#rescanTimer = null;
      this.#wantNamespaces = true;
      this.#kick();
    }, this.#o.namespaceRescanEveryMs);
  }

  /** Starts the pass loop unless it runs already (it picks up whatever was asked meanwhile). */
  #kick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      if (this.#wantFull) await this.#pass("full");
      else if (this.#wantEngine) await this.#pass("engine");
      else if (this.#wantNamespaces) await this.#pass("namespaces");
      else if (this.#wantDirty.size > 0) await this.#pass("netlink");
      else return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // passes

  /** One pass; failures are recorded in the status, never thrown (except for "start"). */
  async #pass(kind: PassKind): Promise<void> {
    const started = performance.now();
    const discoveredAt = new Date().toISOString();
    const waiters = kind === "full" ? this.#waiters.splice(0) : [];
    let cause: RevisionCause;
    const dirty = [...this.#wantDirty];
    if (kind === "full" || kind === "start") {
      this.#wantFull = false;
      this.#wantDirty.clear(); // a full pass re-reads everything
    }
    const asksEngines = kind === "full" || kind === "start" || kind === "engine";
    const containers = [...this.#engineContainers].sort();
    if (asksEngines) {
      this.#wantEngine = false;
      this.#engineContainers.clear();
    }
    if (kind !== "netlink") this.#wantNamespaces = false;
    else this.#wantDirty.clear();
    try {
      let reread: Iterable<Watched>;
      if (kind === "netlink") {
        const byKey = new Map([...this.#watched.values()].map((w) => [w.key, w]));
        reread = dirty.flatMap((k) => byKey.get(k) ?? []);
        cause = { kind: "netlink", namespaces: dirty.filter((k) => byKey.has(k)).sort() };
      } else {
        const change = this.#rescan();
        reread = kind === "namespaces" || kind === "engine" ? [] : [...this.#watched.values()].filter((w) => !change.appeared.includes(w.key));
        cause =
          kind === "start"
            ? { kind: "start" }
            : kind === "namespaces"
              ? { kind: "namespaces", appeared: change.appeared.sort(), vanished: change.vanished.sort() }
              : kind === "engine"
                ? { kind: "engine", containers }
                : waiters.length > 0
                  ? { kind: "request" }
                  : { kind: "periodic" };
      }
      await this.#reread(reread);
      const topology = this.#assemble(discoveredAt);
      if (asksEngines) {
        if (this.#o.withEngines) await this.#askEngines();
        else this.#engines = null;
        this.#followEngines();
      }
      this.#decorate(topology);
      withoutNoise(topology);
      topology.stats.durationMs = Math.round((performance.now() - started) * 100) / 100;
      const batch = this.#record(topology, cause);
      this.#status.lastSuccessAt = new Date().toISOString();
      this.#status.lastError = null;
      this.#status.consecutiveFailures = 0;
      for (const w of waiters) w.resolve(batch);
      if (batch) this.#publish(batch);
    } catch (err) {
      const message = `${kind} pass failed: ${(err as Error).message}`;
      this.#fail(message);
      for (const w of waiters) w.reject(new Error(message, { cause: err })); // the cause keeps its code (disk full…)
      if (kind === "start") throw err;
    } finally {
      if (kind === "full" || kind === "start") this.#scheduleFull();
      if (kind !== "netlink") this.#scheduleRescan();
    }
  }

  #fail(message: string): void {
    this.#status.lastError = { at: new Date().toISOString(), message };
    this.#status.consecutiveFailures++;
  }

  /**
   * procfs scan: namespaces new to us are opened, read and watched; those no longer found
   * (our own fds hidden, so: held by nothing but us) are released.
   */
  #rescan(): { appeared: NetnsKey[]; vanished: NetnsKey[] } {
    const held = new Set([...this.#watched.values()].map((w) => w.handle.fd));
    const procfs = scanProcfs({ procRoot: this.#o.procRoot, hideOwnFds: held });
    this.#procfs = procfs;
    const ownInode = Number(threadNetnsInode());
    const seen = new Set<string>();
    const appeared: NetnsKey[] = [];
    const warnings: Warning[] = [];
    const warn = (subject: string, message: string) => warnings.push({ subject, message });
    for (const candidate of procfs.scan.namespaces) {
      const id = `${candidate.dev}:${candidate.inode}`;
      seen.add(id);
      const known = this.#watched.get(id);
      if (known) {
        known.candidate = candidate; // its references may have changed
        if (known.read) known.read.candidate = candidate;
        continue;
      }
      this.#o.beforeNamespace?.(candidate);
      const fd = openCandidate(candidate, warn);
      if (fd === null) continue;
      const handle = { fd, current: candidate.inode === ownInode };
      const r = readNamespace(candidate, handle, procfs.bootId, this.#o);
      if (r.namespace === null) {
        warnings.push(...r.warnings);
        closeQuietly(fd);
        continue;
      }
      try {
        this.#events.watch(r.namespace.key, handle.current ? undefined : fd);
      } catch (err) {
        warnings.push(...r.warnings);
        warn(r.namespace.key, `not watched for changes (seen again only by periodic passes): ${(err as Error).message}`);
        closeQuietly(fd);
        continue;
      }
      this.#watched.set(id, { key: r.namespace.key, candidate, handle, read: r.namespace, warnings: r.warnings });
      appeared.push(r.namespace.key);
    }
    const vanished: NetnsKey[] = [];
    for (const [id, w] of this.#watched) {
      if (seen.has(id)) continue;
      this.#events.unwatch(w.key);
      closeQuietly(w.handle.fd);
      this.#watched.delete(id);
      this.#nsids.delete(w.key);
      vanished.push(w.key);
    }
    // A namespace that appeared may be what an unresolved NSID meant: ask again.
    if (appeared.length > 0)
      for (const m of this.#nsids.values()) for (const [nsid, target] of m) if (target === null) m.delete(nsid);
    this.#scanWarnings = warnings;
    return { appeared, vanished };
  }

  /**
   * Re-reads namespaces through the fds we hold. Yields to the event loop between namespaces
   * (every read is synchronous and whole, so no namespace switch spans a yield), so that queries
   * are answered during a full pass over hundreds of namespaces.
   */
  async #reread(list: Iterable<Watched>): Promise<void> {
    const bootId = this.#procfs!.bootId;
    let slice = performance.now();
    for (const w of list) {
      const r = readNamespace(w.candidate, w.handle, bootId, this.#o);
      w.read = r.namespace;
      w.warnings = r.warnings;
      if (performance.now() - slice > 10) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
  }

  #assemble(discoveredAt: string): Topology {
    const list = [...this.#watched.values()].sort(
      (a, b) => Number(b.candidate.initial) - Number(a.candidate.initial) || a.candidate.inode - b.candidate.inode || a.candidate.dev - b.candidate.dev,
    );
    const opened = list.flatMap((w) => (w.read ? [w.read] : []));
    const warnings = [...this.#scanWarnings, ...list.flatMap((w) => w.warnings)];
    const result = assemble(this.#procfs!, opened, warnings, {
      discoveredAt,
      listeningOnly: this.#o.listeningOnly,
      servicesPath: this.#o.servicesPath,
      knownNsids: this.#nsids,
    });
    this.#nsids = result.nsids;
    return result.topology;
  }

  async #askEngines(): Promise<void> {
    const procfs = this.#procfs!;
    const warnings: Warning[] = [];
    const results = await askEngines(procfs.processes, procfs.fdTable, procfs.procRoot, this.#o.engineCallTimeoutMs, (subject, message) =>
      warnings.push({ subject, message }),
    );
    this.#engines = { results, warnings };
  }

  /** Container decoration from the engines' last answers (asked again by full passes only). */
  #decorate(topology: Topology): void {
    if (!this.#engines) return;
    topology.warnings.push(...this.#engines.warnings);
    decorateTopology(topology, this.#engines.results, this.#procfs!.procRoot, (subject, message) => topology.warnings.push({ subject, message }));
  }

  /**
   * Follows the event stream of every engine that answered, and only those: an engine that went
   * away has its stream closed; one that appeared gets one.
   */
  #followEngines(): void {
    const wanted = new Map<string, EngineKind>();
    // Docker's event stream (Podman serves it too) and containerd's; CRI-O is caught by full passes.
    for (const r of this.#engines?.results ?? []) if (r.apiSocket && r.status === "ok" && r.candidate.kind !== "cri-o") wanted.set(r.apiSocket, r.candidate.kind);
    for (const [socket, stream] of this.#engineStreams)
      if (!wanted.has(socket)) {
        stream.close();
        this.#engineStreams.delete(socket);
      }
    for (const [socket, kind] of wanted) {
      if (this.#engineStreams.has(socket) || this.#stopped) continue;
      if (Date.now() - (this.#engineStreamEnded.get(socket) ?? -Infinity) < STREAM_RETRY_MS) continue; // the next full pass retries
      const stream = (kind === "containerd" ? ContainerdEventStream : EngineEventStream).open(
        socket,
        (e) => this.#onEngineEvent(kind, e),
        () => {
          // The engine stopped or restarted: ask again (a restarted one gets a new stream).
          if (this.#engineStreams.get(socket) === stream) this.#engineStreams.delete(socket);
          this.#engineStreamEnded.set(socket, Date.now());
          this.#onEngineEvent(kind, null);
        },
      );
      this.#engineStreams.set(socket, stream);
    }
  }

  #onEngineEvent(kind: EngineKind, e: EngineEvent | null): void {
    if (this.#stopped) return;
    if (e?.containerId) this.#engineContainers.add(containerKey(kind, e.containerId));
    if (this.#engineTimer !== null) return;
    this.#engineTimer = setTimeout(() => {
      this.#engineTimer = null;
      this.#wantEngine = true;
      this.#kick();
    }, this.#o.engineDebounceMs);
  }

  /** Records; a pass that changed nothing leaves the history alone and publishes nothing. */
  #record(topology: Topology, cause: RevisionCause): RevisionBatch | null {
    const previous = this.#store.latest();
    const result = this.#store.record(topology, { skipUnchanged: true });
    if (result === null) {
      this.#current = { topology, revision: previous ?? 0 };
      return null;
    }
    this.#current = { topology, revision: result.revision };
    const events = this.#store.changes({ revision: previous ?? 0 }, { revision: result.revision });
    if (events.length === 0) return null;
    return { revision: result.revision, time: topology.discoveredAt, cause, events };
  }

  #publish(batch: RevisionBatch): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(batch);
      } catch {
        // A subscriber's bug must not stop the others, nor the loop.
      }
    }
  }
}
