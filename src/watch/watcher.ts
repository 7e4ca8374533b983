// The watch loop: keeps the live Topology up to date, records every change in the store and
// publishes each recorded revision to subscribers. It runs on the thread that serves requests and
// never touches a namespace itself: procfs passes, namespace reads and NSID queries are tasks for
// the reader Workers (discovery/workers), whose results it assembles (discovery/assembly.ts) —
// only what changed, so a kernel event in one namespace costs that namespace and its neighbours.
//
// Its parts: PassTriggers (what makes a pass run, and which), HeldNamespaces (the namespaces
// held, by an EventSource — kernel event sockets, which also say what changed — and reading them
// again), EngineStreams (container engines' events), and a Kernel (the reader Workers). Kernel
// and EventSource are injected, so the pass logic runs in tests without root.
//
// Concurrency. Kernel events have a lane of their own, so that they never wait behind a long
// pass: a structural pass (procfs, engines) and a full pass's sweep (every namespace re-read) run
// beside it. Reading happens outside; what changes the assembly — taking results in, building,
// recording, publishing — happens in short commits, one at a time (CommitLock), each recording
// its own revision. A build after kernel events builds only their namespaces; one that takes in
// hundreds of new or changed namespaces is cut into bounded pieces (COMMIT_BUDGET), so requests
// are answered in between.
//
// Namespace lifetime. We hold, per namespace, nothing but its event socket (no fd on a namespace
// file: such an fd would pin a bind mount, so `umount /run/netns/X` would fail with EBUSY, and it
// would count, for another wiresight, as a holder of a deleted namespace). The socket keeps the
// namespace alive, but procfs does not see it: a namespace that only we still hold is not found
// by a procfs pass; then it has been deleted and we close its socket, so the kernel can destroy it
// — and with it the veth ends it held, whose peers then vanish from other namespaces.

import { Assembly, candidateId, type BuildScope } from "../discovery/assembly.ts";
import { askEngines } from "../discovery/discover-with-engines.ts";
import { DEFAULT_CALL_TIMEOUT_MS } from "../discovery/engines/docker-api.ts";
import type { NsidHandle } from "../discovery/network/resolve-nsids.ts";
import type { NetnsCandidate } from "../discovery/procfs/namespaces.ts";
import type { EngineResult } from "../discovery/engines/decorate.ts";
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
import { HeldNamespaces, type HeldRead } from "./held-namespaces.ts";
import { PassTriggers, type PassRequest, type Waiter } from "./pass-triggers.ts";

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

/**
 * About how many entities (interfaces, addresses, routes, sockets) a commit builds and records at
 * once when hundreds of namespaces need it: a few dozen container namespaces, a few big hubs.
 */
const COMMIT_BUDGET = 1_000;

/** Runs async sections one at a time, in the order asked. */
class CommitLock {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const r = this.#tail.then(fn);
    this.#tail = r.catch(() => {});
    return r;
  }
}

type Options = Required<Omit<WatcherOptions, "beforeNamespace" | "servicesPath" | "listeningOnly" | "store" | "procRoot" | "kernel" | "events">> & WatcherOptions;

export class Watcher implements LiveTopology {
  readonly #o: Options;
  readonly #store: Store;
  readonly #kernel: Kernel;
  readonly #events: EventSource;
  readonly #held: HeldNamespaces;
  readonly #triggers: PassTriggers;
  readonly #engines: EngineStreams;
  readonly #assembly: Assembly;
  readonly #lock = new CommitLock();
  readonly #listeners = new Set<(batch: RevisionBatch) => void>();
  readonly #status: WatchStatus;

