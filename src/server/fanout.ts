// Live subscriptions, fanned out: each subscriber keeps its own event stream (the subscription
// field's own subscribe: its filter, its replay, its resume point), but every event is executed
// and encoded once per *group* of subscribers that asked the same thing — the same document,
// operation and variables in the same context — and those bytes are written to every member's
// connection. 200 dashboards following the same subscription cost one execution per event, not
// 200. Executing one document with one root value, variables and context gives one result, so
// sharing it is invisible to clients: each still gets exactly what its own operation selects.
//
// Writing is paced: one pump hands events to connections in slices of a few milliseconds and
// yields to the event loop between slices, so a revision of thousands of changes going to
// hundreds of subscribers never holds up an HTTP request for more than a slice.
//
// Slow consumers are bounded and told. A connection takes events only while it holds less than
// `socketBytes` unsent; beyond that, events wait in the subscriber's queue. When more than
// `queuedEvents` would wait, the subscription ends with an error that names the last revision
// delivered in full (SUBSCRIBER_TOO_SLOW, extensions.lastRevision): `sinceRevision` resumes it
// with no gap and no duplicate (the alerts stream names its last event, lastSequence, for
// `sinceSequence`). Batches (one revision's changes, src/schema/channel.ts) are handed whole or
// not at all, so "delivered in full" is exact.

import { createSourceEventStream, execute, GraphQLError, print, type DocumentNode, type ExecutionArgs, type ExecutionResult } from "graphql";
import { maskError as yogaMaskError } from "graphql-yoga";
import { Channel, type ResumeBy } from "../schema/channel.ts";
import { stableJson } from "./stable-json.ts";

export interface FanoutLimits {
  /** A subscriber's connection is handed no more events while it holds this many bytes unsent. */
  socketBytes: number;
  /** Events that may wait for a subscriber whose connection is full; more end its subscription. */
  queuedEvents: number;
}

export const DEFAULT_FANOUT_LIMITS: FanoutLimits = { socketBytes: 1024 * 1024, queuedEvents: 10_000 };

/** How long one pump slice may write before it yields to the event loop. */
const SLICE_MS = 4;
/** Events one subscriber is handed per turn, before the pump moves on to the next. */
const TURN_EVENTS = 64;

export const SLOW_SUBSCRIBER_CODE = "SUBSCRIBER_TOO_SLOW";

const encoder = new TextEncoder();

/** One result, encoded once: its JSON, and (made on first use) the SSE frame around it. */
export class EncodedResult {
  #sse: Uint8Array | undefined;
  constructor(readonly json: string) {}
  /** `event: next` with this result as its data, as bytes (graphql-sse's distinct connections mode). */
  get sse(): Uint8Array {
    return (this.#sse ??= encoder.encode(`event: next\ndata: ${this.json}\n\n`));
  }
}

/** A subscriber's connection, as the fan-out writes to it (a graphql-ws operation, an SSE stream). */
export interface SubscriberSink {
  /** Writes one result (never refused; the fan-out asks `full()` first). */
  send(result: EncodedResult): void;
  /** Whether the connection holds `socketBytes` or more unsent. */
  full(): boolean;
  /** The subscription is over: completed (null) or failed with this error. Called once. */
  end(error: GraphQLError | null): void;
  /** Runs several sends as one write, where the transport can (websockets cork). */
  cork?(fn: () => void): void;
}

interface Unit {
  events: readonly object[];
  resumeAfter: number | undefined;
}

/** What a client may see of an error (yoga's `maskedErrors.maskError`). */
export type MaskError = (error: unknown, message: string) => Error;

/** Subscribers that asked the same thing: one execution and one encoding per event for all of them. */
class Group {
  readonly #encoded = new WeakMap<object, EncodedResult | Promise<EncodedResult>>();
  members = 0;

  constructor(
    readonly key: string,
    private readonly args: ExecutionArgs,
    private readonly mask: MaskError,
  ) {}

