// The watch loop: keeps the live Topology up to date, records every change in the store and
// publishes each recorded revision to subscribers. It runs on the thread that serves requests and
// never touches a namespace itself: procfs passes, namespace reads and NSID queries are tasks for
// the reader Workers (discovery/workers), whose results it assembles (discovery/assembly.ts) —
// only what changed, so a kernel event in one namespace costs that namespace and its neighbours.
//
// Its parts: PassTriggers (what makes a pass run, and which), an EventSource (the namespaces
// held, and what they announce: kernel event sockets), EngineStreams (container engines'
// events), and a Kernel (the reader Workers). The last two are injected, so the pass logic runs
// in tests without root.
//
// Namespace lifetime. We hold, per namespace, nothing but its event socket (no fd on a namespace
// file: such an fd would pin a bind mount, so `umount /run/netns/X` would fail with EBUSY, and it
// would count, for another wiresight, as a holder of a deleted namespace). The socket keeps the
// namespace alive, but procfs does not see it: a namespace that only we still hold is not found
// by a procfs pass; then it has been deleted and we close its socket, so the kernel can destroy it
// — and with it the veth ends it held, whose peers then vanish from other namespaces.

import { Assembly, type BuildScope } from "../discovery/assembly.ts";
import { askEngines } from "../discovery/discover-with-engines.ts";
import { DEFAULT_CALL_TIMEOUT_MS } from "../discovery/engines/docker-api.ts";
import type { NsidHandle } from "../discovery/network/resolve-nsids.ts";
import type { NetnsCandidate } from "../discovery/procfs/namespaces.ts";
import type { ProcfsPass } from "../discovery/procfs-pass.ts";
import { ReaderPool, defaultWorkers } from "../discovery/workers/pool.ts";
import type { NsidResult, NsidTask, ReadResult, ReadTask } from "../discovery/workers/protocol.ts";
import { closeQuietly } from "../ffi/index.ts";
import type { NetnsKey } from "../model/keys.ts";
import type { Topology, Warning } from "../model/topology.ts";
import type { Store } from "../store/index.ts";
import { EngineStreams } from "./engine-streams.ts";
import { EventSockets, type EventSource } from "./event-sockets.ts";
import type { LiveTopology, RevisionBatch, RevisionCause, WatchStatus } from "./live.ts";
import { PassTriggers, type PassRequest } from "./pass-triggers.ts";

/** What the watcher asks of the kernel: the reader Workers' tasks (a fake in tests). */
export interface Kernel {
  procfs(options: { procRoot?: string; servicesPath?: string; engines?: boolean }, urgent?: boolean): Promise<ProcfsPass>;
  read(task: Omit<ReadTask, "kind">, urgent?: boolean): Promise<ReadResult>;
  nsids(task: Omit<NsidTask, "kind">, urgent?: boolean): Promise<NsidResult>;
  close(): void | Promise<void>;
}

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
  /** Full passes ask container engines, whose event streams are followed. Default true. */
  withEngines?: boolean;
  /** Engine events within this window after the first are served by one engine pass, ms. Default 200. */
  engineDebounceMs?: number;
  engineCallTimeoutMs?: number;
  /** Reader Workers (namespace reads, procfs passes). Default one per core. */
  workers?: number;
  /** As in discover(). */
  listeningOnly?: boolean;
  procRoot?: string;
  servicesPath?: string;
  /** Called before a namespace new to the watcher is read (tests: make it vanish then). */
  beforeNamespace?: (candidate: NetnsCandidate) => void;
  /** Instead of the reader Workers and kernel event sockets (tests drive passes with these). */
  kernel?: Kernel;
  events?: EventSource;
}

type Options = Required<Omit<WatcherOptions, "beforeNamespace" | "servicesPath" | "listeningOnly" | "store" | "procRoot" | "kernel" | "events">> & WatcherOptions;

export class Watcher implements LiveTopology {
  readonly #o: Options;
  readonly #store: Store;
  readonly #kernel: Kernel;
  readonly #events: EventSource;
  readonly #triggers: PassTriggers;
  readonly #engines: EngineStreams;
  readonly #assembly: Assembly;
  readonly #listeners = new Set<(batch: RevisionBatch) => void>();
  readonly #status: WatchStatus;
  /** Read digests of the namespaces held: a re-read with the same one changed nothing. */
  readonly #digests = new Map<NetnsKey, string>();

  #current: { topology: Topology; revision: number } | null = null;
  #bootId = "";
  #pollTimer: ReturnType<typeof setInterval> | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;