  #current: { topology: Topology; revision: number } | null = null;
  /**
   * A recording failed (disk full, database locked) after the assembly had taken its changes in:
   * the next commit records the whole topology, whatever its build says changed, so that
   * nothing the failed one held is lost from the history.
   */
  #unrecorded = false;
  #bootId = "";
  #pollTimer: ReturnType<typeof setInterval> | null = null;
  #structuralLane: Promise<void> | null = null;
  #netlinkLane: Promise<void> | null = null;
  #sweep: Promise<void> | null = null;
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
    this.#held = new HeldNamespaces(events);
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
    const kernel = options.kernel ?? ReaderPool.start(options.workers ?? defaultWorkers(), { background: true });
    let events: EventSource;
    try {
      events = options.events ?? EventSockets.open();
    } catch (err) {
      await kernel.close();
      throw err;
    }
    const w = new Watcher(options, kernel, events);
    try {
      await w.#structural({ kind: "start" });
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
    return { ...this.#status, namespacesWatched: this.#held.size };
  }

  /** Stops the timers, lets the passes in progress finish (and record), then closes every socket and Worker. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#triggers.stop();
    this.#engines.close();
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    while (this.#structuralLane || this.#netlinkLane || this.#sweep) await Promise.all([this.#structuralLane, this.#netlinkLane, this.#sweep]);
    for (const w of this.#triggers.takeWaiters()) w.reject(new Error("the watcher stopped before this discovery ran"));
    this.#events.close();
    await this.#kernel.close();
    this.#listeners.clear();
  }

  // -------------------------------------------------------------------------------------------
  // the lanes

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

  /** Starts each lane's loop unless it runs already (it picks up whatever was asked meanwhile). */
  #kick(): void {
    if (this.#stopped) return;
    this.#structuralLane ??= this.#lane(
      () => this.#triggers.nextStructural(),
      (req) => this.#structural(req),
    ).finally(() => (this.#structuralLane = null));
    this.#netlinkLane ??= this.#lane(
      () => this.#triggers.nextNetlink(),
      (req) => this.#netlink(req),
    ).finally(() => (this.#netlinkLane = null));
  }

  async #lane<R>(next: () => R | null, run: (req: R) => Promise<void>): Promise<void> {
    for (let req = next(); req && !this.#stopped; req = next()) await run(req);
  }

  // -------------------------------------------------------------------------------------------
  // passes

  /** Kernel events: their namespaces re-read, and those alone built (with their neighbours). */
  async #netlink(req: Extract<PassRequest, { kind: "netlink" }>): Promise<void> {
    const started = performance.now();
    const discoveredAt = new Date().toISOString();
    try {
      const held = req.namespaces.filter((k) => this.#held.has(k));
      const reads = await Promise.all(held.map((key) => this.#reread(key, true)));
      await this.#lock.run(async () => {
        for (const key of req.nsidsChanged) this.#assembly.forgetNsids(key);
        for (const r of reads) this.#take(r);
        await this.#resolveNsids();
        const only = new Set(held);
        this.#commit(discoveredAt, started, { kind: "netlink", namespaces: held }, { only });
      });
      this.#succeeded();
    } catch (err) {
      this.#fail(`netlink pass failed: ${(err as Error).message}`);
    }
  }

  /**
   * procfs (namespaces come and go) and, but for a namespaces pass, the engines; a full pass
   * then sweeps every namespace in the background. Failures are recorded in the status, never
   * thrown (except for "start").
   */
  async #structural(req: Exclude<PassRequest, { kind: "netlink" }>): Promise<void> {
    const started = performance.now();
    const discoveredAt = new Date().toISOString();
    const waiters = req.kind === "full" ? req.waiters : [];
    try {
      const procfs = await this.#kernel.procfs({ procRoot: this.#o.procRoot, servicesPath: this.#o.servicesPath, engines: this.#o.withEngines }, true);
      const newcomers = procfs.candidates.filter((c) => this.#assembly.keyOfCandidate(candidateId(c)) === undefined);
      const reads = await this.#readNew(newcomers, procfs.bootId);
      const engines = req.kind === "namespaces" ? undefined : await this.#askEngines(procfs);
      let batch: RevisionBatch | null = null;
      let fresh: NetnsKey[] = [];
      let vanished: NetnsKey[] = [];
      await this.#lock.run(async () => {
        this.#bootId = procfs.bootId;
        const change = this.#assembly.setProcfs(procfs);
        vanished = change.vanished;
        for (const key of vanished) this.#held.release(key);
        fresh = this.#watchNew(change.appeared, newcomers, reads);
        if (engines !== undefined) {
          this.#assembly.setEngines(engines && { results: engines.results, warnings: engines.warnings });
          if (!this.#stopped) this.#engines.follow(engines?.results ?? []);
        }
        await this.#resolveNsids();
      });
      const cause = (built: NetnsKey[], first: boolean): RevisionCause =>
        req.kind === "start"
          ? { kind: "start" }
          : req.kind === "namespaces"
            ? { kind: "namespaces", appeared: fresh.filter((k) => built.includes(k)).sort(), vanished: first ? vanished.sort() : [] }
            : req.kind === "engine"
              ? { kind: "engine", containers: req.containers }
              : waiters.length > 0
                ? { kind: "request" }
                : { kind: "periodic" };
      // The start is one revision (nobody is served yet); later, hundreds of new namespaces
      // are recorded in pieces, so that requests are answered in between.
      batch = await this.#commitAll(discoveredAt, started, cause, req.kind === "start" ? Infinity : COMMIT_BUDGET);
      if (req.kind === "full") this.#sweepAll(waiters, batch, cause(fresh, false));
      else this.#succeeded();
    } catch (err) {
      const message = `${req.kind} pass failed: ${(err as Error).message}`;
      this.#fail(message);
      for (const w of waiters) w.reject(new Error(message, { cause: err })); // the cause keeps its code (disk full…)
      if (req.kind === "start") throw err;
    }
  }

  /**
   * A full pass's second half, in the background: every held namespace re-read (behind kernel
   * events' reads), then what changed committed. Its waiters (discoverNow) get the last revision
   * the full pass recorded, or null.
   */
  #sweepAll(waiters: Waiter[], structural: RevisionBatch | null, cause: RevisionCause): void {
    const previous = this.#sweep ?? Promise.resolve();
    const run = async () => {
      await previous; // one sweep at a time
      const started = performance.now();
      const discoveredAt = new Date().toISOString();
      try {
        const reads = await Promise.all([...this.#assembly.keys()].map((k) => this.#reread(k, false)));
        await this.#lock.run(async () => {
          for (const r of reads) this.#take(r);
          await this.#resolveNsids();
        });
        const batch = await this.#commitAll(discoveredAt, started, () => cause, COMMIT_BUDGET);
        this.#succeeded();
        for (const w of waiters) w.resolve(batch ?? structural);
      } catch (err) {
        const message = `full pass failed: ${(err as Error).message}`;
        this.#fail(message);
        for (const w of waiters) w.reject(new Error(message, { cause: err }));
      }
    };
    const sweep = run().finally(() => {
      if (this.#sweep === sweep) this.#sweep = null;
    });
    this.#sweep = sweep;
  }

  // -------------------------------------------------------------------------------------------
  // reading

  /** Reads namespaces met for the first time, each opening its event socket in the same switch. */
  #readNew(candidates: NetnsCandidate[], bootId: string): Promise<ReadResult[]> {
    return Promise.all(
      candidates.map((candidate) => {
        this.#o.beforeNamespace?.(candidate);
        return this.#kernel.read({ candidate, bootId, options: { listeningOnly: this.#o.listeningOnly, eventSocket: true }, digest: true }, true);
      }),
    );
  }

  /**
   * Starts holding what newcomers' reads found (those procfs still calls new: `appeared`) and
   * hands the reads to the assembly. Returns the keys of those taken up.
   */
  #watchNew(appeared: NetnsCandidate[], newcomers: NetnsCandidate[], reads: ReadResult[]): NetnsKey[] {
    const wanted = new Set(appeared.map(candidateId));
    const taken: NetnsKey[] = [];
    for (const [i, r] of reads.entries()) {
      const candidate = newcomers[i]!;
      const ns = r.namespace;
      if (ns === null || this.#held.has(ns.key) || !wanted.has(candidateId(candidate))) {
        // Unreadable, gone again, or the same namespace reached by two paths (dedup is by inode).
        closeQuietly(r.eventFd ?? -1);
        if (ns === null && wanted.has(candidateId(candidate))) this.#assembly.setUnreadable(candidate, r.warnings);
        continue;
      }
      try {
        this.#held.hold(ns.key, r.eventFd!, r.digest!);
      } catch (err) {
        closeQuietly(r.eventFd ?? -1);
        this.#assembly.setUnreadable(candidate, [
          ...r.warnings,
          { subject: ns.key, message: `not watched for changes (seen again only by later passes): ${(err as Error).message}` },
        ]);
        continue;
      }
      this.#assembly.putNamespace(ns);
      taken.push(ns.key);
    }
    return taken;
  }

  /**
   * Reads a held namespace again. After kernel events (`urgent`: ahead of a full pass's reads),
   * its links, addresses and routes only — what those events are about; a full pass reads all.
   */
  #reread(key: NetnsKey, urgent: boolean): Promise<HeldRead | null> {
    const candidate = this.#assembly.candidateOf(key);
    if (!candidate) return Promise.resolve(null);
    const options = { listeningOnly: this.#o.listeningOnly, networkOnly: urgent };
    return this.#held.reread(key, candidate, (task) => this.#kernel.read(task, urgent), { bootId: this.#bootId, options });
  }

  /** Takes a re-read in (in a commit). */
  #take(read: HeldRead | null): void {
    if (read && !this.#assembly.candidateOf(read.key)) return; // dropped meanwhile
    const taken = this.#held.take(read);
    if (taken.kind === "changed") this.#assembly.putNamespace(taken.read);
    else if (taken.kind === "stale") this.#assembly.markStale(read!.key, taken.warnings);
  }

  /** NSIDs the namespaces reference and nobody resolved yet, asked by a reader through the event sockets (in a commit). */
  async #resolveNsids(): Promise<void> {
    const a = this.#assembly;
    const handle = (key: NetnsKey | undefined) => this.#held.handle(key);
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
        const first = await this.#kernel.nsids({ subject, selfId: work.id, questions, handles: handles(questions.flatMap((q) => q.candidates)), everyone: false }, true);
        const answers = first.answers;
        let queries = first.queries;
        if (first.unanswered.length > 0) {
          // The structural guess failed for some: ask every namespace in turn.
          const rest = questions.filter((q) => first.unanswered.includes(q.nsid));
          const second = await this.#kernel.nsids({ subject, selfId: work.id, questions: rest, handles: handles(a.subjectIds()), everyone: true }, true);
          for (const [nsid, id] of second.answers) answers.set(nsid, id);
          queries += second.queries;
        }
        a.applyNsids(work.key, answers, queries);
      } catch (err) {
        a.failNsids(work.key, (err as Error).message);
      }
    }
  }

  /** The engines' answers (null: engines not asked). Asked outside any commit: HTTP takes its time. */
  async #askEngines(procfs: ProcfsPass): Promise<{ results: EngineResult[]; warnings: Warning[] } | null> {
    if (!this.#o.withEngines) return null;
    const warnings: Warning[] = [];
    const results = await askEngines(procfs.engines, procfs.procRoot, this.#o.engineCallTimeoutMs, (subject, message) => warnings.push({ subject, message }));
    return { results, warnings };
  }

  // -------------------------------------------------------------------------------------------
  // committing

  /**
   * Commits until nothing is left to build, about `budget` entities at a time, each piece its own
   * revision (others' commits may run in between). Returns the last batch published, or null.
   */
  async #commitAll(discoveredAt: string, started: number, cause: (built: NetnsKey[], first: boolean) => RevisionCause, budget: number): Promise<RevisionBatch | null> {
    let last: RevisionBatch | null = null;
    for (let first = true; first || this.#assembly.pending; first = false) {
      const batch = await this.#lock.run(() => this.#commit(discoveredAt, started, cause, { budget }, first));
      last = batch ?? last;
      if (this.#stopped) break;
    }
    return last;
  }

  /** Builds, records and publishes (inside the lock). */
  #commit(
    discoveredAt: string,
    started: number,
    cause: RevisionCause | ((built: NetnsKey[], first: boolean) => RevisionCause),
    opts: { only?: ReadonlySet<NetnsKey>; budget?: number },
    first = true,
  ): RevisionBatch | null {
    const { topology, scope } = this.#assembly.build(discoveredAt, opts);
    // Nothing changed (a re-read found what was there): the live topology stays the same object,
    // so what readers derived from it (the schema's index of it) stays valid.
    if (this.#current && scope.namespaces.size === 0 && scope.lists.size === 0 && !this.#unrecorded) return null;
    topology.stats.durationMs = Math.round((performance.now() - started) * 100) / 100;
    const why = typeof cause === "function" ? cause([...scope.namespaces.keys()], first) : cause;
    // Nobody can be listening before start() returns: the start's events are not worth making.
    const batch = this.#record(topology, scope, why, why.kind !== "start");
    if (batch) this.#publish(batch);
    return batch;
  }

  #succeeded(): void {
    this.#status.lastSuccessAt = new Date().toISOString();
    this.#status.lastError = null;
    this.#status.consecutiveFailures = 0;
  }

  #fail(message: string): void {
    this.#status.lastError = { at: new Date().toISOString(), message };
    this.#status.consecutiveFailures++;
  }

  /**
   * Records what may have changed; a pass that changed nothing leaves the history alone and
   * publishes nothing. `announce`: make the revision's batch (its change events) to publish.
   */
  #record(topology: Topology, scope: BuildScope, cause: RevisionCause, announce: boolean): RevisionBatch | null {
    const previous = this.#current?.revision ?? this.#store.latest() ?? 0;
    // The events come from what was written (no reading back): a commit costs what it changed.
    let result;
    try {
      result = this.#store.record(topology, { skipUnchanged: true, scope: this.#unrecorded ? undefined : scope, events: announce });
    } catch (err) {
      this.#unrecorded = true;
      throw err;
    }
    this.#unrecorded = false;
    this.#current = { topology, revision: result?.revision ?? previous };
    if (result === null || !announce || result.events!.length === 0) return null;
    return { revision: result.revision, time: topology.discoveredAt, cause, events: result.events! };
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