  encode(event: object): EncodedResult | Promise<EncodedResult> {
    let e = this.#encoded.get(event);
    if (e === undefined) {
      const result = execute({ ...this.args, rootValue: event });
      if (result instanceof Promise) {
        const pending = result.then(
          (r) => encodeResult(r, this.mask),
          (err: unknown) => encodeResult({ errors: [asGraphQLError(err)] }, this.mask),
        );
        void pending.then((done) => this.#encoded.set(event, done));
        e = pending;
      } else e = encodeResult(result, this.mask);
      this.#encoded.set(event, e);
    }
    return e;
  }
}

function encodeResult(result: ExecutionResult, mask: MaskError): EncodedResult {
  if (!result.errors?.length) return new EncodedResult(JSON.stringify(result));
  return new EncodedResult(JSON.stringify({ ...result, errors: result.errors.map((e) => clientError(e, mask).toJSON()) }));
}

/** The error as yoga lets it reach a client: masked as the server masks, without internal extensions. */
function clientError(error: GraphQLError, mask: MaskError): GraphQLError {
  const masked = mask(error, "Unexpected error.") as GraphQLError;
  const { unexpected, http, ...extensions } = masked.extensions ?? {};
  if (masked === error && unexpected === undefined && http === undefined) return error;
  return new GraphQLError(masked.message, { nodes: masked.nodes, source: masked.source, positions: masked.positions, path: masked.path, extensions });
}

/** A thrown value as an error for the client (masked when it is not a GraphQLError: see clientError). */
function asGraphQLError(err: unknown): GraphQLError {
  if (err instanceof GraphQLError) return err;
  const originalError = err instanceof Error ? err : new Error(String(err));
  return new GraphQLError(originalError.message, { originalError });
}

/** The error that ends a subscription whose client reads too slowly, with where to resume (when the stream has resume points). */
function slowSubscriberError(queuedEvents: number, last: number | undefined, resumeBy: ResumeBy): GraphQLError {
  const what = `subscription ended: the client read too slowly (its connection was full and more than ${queuedEvents} events were waiting)`;
  if (last === undefined) return new GraphQLError(`${what}; nothing after the last event delivered is coming: subscribe again`, { extensions: { code: SLOW_SUBSCRIBER_CODE } });
  if (resumeBy === "sequence") {
    const message = `${what}; every alert change up to sequence ${last} was delivered: subscribe again with sinceSequence: ${last} to continue without a gap`;
    return new GraphQLError(message, { extensions: { code: SLOW_SUBSCRIBER_CODE, lastSequence: last } });
  }
  const message = `${what}; every change up to revision ${last} was delivered: subscribe again with sinceRevision: ${last} to continue without a gap`;
  return new GraphQLError(message, { extensions: { code: SLOW_SUBSCRIBER_CODE, lastRevision: last } });
}

type SourceStream = AsyncIterator<unknown> & { return?: () => unknown };

/**
 * How a subscription ends once it stops taking events: it completes or fails after handing what
 * is queued; a slow subscriber drops what is queued and fails after the unit in progress.
 */
type Ending = { kind: "complete" } | { kind: "error"; error: GraphQLError } | { kind: "slow" };

/** One subscriber: its own event stream, its queue, its connection once a transport attaches one. */
export class FanoutSubscription {
  #sink: SubscriberSink | null = null;
  /** Units waiting, none of their events handed yet. */
  readonly #waiting: Unit[] = [];
  #waitingEvents = 0;
  /** The unit being handed and how far: once started, a unit is always finished. */
  #current: { unit: Unit; next: number } | null = null;
  /** The resume point of the last unit handed in full, and what it counts. */
  #delivered: number | undefined;
  #resumeBy: ResumeBy = "revision";
  #ending: Ending | null = null;
  #ended: { error: GraphQLError | null } | null = null;
  /** Taking what the source held when it was attached. */
  #priming = false;
  #stopSource: () => void = () => {};
  readonly #onEnd: ((error: GraphQLError | null) => void)[] = [];

  constructor(
    private readonly fanout: Fanout,
    readonly group: Group,
  ) {}