  private constructor(options: WatcherOptions, kernel: Kernel, events: EventSource) {
    this.#o = {
      fullPassEveryMs: 30_000,
      debounceMs: 10,
      namespaceRescanEveryMs: 5_000,
      namespaceDebounceMs: 100,
      pollEveryMs: 10,
      withEngines: true,
      engineDebounceMs: 200,
      engineCallTimeoutMs: DEFAULT_CALL_TIMEOUT_MS,
      workers: defaultWorkers(),
      ...options,
    };
    this.#store = options.store;
    this.#kernel = kernel;
    this.#events = events;
    this.#assembly = new Assembly({ listeningOnly: options.listeningOnly });
    this.#triggers = new PassTriggers(this.#o, () => this.#kick());
    this.#engines = new EngineStreams((container) => this.#triggers.engine(container));
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
   * Starts the reader Workers and the event machinery, runs the first full discovery (recorded
   * with cause `start`, unless the store already holds exactly this state) and starts watching.
   * Throws if that first discovery fails (there would be nothing to serve), having released
   * everything.
   */
  static async start(options: WatcherOptions): Promise<Watcher> {
    const kernel = options.kernel ?? ReaderPool.start(options.workers ?? defaultWorkers());
    let events: EventSource;
    try {
      events = options.events ?? EventSockets.open();
    } catch (err) {
      await kernel.close();
      throw err;
    }
    const w = new Watcher(options, kernel, events);
    try {
      await w.#pass({ kind: "start" });
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
    w.#triggers.started();
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
    return new Promise((resolve, reject) => this.#triggers.request({ resolve, reject }));
  }

  status(): WatchStatus {
    return { ...this.#status, namespacesWatched: this.#events.size };
  }

  /** Stops the timers, lets a pass in progress finish (and record), then closes every socket and Worker. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#triggers.stop();
    this.#engines.close();
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    while (this.#running) await this.#running;
    for (const w of this.#triggers.takeWaiters()) w.reject(new Error("the watcher stopped before this discovery ran"));
    this.#events.close();
    await this.#kernel.close();
    this.#listeners.clear();
  }

  // -------------------------------------------------------------------------------------------
  // the loop

  /** Takes what the event sockets announced (never blocks). */
  #poll(): void {
    if (this.#stopped) return;
    let result;
    try {
      result = this.#events.poll();
    } catch (err) {
      this.#fail(`event sockets: ${(err as Error).message}`);
      return;
    }
    if (result.active.size > 0) this.#triggers.netlink(result.active);
    if (result.mounts) this.#triggers.mounts();
  }

  /** Starts the pass loop unless it runs already (it picks up whatever was asked meanwhile). */
  #kick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  async #loop(): Promise<void> {
    for (let next = this.#triggers.next(); next && !this.#stopped; next = this.#triggers.next()) await this.#pass(next);
  }

  // -------------------------------------------------------------------------------------------
  // a pass

  /** One pass; failures are recorded in the status, never thrown (except for "start"). */
  async #pass(req: PassRequest): Promise<void> {
    const started = performance.now();
    const discoveredAt = new Date().toISOString();
    const waiters = req.kind === "full" ? req.waiters : [];
    try {
      let cause: RevisionCause;
      if (req.kind === "netlink") {
        for (const key of req.nsidsChanged) this.#assembly.forgetNsids(key);
        const held = req.namespaces.filter((k) => this.#events.has(k));
        await Promise.all(held.map((key) => this.#reread(key, true)));
        cause = { kind: "netlink", namespaces: held };
      } else {
        const procfs = await this.#kernel.procfs({ procRoot: this.#o.procRoot, servicesPath: this.#o.servicesPath, engines: this.#o.withEngines });
        this.#bootId = procfs.bootId;
        const { appeared, vanished } = this.#assembly.setProcfs(procfs);
        // Nothing of this pass refers to a vanished namespace any more: let it go now.
        for (const key of vanished) this.#release(key);
        const fresh = await this.#open(appeared, procfs.bootId);
        if (req.kind === "full" || req.kind === "start")
          await Promise.all([...this.#assembly.keys()].filter((k) => !fresh.includes(k)).map((k) => this.#reread(k, false)));
        if (req.kind !== "namespaces") await this.#askEngines(procfs);
        cause =
          req.kind === "start"
            ? { kind: "start" }
            : req.kind === "namespaces"
              ? { kind: "namespaces", appeared: fresh.sort(), vanished: vanished.sort() }
              : req.kind === "engine"
                ? { kind: "engine", containers: req.containers }
                : waiters.length > 0
                  ? { kind: "request" }
                  : { kind: "periodic" };
      }
      await this.#resolveNsids();
      const { topology, scope } = this.#assembly.build(discoveredAt);
      topology.stats.durationMs = Math.round((performance.now() - started) * 100) / 100;
      const batch = this.#record(topology, scope, cause);
      this.#status.lastSuccessAt = new Date().toISOString();
      this.#status.lastError = null;
      this.#status.consecutiveFailures = 0;
      for (const w of waiters) w.resolve(batch);
      if (batch) this.#publish(batch);
    } catch (err) {
      const message = `${req.kind} pass failed: ${(err as Error).message}`;
      this.#fail(message);
      for (const w of waiters) w.reject(new Error(message));
      if (req.kind === "start") throw err;
    }
  }

  /**
   * Reads namespaces met for the first time (opening their event sockets in the same switch) and
   * starts watching them. Returns the keys of those that could be read.
   */
  async #open(candidates: NetnsCandidate[], bootId: string): Promise<NetnsKey[]> {
    const reads = candidates.map((candidate) => {
      this.#o.beforeNamespace?.(candidate);
      return this.#kernel.read({ candidate, bootId, options: { listeningOnly: this.#o.listeningOnly, eventSocket: true } });
    });
    const opened: NetnsKey[] = [];
    for (const [i, r] of (await Promise.all(reads)).entries()) {
      const ns = r.namespace;
      if (ns === null || this.#events.has(ns.key)) {
        // Unreadable, or the same namespace reached by two paths (should not happen: dedup is by inode).
        closeQuietly(r.eventFd ?? -1);
        if (ns === null) this.#assembly.setUnreadable(candidates[i]!, r.warnings);
        continue;
      }
      try {
        this.#events.watch(ns.key, r.eventFd!);
      } catch (err) {
        closeQuietly(r.eventFd ?? -1);
        this.#assembly.setUnreadable(candidates[i]!, [
          ...r.warnings,
          { subject: ns.key, message: `not watched for changes (seen again only by later passes): ${(err as Error).message}` },
        ]);
        continue;
      }
      this.#digests.set(ns.key, r.digest!);
      this.#assembly.putNamespace(ns);
      opened.push(ns.key);
    }
    return opened;
  }

  /** Reads a held namespace again, through its event socket; only a changed read is assembled. */
  async #reread(key: NetnsKey, urgent: boolean): Promise<void> {
    const candidate = this.#assembly.candidateOf(key);
    const fd = this.#events.socketOf(key);
    if (!candidate || fd === undefined) return;
    const r = await this.#kernel.read(
      { candidate, bootId: this.#bootId, target: { kind: "socket", fd }, options: { listeningOnly: this.#o.listeningOnly }, previousDigest: this.#digests.get(key) },
      urgent,
    );
    if (r.unchanged || !this.#events.has(key)) return;
    if (r.namespace === null || r.namespace.key !== key) {
      // Held, yet unreadable (no privilege any more?): keep its last read, say why it is stale.
      const stale: Warning[] = r.warnings.map((w) => ({ subject: key, message: `not re-read, shown as last read: ${w.message}` }));
      this.#assembly.putNamespace({ ...this.#assembly.readOf(key)!, warnings: stale });
      this.#digests.delete(key);
      return;
    }
    this.#digests.set(key, r.digest!);
    this.#assembly.putNamespace(r.namespace);
  }

  /** Closes a namespace's event socket: our hold on it ends (the assembly dropped it already). */
  #release(key: NetnsKey): void {
    this.#events.unwatch(key);
    this.#digests.delete(key);
  }

  /** NSIDs the namespaces reference and nobody resolved yet, asked by a reader through the event sockets. */
  async #resolveNsids(): Promise<void> {
    const a = this.#assembly;
    const handle = (key: NetnsKey | undefined): NsidHandle | undefined => {
      const fd = key === undefined ? undefined : this.#events.socketOf(key);
      return fd === undefined ? undefined : { socketFd: fd, requests: false };
    };
    const handles = (ids: Iterable<number>) => {
      const m = new Map<number, NsidHandle>();
      for (const id of ids) {
        const h = handle(a.keyOfId(id));
        if (h) m.set(id, h);
      }
      return m;
    };
    for (let work = a.nextNsidWork(); work; work = a.nextNsidWork()) {
      const subject = handle(work.key);
      try {
        if (!subject) throw new Error("not watched");
        const questions = work.plan.questions;
        const first = await this.#kernel.nsids({ subject, selfId: work.id, questions, handles: handles(questions.flatMap((q) => q.candidates)), everyone: false });
        const answers = first.answers;
        let queries = first.queries;
        if (first.unanswered.length > 0) {
          // The structural guess failed for some: ask every namespace in turn.
          const rest = questions.filter((q) => first.unanswered.includes(q.nsid));
          const second = await this.#kernel.nsids({ subject, selfId: work.id, questions: rest, handles: handles(a.subjectIds()), everyone: true });
          for (const [nsid, id] of second.answers) answers.set(nsid, id);
          queries += second.queries;
        }
        a.applyNsids(work.key, answers, queries);
      } catch (err) {
        a.failNsids(work.key, (err as Error).message);
      }
    }
  }

  async #askEngines(procfs: ProcfsPass): Promise<void> {
    if (!this.#o.withEngines) {
      this.#assembly.setEngines(null);
      this.#engines.follow([]);
      return;
    }
    const warnings: Warning[] = [];
    const results = await askEngines(procfs.engines, this.#o.engineCallTimeoutMs, (subject, message) => warnings.push({ subject, message }));
    this.#assembly.setEngines({ results, warnings });
    if (!this.#stopped) this.#engines.follow(results);
  }

  #fail(message: string): void {
    this.#status.lastError = { at: new Date().toISOString(), message };
    this.#status.consecutiveFailures++;
  }

  /** Records what may have changed; a pass that changed nothing leaves the history alone and publishes nothing. */
  #record(topology: Topology, scope: BuildScope, cause: RevisionCause): RevisionBatch | null {
    const previous = this.#store.latest();
    const result = this.#store.record(topology, { skipUnchanged: true, scope });
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
