// The reader Workers, seen from the thread that assembles: one task queue, two priorities (a
// namespace re-read because the kernel just announced a change goes before the hundreds of reads
// of a full pass), at most two tasks per Worker in flight (so a priority task waits for at most
// one), a promise per task. One Worker per core by default.
//
// In the compiled binary the Worker's code is an extra entry point of the build (package.json);
// Bun finds it relative to the binary's embedded root. From source, relative to this file.

import { availableParallelism } from "node:os";
import type { ProcfsPass, ProcfsPassOptions } from "../procfs-pass.ts";
import type { NsidResult, NsidTask, ReadResult, ReadTask, Request, Response, Setup, Task } from "./protocol.ts";

/** The default number of reader Workers: one per core. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

function workerSpecifier(): string {
  // A compiled binary's modules live under /$bunfs/root/; its entry points keep their paths
  // relative to src/ (the build's common root), with import.meta.url pointing at the source tree
  // of the build machine once --bytecode is used, so it cannot be the base there.
  if (Bun.main.startsWith("/$bunfs/")) return "./discovery/workers/reader.ts";
  return new URL("./reader.ts", import.meta.url).href;
}

/** A Worker failed in a way that makes its reads untrustworthy; the pool is unusable. */
export class ReaderFailure extends Error {
  override name = "ReaderFailure";
}

interface Pending {
  id: number;
  task: Task;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

const PER_WORKER = 2;
/** The nice value of a watcher's readers. */
const BACKGROUND_NICE = 10;
/** More Workers replaced than this within REPLACE_WINDOW_MS: the pool gives up. */
const MAX_REPLACED = 3;
const REPLACE_WINDOW_MS = 60_000;
/** A Worker that does not end when asked (stuck in a task) is terminated after this, ms. */
const CLOSE_TIMEOUT_MS = 5_000;

export class ReaderPool {
  readonly #slots: Slot[] = [];
  readonly #urgent: Pending[] = [];
  readonly #normal: Pending[] = [];
  #nextId = 1;
  #closed = false;
  #broken: ReaderFailure | null = null;
  /** When Workers were replaced lately. */
  #replaced: number[] = [];

  readonly #nice: number;

  private constructor(nice: number) {
    this.#nice = nice;
  }

  /**
   * Starts `size` Workers now (they load while the caller does other work). `background`: their
   * threads run at a lower priority (nice 10), so that when the CPU is short the thread that
   * answers requests gets it first — a watcher's full pass keeps every reader busy for seconds.
   */
  static start(size: number = defaultWorkers(), options: { background?: boolean } = {}): ReaderPool {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`reader workers: a whole number of at least 1, not ${size}`);
    const pool = new ReaderPool(options.background ? BACKGROUND_NICE : 0);
    for (let i = 0; i < size; i++) pool.#slots.push(pool.#spawn());
    return pool;
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.#urgent.length + this.#normal.length + this.#slots.reduce((n, s) => n + s.inFlight.size, 0);
  }

  read(task: Omit<ReadTask, "kind">, urgent = false): Promise<ReadResult> {
    return this.#submit({ kind: "read", ...task }, urgent) as Promise<ReadResult>;
  }

  procfs(options: ProcfsPassOptions, urgent = false): Promise<ProcfsPass> {
    return this.#submit({ kind: "procfs", options }, urgent) as Promise<ProcfsPass>;
  }

  nsids(task: Omit<NsidTask, "kind">, urgent = false): Promise<NsidResult> {
    return this.#submit({ kind: "nsids", ...task }, urgent) as Promise<NsidResult>;
  }

  /**
   * Stops every Worker, letting each close what it holds (fds outlive threads otherwise);
   * queued and running tasks are rejected. Resolves when they are gone.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const err = new Error("the reader pool is closed");
    for (const p of [...this.#urgent.splice(0), ...this.#normal.splice(0)]) p.reject(err);
    await Promise.all(
      this.#slots.map(async (s) => {
        for (const p of s.inFlight.values()) p.reject(err);
        s.inFlight.clear();
        const exited = new Promise<void>((resolve) => s.worker.addEventListener("close", () => resolve(), { once: true }));
        s.worker.postMessage("close");
        const timer = setTimeout(() => s.worker.terminate(), CLOSE_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  #submit(task: Task, urgent: boolean): Promise<unknown> {
    if (this.#broken) return Promise.reject(this.#broken);
    if (this.#closed) return Promise.reject(new Error("the reader pool is closed"));
    return new Promise((resolve, reject) => {
      (urgent ? this.#urgent : this.#normal).push({ id: this.#nextId++, task, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    for (;;) {
      const queue = this.#urgent.length > 0 ? this.#urgent : this.#normal;
      if (queue.length === 0) return;
      let slot: Slot | undefined;
      for (const s of this.#slots) if (s.inFlight.size < PER_WORKER && (!slot || s.inFlight.size < slot.inFlight.size)) slot = s;
      if (!slot) return;
      const p = queue.shift()!;
      slot.inFlight.set(p.id, p);
      slot.worker.postMessage({ id: p.id, task: p.task } satisfies Request);
    }
  }

  #spawn(): Slot {
    const worker = new Worker(workerSpecifier(), { smol: true });
    worker.postMessage({ setup: { nice: this.#nice } } satisfies Setup);
    const slot: Slot = { worker, inFlight: new Map() };
    worker.onmessage = (event: MessageEvent<Response>) => {
      const r = event.data;
      const p = slot.inFlight.get(r.id);
      if (!p) return;
      slot.inFlight.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else if (r.fatal) this.#replace(slot, new ReaderFailure(r.error), p);
      else p.reject(new Error(r.error));
      this.#dispatch();
    };
    worker.onerror = (event: ErrorEvent) => {
      // The Worker died (a bug, or its script failed to load): what it was doing is lost, and a
      // Worker that cannot even load will not get better.
      this.#fail(new ReaderFailure(`reader worker failed: ${event.message}`));
    };
    return slot;
  }

  #fail(err: ReaderFailure, first?: Pending): void {
    this.#broken ??= err;
    first?.reject(err);
    void this.close();
  }

  /**
   * A Worker whose thread was left in another namespace: it is ended (its thread with it) and a
   * fresh one takes its place, which starts where the process is. Its tasks fail; if that keeps
   * happening, something is wrong beyond one thread and the pool gives up.
   */
  #replace(slot: Slot, err: ReaderFailure, first: Pending): void {
    first.reject(err);
    const now = Date.now();
    this.#replaced = this.#replaced.filter((t) => now - t < REPLACE_WINDOW_MS);
    if (this.#replaced.push(now) > MAX_REPLACED || this.#closed) return this.#fail(err);
    slot.worker.terminate();
    for (const p of slot.inFlight.values()) p.reject(err);
    const fresh = this.#spawn();
    this.#slots[this.#slots.indexOf(slot)] = fresh;
  }
}
