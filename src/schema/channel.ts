// A push-to-pull queue for subscriptions: listeners push, the GraphQL executor pulls. Written by
// hand rather than as an async generator, because an async generator parked in an await cannot
// be stopped: return() would wait behind the pending next() forever, and the listener would
// stay subscribed after the client left. Here return() ends a pending next() at once and
// runs the cleanup (unsubscribe) exactly once.
//
// Items are pushed in batches that belong together (one revision's changes). A batch may name
// the point a client can resume from once all of it is delivered (`resumeAfter`: a revision, or
// an alert event's sequence for the alerts stream, as `resumeBy` says). A consumer
// that delivers whole batches (the server's fan-out, src/server/fanout.ts) attaches instead of
// pulling: it then gets each batch as it is pushed, with that resume point, so it can end a
// subscriber that falls behind at a batch boundary and say where to resume.

/** Takes whole batches as they are pushed, instead of pulling items one by one. */
export interface ChannelConsumer<T> {
  batch(items: readonly T[], resumeAfter: number | undefined): void;
  /** The producer closed the channel (the stream ended). Not called when the consumer closes it. */
  ended(): void;
}

interface Batch<T> {
  items: readonly T[];
  resumeAfter: number | undefined;
}

/** What a stream's resume points count: revisions (`sinceRevision`) or alert events (`sinceSequence`). */
export type ResumeBy = "revision" | "sequence";

export class Channel<T> implements AsyncIterableIterator<T> {
  private readonly queue: Batch<T>[] = [];
  /** Items of queue[0] already pulled. */
  private taken = 0;
  private readonly waiting: ((r: IteratorResult<T>) => void)[] = [];
  private consumer: ChannelConsumer<T> | null = null;
  private closed = false;
  private cleanup: (() => void) | null = null;

  constructor(readonly resumeBy: ResumeBy = "revision") {}

  /** What to run when the consumer goes away (or close() is called). */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.cleanup = fn;
  }

  push(item: T): void {
    this.pushBatch([item]);
  }

  /** Items that belong together; `resumeAfter`: the point (`resumeBy`) a client has everything up to once they are delivered. */
  pushBatch(items: readonly T[], resumeAfter?: number): void {
    if (this.closed) return;
    if (this.consumer) return this.consumer.batch(items, resumeAfter);
    let i = 0;
    if (this.queue.length === 0) while (i < items.length && this.waiting.length > 0) this.waiting.shift()!({ value: items[i++]!, done: false });
    if (i < items.length || resumeAfter !== undefined) this.queue.push({ items: i === 0 ? items : items.slice(i), resumeAfter });
  }

  /** From now on every batch goes to `consumer` (those queued so far first); pulling ends. */
  attach(consumer: ChannelConsumer<T>): void {
    if (this.closed) return consumer.ended();
    this.consumer = consumer;
    for (const w of this.waiting.splice(0)) w({ value: undefined, done: true });
    const queued = this.queue.splice(0);
    if (queued.length > 0 && this.taken > 0) queued[0] = { ...queued[0]!, items: queued[0]!.items.slice(this.taken) };
    this.taken = 0;
    for (const b of queued) consumer.batch(b.items, b.resumeAfter);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  next(): Promise<IteratorResult<T>> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (this.taken < head.items.length) {
        const value = head.items[this.taken++]!;
        if (this.taken === head.items.length) this.dropHead();
        return Promise.resolve({ value, done: false });
      }
      this.dropHead();
    }
    if (this.closed || this.consumer) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<T>> {
    this.close();
    return Promise.reject(err);
  }

  /** Ends the stream: pending pulls end, the cleanup runs, an attached consumer hears of it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    for (const w of this.waiting.splice(0)) w({ value: undefined, done: true });
    const fn = this.cleanup;
    this.cleanup = null;
    fn?.();
    const consumer = this.consumer;
    this.consumer = null;
    consumer?.ended();
  }

  /** The consumer is gone: like close(), without telling it. */
  detach(): void {
    this.consumer = null;
    this.close();
  }

  private dropHead(): void {
    this.queue.shift();
    this.taken = 0;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