  /** Starts taking events from the source (a Channel hands whole batches; any other stream one event at a time). */
  listen(source: AsyncIterable<unknown>): void {
    if (source instanceof Channel) {
      const channel = source as Channel<object>;
      this.#resumeBy = channel.resumeBy;
      this.#stopSource = () => channel.detach();
      // What the stream holds already (a replay) is the client's request, however long: only
      // what arrives after it can overflow.
      this.#priming = true;
      channel.attach({ batch: (items, resumeAfter) => this.#offer({ events: items, resumeAfter }), ended: () => this.#stop({ kind: "complete" }) });
      this.#priming = false;
      return;
    }
    const it = source[Symbol.asyncIterator]() as SourceStream;
    let stopped = false;
    this.#stopSource = () => {
      stopped = true;
      void Promise.resolve(it.return?.()).catch(() => {});
    };
    void (async () => {
      try {
        for (;;) {
          const r = await it.next();
          if (stopped) return;
          if (r.done) return this.#stop({ kind: "complete" });
          this.#offer({ events: [r.value as object], resumeAfter: undefined });
        }
      } catch (err) {
        if (!stopped) this.#stop({ kind: "error", error: asGraphQLError(err) });
      }
    })();
  }

  /** Connects the transport; events waiting so far start flowing. */
  attach(sink: SubscriberSink): void {
    if (this.#sink) throw new Error("a fan-out subscription has one connection");
    this.#sink = sink;
    if (this.#ended) sink.end(this.#ended.error);
    else this.fanout.wake(this);
  }

  /** The connection has room again (websocket drain, SSE pull). */
  wake(): void {
    if (!this.#ended && this.#sink) this.fanout.wake(this);
  }

  /** The client left: stop, without a word to the connection. */
  cancel(): void {
    if (!this.#ended) this.#end(null, false);
  }

  /** Something broke while handing its events: it ends with this error, nothing more is handed. */
  abort(error: GraphQLError): void {
    if (!this.#ended) this.#end(error, true);
  }

  /** Called with null when it completes, or the error it failed with; at once when already over. */
  onEnd(fn: (error: GraphQLError | null) => void): void {
    if (this.#ended) fn(this.#ended.error);
    else this.#onEnd.push(fn);
  }

  #offer(unit: Unit): void {
    if (this.#ending || this.#ended) return;
    // Batches with nothing to send only move the resume point: one waiting is enough.
    const last = this.#waiting.at(-1);
    if (unit.events.length === 0 && unit.resumeAfter !== undefined && last?.events.length === 0) {
      last.resumeAfter = unit.resumeAfter;
      return;
    }
    const behind = this.#waitingEvents > 0 && this.#waitingEvents + unit.events.length > this.fanout.limits.queuedEvents;
    // No connection yet counts as a full one: nobody reads.
    if (behind && !this.#priming && (this.#sink?.full() ?? true)) return this.#stop({ kind: "slow" });
    this.#waiting.push(unit);
    this.#waitingEvents += unit.events.length;
    this.wake();
  }

  /** Takes no more events; ends once the pump has handed what the ending keeps. */
  #stop(ending: Ending): void {
    if (this.#ending || this.#ended) return;
    this.#ending = ending;
    this.#stopSource();
    this.#stopSource = () => {};
    if (ending.kind === "slow") {
      this.#waiting.length = 0;
      this.#waitingEvents = 0;
    }
    this.wake();
  }

  /**
   * Hands up to `max` events to the connection. Returns whether it has more to hand now (false:
   * nothing waiting, the connection is full, or it ended).
   */
  async step(max: number): Promise<boolean> {
    const sink = this.#sink;
    let handed = 0;
    while (sink && !this.#ended && handed < max) {
      if (!this.#current) {
        if (this.#ending && this.#waiting.length === 0) {
          const e = this.#ending;
          this.#end(e.kind === "complete" ? null : e.kind === "error" ? e.error : slowSubscriberError(this.fanout.limits.queuedEvents, this.#delivered, this.#resumeBy), true);
          return false;
        }
        // An empty batch is handed even to a full connection: it only moves the resume point.
        if (this.#waiting.length === 0 || (sink.full() && this.#waiting[0]!.events.length > 0)) return false;
        const unit = this.#waiting.shift()!;
        this.#waitingEvents -= unit.events.length;
        this.#current = { unit, next: 0 };
      }
      const c = this.#current;
      const results: EncodedResult[] = [];
      while (c.next < c.unit.events.length && handed + results.length < max) {
        let e = this.group.encode(c.unit.events[c.next]!);
        if (e instanceof Promise) e = await e;
        if (this.#ended) return false; // cancelled while an execution was awaited
        results.push(e);
        c.next++;
      }
      if (sink.cork) sink.cork(() => results.forEach((e) => sink.send(e)));
      else for (const e of results) sink.send(e);
      handed += results.length;
      if (c.next === c.unit.events.length) {
        if (c.unit.resumeAfter !== undefined) this.#delivered = Math.max(this.#delivered ?? c.unit.resumeAfter, c.unit.resumeAfter);
        this.#current = null;
      }
    }
    return !this.#ended && (this.#current !== null || this.#waiting.length > 0 || this.#ending !== null);
  }

  #end(failure: GraphQLError | null, tellSink: boolean): void {
    const error = failure && clientError(failure, this.fanout.maskError);
    this.#ended = { error };
    this.#stopSource();
    this.#stopSource = () => {};
    this.#waiting.length = 0;
    this.#waitingEvents = 0;
    this.#current = null;
    this.fanout.leave(this);
    if (tellSink) this.#sink?.end(error);
    for (const fn of this.#onEnd.splice(0)) fn(error);
  }
}

export interface FanoutOptions {
  limits?: Partial<FanoutLimits>;
  /**
   * What, besides the document, operation and variables, makes two subscribers' results differ:
   * the identity of their context. Subscribers with the same key share executions. Default: none
   * share (every subscriber its own group).
   */
  contextKey?: (contextValue: unknown) => string | null;
  /** What a client may see of an error: the server's own masking (yoga's by default). */
  maskError?: MaskError;
}

export class Fanout {
  readonly limits: FanoutLimits;
  readonly maskError: MaskError;
  readonly #contextKey: (contextValue: unknown) => string | null;
  readonly #groups = new Map<string, Group>();
  readonly #ready = new Set<FanoutSubscription>();
  #pumping = false;
  #unshared = 0;

  constructor(options: FanoutOptions = {}) {
    this.limits = { ...DEFAULT_FANOUT_LIMITS, ...options.limits };
    this.#contextKey = options.contextKey ?? (() => null);
    this.maskError = options.maskError ?? yogaMaskError;
  }

  /**
   * A subscription operation: runs its subscribe resolver (the subscriber's own stream) and
   * returns it, to be attached to a connection; or the result with the errors that refused it.
   */
  async subscribe(args: ExecutionArgs): Promise<ExecutionResult | FanoutSubscription> {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source as ExecutionResult;
    const key = this.#groupKey(args);
    let group = this.#groups.get(key);
    if (!group) this.#groups.set(key, (group = new Group(key, args, this.maskError)));
    group.members++;
    const sub = new FanoutSubscription(this, group);
    sub.listen(source);
    return sub;
  }

  wake(sub: FanoutSubscription): void {
    this.#ready.add(sub);
    if (this.#pumping) return;
    this.#pumping = true;
    setImmediate(() => void this.#pump());
  }

  leave(sub: FanoutSubscription): void {
    this.#ready.delete(sub);
    const g = sub.group;
    if (--g.members === 0 && this.#groups.get(g.key) === g) this.#groups.delete(g.key);
  }

  /** Round robin over the subscribers with something to hand, yielding to the event loop every slice. */
  async #pump(): Promise<void> {
    try {
      let sliceStart = performance.now();
      while (this.#ready.size > 0) {
        for (const sub of this.#ready) {
          this.#ready.delete(sub);
          let more = false;
          try {
            more = await sub.step(TURN_EVENTS);
          } catch (err) {
            sub.abort(asGraphQLError(err));
          }
          if (more) this.#ready.add(sub);
          if (performance.now() - sliceStart >= SLICE_MS) {
            await new Promise((r) => setImmediate(r));
            sliceStart = performance.now();
          }
        }
      }
    } finally {
      this.#pumping = false;
      if (this.#ready.size > 0) this.wake(this.#ready.values().next().value!);
    }
  }

  #groupKey(args: ExecutionArgs): string {
    const context = this.#contextKey(args.contextValue);
    if (context === null) return `unshared:${++this.#unshared}`;
    return [context, args.operationName ?? "", stableJson(args.variableValues ?? {}), documentText(args.document)].join("\0");
  }
}

const printed = new WeakMap<DocumentNode, string>();

function documentText(doc: DocumentNode): string {
  let s = printed.get(doc);
  if (s === undefined) printed.set(doc, (s = print(doc)));
  return s;
}

function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return typeof (v as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === "function";
}
