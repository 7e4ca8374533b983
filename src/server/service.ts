// `wiresight serve` composed: the history database, the watcher that keeps the topology current
// and records each change, the alert engine that follows its revisions, the GraphQL schema over
// all three, and the HTTP server. Started in that order and stopped in reverse, so the server
// stops taking requests first, the watcher finishes the recording in progress, and the database
// closes last.

import { AlertEngine } from "../alerts/index.ts";
import { buildSchema, schemaLimits } from "../schema/index.ts";
import { Store } from "../store/index.ts";
import { Watcher, type WatcherOptions } from "../watch/watcher.ts";
import { startServer, type RunningServer } from "./server.ts";
import type { StaticUi } from "./static-ui.ts";

export interface ServiceOptions {
  db: string;
  /** "host:port" (port 0 picks a free one). */
  listen: string;
  token?: string;
  /** --cors origins and --allow-host names (src/server/request-guard.ts). */
  cors?: readonly string[];
  allowHosts?: readonly string[];
  /** Captures running at once (--max-captures). */
  maxCaptures?: number;
  fullPassEveryMs: number;
  rulesFile?: string | null;
  /** Retention: recordings older than this are dropped (checked at most once a minute). */
  keepMs?: number | null;
  /** Warnings of the alert engine (webhooks failing…) and of retention. */
  log?: (line: string) => void;
  /** Finer watcher settings (benchmarks and tests). */
  watcher?: Partial<Omit<WatcherOptions, "store">>;
  /** graphql-yoga's own logging of unexpected resolver errors (default true). */
  logging?: boolean;
  /** The server's URL as alert receivers reach it (default: the URL it listens on). */
  externalUrl?: string;
  /** A web UI build served on the same origin (serve --ui). */
  ui?: StaticUi;
}

export interface RunningService {
  server: RunningServer;
  watcher: Watcher;
  alerts: AlertEngine;
  store: Store;
  /** Stops everything, in order; idempotent. */
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;

export async function startService(o: ServiceOptions): Promise<RunningService> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const store = Store.open(o.db);
  let watcher: Watcher | null = null;
  let alerts: AlertEngine | null = null;
  let unsubscribePrune = () => {};
  let closed = false;
  const closeBackend = async () => {
    if (closed) return;
    closed = true;
    unsubscribePrune();
    await alerts?.close();
    await watcher?.stop();
    store.close();
  };
  try {
    watcher = await Watcher.start({ ...o.watcher, store, fullPassEveryMs: o.fullPassEveryMs });
    // The server starts after the alerts (it serves them): its URL is known only then.
    let serverUrl = "";
    alerts = AlertEngine.open({ store, live: watcher, rulesFile: o.rulesFile ?? undefined, warn: log, externalUrl: () => o.externalUrl ?? serverUrl });
    if (o.keepMs != null) unsubscribePrune = pruneAfterRevisions(store, watcher, o.keepMs, log);
    const server = await startServer({
      schema: buildSchema(),
      plugins: schemaLimits(),
      context: { live: watcher, store, alerts, baseUrl: "" },
      live: watcher,
      listen: o.listen,
      token: o.token,
      cors: o.cors,
      allowHosts: o.allowHosts,
      maxCaptures: o.maxCaptures,
      logging: o.logging,
      ui: o.ui,
      onShutdown: closeBackend,
    });
    serverUrl = server.url;
    return { server, watcher, alerts, store, stop: () => server.stop() };
  } catch (err) {
    await closeBackend();
    throw err;
  }
}

/** Drops recordings older than keepMs after new revisions, at most once per PRUNE_EVERY_MS. */
function pruneAfterRevisions(store: Store, watcher: Watcher, keepMs: number, log: (line: string) => void): () => void {
  let last = 0;
  const prune = () => {
    const now = Date.now();
    if (now - last < PRUNE_EVERY_MS) return;
    last = now;
    try {
      store.prune({ maxAgeMs: keepMs }, now);
    } catch (err) {
      log(`wiresight serve: pruning old recordings failed: ${(err as Error).message}`);
    }
  };
  prune();
  return watcher.subscribe(prune);
}
