// A push-to-pull queue for subscriptions: listeners push, the GraphQL executor pulls. Written by
// hand rather than as an async generator, because an async generator parked in an await cannot
// be stopped: return() would wait behind the pending next() forever, and the listener would
// stay subscribed after the client left. Here return() ends a pending next() at once and
// runs the cleanup (unsubscribe) exactly once.

export class Channel<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiting: ((r: IteratorResult<T>) => void)[] = [];
  private closed = false;
  private cleanup: (() => void) | null = null;

  /** What to run when the consumer goes away (or close() is called). */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.cleanup = fn;
  }

  push(item: T): void {
    if (this.closed) return;
    const w = this.waiting.shift();
    if (w) w({ value: item, done: false });
    else this.items.push(item);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.items.length = 0;
    for (const w of this.waiting.splice(0)) w({ value: undefined, done: true });
    const fn = this.cleanup;
    this.cleanup = null;
    fn?.();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
