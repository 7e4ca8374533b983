// Identical queries against one live topology are executed and serialised once. A dashboard
// polled by 200 browsers asks the same document 200 times between two changes; the first request
// executes it, the others (those arriving while it runs included) get its JSON text.
//
// What a result depends on is observed, not declared: the query runs with a context that lets it
// read the live topology (`live.current()`) and notes anything else it touches (the history, the
// alert rules, the watcher's status, any other object of the context). Only a query that read
// nothing but the live topology, and saw the very topology object that was current when it
// arrived, is kept, and only for as long as that object is current: the watcher makes a new one
// on every pass, so the next pass ends the entry even when nothing was recorded. Results with
// errors, mutations and subscriptions are never kept. Over HTTP only (yoga's `onParams`);
// operations on a websocket are executed each time.

import { getOperationAST, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { LiveTopology } from "../watch/live.ts";
import { stableJson } from "./stable-json.ts";

export interface QueryCacheLimits {
  /** Results kept at most. */
  entries: number;
  /** JSON characters kept at most, over all results. */
  chars: number;
}

const DEFAULT_LIMITS: QueryCacheLimits = { entries: 32, chars: 16 * 1024 * 1024 };

interface Entry {
  topology: object;
  text: string;
}

/** The first request of a key executes; the others of the same key and topology wait for it. */
interface Flight {
  key: string;
  topology: object;
  /** Still true when execution read nothing but the live topology. */
  cacheable: boolean;
  /** The topology execution read (null: none). */
  used: object | null;
  entry: Entry | null;
  done: Promise<Entry | null>;
  finish: (entry: Entry | null) => void;
}

/** A result whose JSON is already written: yoga's result processors call `stringify` for it. */
function answer(entry: Entry): ExecutionResult {
  return { stringify: () => entry.text } as ExecutionResult;
}

export function useQueryCache(live: LiveTopology, limits: Partial<QueryCacheLimits> = {}): Plugin {
  const max = { ...DEFAULT_LIMITS, ...limits };
  const entries = new Map<string, Entry>();
  let chars = 0;
  const flights = new Map<string, Flight>();
  const leaders = new WeakMap<Request, Flight>();

  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    chars -= e.text.length;
  };
  const keep = (key: string, entry: Entry) => {
    drop(key);
    if (entry.text.length > max.chars) return;
    const current = live.current().topology;
    for (const [k, e] of entries) if (e.topology !== current) drop(k);
    entries.set(key, entry);
    chars += entry.text.length;
    for (const k of entries.keys()) {
      if (entries.size <= max.entries && chars <= max.chars) break;
      drop(k);
    }
  };
  const land = (request: Request) => {
    const f = leaders.get(request);
    if (!f) return;
    leaders.delete(request);
    if (flights.get(f.key) === f) flights.delete(f.key);
    f.finish(f.entry);
  };

  /** The context as execution sees it: reading anything but the live topology makes the result uncacheable. */
  const observed = (context: object, f: Flight): object => {
    const current = () => {
      const c = live.current();
      if (f.used === null) f.used = c.topology;
      else if (f.used !== c.topology) f.cacheable = false;
      return c;
    };
    const observedLive = new Proxy(live, {
      get(target, prop) {
        if (prop === "current") return current;
        f.cacheable = false;
        const v = Reflect.get(target, prop, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    return new Proxy(context, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (v === live) return observedLive;
        if (v !== null && (typeof v === "object" || typeof v === "function")) f.cacheable = false;
        return v;
      },
    });
  };

  return {
    onParams({ params, request, setResult }) {
      if (typeof params.query !== "string") return;
      const key = [params.operationName ?? "", stableJson(params.variables ?? {}), stableJson(params.extensions ?? {}), params.query].join("\0");
      const topology = live.current().topology;
      const hit = entries.get(key);
      if (hit?.topology === topology) {
        entries.delete(key); // most recently used last
        entries.set(key, hit);
        return setResult(answer(hit));
      }
      const flight = flights.get(key);
      if (flight?.topology === topology) {
        return flight.done.then((e) => {
          if (e && e.topology === live.current().topology) setResult(answer(e));
        });
      }
      let finish!: (e: Entry | null) => void;
      const done = new Promise<Entry | null>((r) => (finish = r));
      const f: Flight = { key, topology, cacheable: true, used: null, entry: null, done, finish };
      flights.set(key, f);
      leaders.set(request, f);
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const f = leaders.get((args.contextValue as { request?: Request } | undefined)?.request as Request);
      if (!f) return;
      if (getOperationAST(args.document, args.operationName)?.operation !== "query") {
        f.cacheable = false;
        return;
      }
      setExecuteFn((a) => executeFn({ ...a, contextValue: observed(a.contextValue as object, f) }));
      return {
        onExecuteDone({ result, setResult }) {
          const r = result as ExecutionResult;
          if (!f.cacheable || (f.used !== null && f.used !== f.topology) || Symbol.asyncIterator in r || r.errors?.length || r.extensions) return;
          f.entry = { topology: f.topology, text: JSON.stringify(r) };
          keep(f.key, f.entry);
          setResult(answer(f.entry));
        },
      };
    },
    // Whatever happened to the leader (a result, an error before execution), its waiters go on.
    onExecutionResult({ request }) {
      land(request);
    },
    onResponse({ request }) {
      land(request);
    },
  };
}
