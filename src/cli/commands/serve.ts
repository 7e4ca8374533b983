// `wiresight serve`: arguments, help, and running the service (src/server/service.ts composes
// store, watcher, alerts, schema and server) until SIGTERM/SIGINT.

import { readFileSync } from "node:fs";
import { DEFAULT_LISTEN, ListenError, parseListen, type ListenAddress } from "../../server/listen.ts";
import { DEFAULT_MAX_CAPTURES } from "../../server/server.ts";
import { GuardConfigError, parseAllowHost, parseCorsOrigin } from "../../server/request-guard.ts";
import { startService } from "../../server/service.ts";
import { installSignalHandlers } from "../../server/signals.ts";
import { StaticUi, StaticUiError } from "../../server/static-ui.ts";
import { parseCommandArgs } from "../args.ts";
import { DB_PATH_HELP, defaultDbPath } from "../db-path.ts";
import { parseDuration } from "../time-spec.ts";
import { UsageError } from "../usage-error.ts";
import { defaultWorkers } from "../../discovery/workers/pool.ts";
import { parseWorkers } from "./topology-source.ts";

export const TOKEN_ENV = "WIRESIGHT_TOKEN";
// What sends no kernel event (sockets, processes, container names) is at most this old.
export const DEFAULT_FULL_PASS = "30s";

export const SERVE_HELP = `Usage: wiresight serve [options]

Watch every network namespace, record each change in the history database, and serve it:
  /            the map: every namespace and its wiring, live, at a past moment or as a diff of
               two, with details, capture and whereis (bundled in the binary, works offline)
  /graphql     GraphQL over HTTP, subscriptions over SSE or a websocket (graphql-ws), and the
               GraphiQL playground in a browser (works offline)
  /json        Ghostwire-compatible discovery, /mobyshark its capture targets
  /capture     live pcapng of a namespace: ?target=…&nif=…&filter=…&promisc=false
               e.g. curl -sN 'http://127.0.0.1:5000/capture?target=web' | wireshark -k -i -
               or Packetflix's ?container=<JSON>&nif=a/b&filter=…&chaste, as Edgeshark's
               Wireshark plugin asks (docs/capture.md); /version and /discover/… as Packetflix
  /healthz     200 while discovery works, 503 when it fails or stalls
  /mobydig     Ghostwire's neighbourhood check of a Docker container, over a websocket

Options:
      --listen HOST:PORT   where to listen (default ${DEFAULT_LISTEN}; loopback unless told otherwise;
                           [::1]:5000 for IPv6, 0.0.0.0:5000 for every address)
      --token T            require 'Authorization: Bearer T' on every request and websocket
                           (websocket clients that cannot set headers send it in connectionParams)
      --token-file PATH    read the token from PATH (keeps it out of the process list); or set
                           $${TOKEN_ENV}
      --cors ORIGIN        let web pages of ORIGIN (e.g. http://localhost:3000) call the server
                           (repeatable; '*' for any page). Default: no page of another origin
      --allow-host HOST    also answer requests for HOST (repeatable): the listen address,
                           localhost and IP addresses always work; other names are refused, which
                           stops DNS rebinding. '*' turns the check off (behind a proxy that checks)
      --db PATH            the history database (created if missing)
      --full-pass DURATION the slow full rediscovery that catches what sends no kernel event
                           (sockets, processes, containers); default ${DEFAULT_FULL_PASS}
      --rules FILE         load alert rules from FILE (JSON) at start
      --max-captures N     captures running at once over /capture (default ${DEFAULT_MAX_CAPTURES}); more
                           are answered 503 until one ends
      --keep AGE           drop recordings older than AGE (30d, 12h…)
      --workers N          threads that read namespaces (default: one per core, here ${defaultWorkers()});
                           requests are answered on a thread of their own
      --external-url URL   how alert receivers reach this server, for the links in alerts
                           (generatorURL, externalURL); default http://LISTEN
      --ui DIR             serve a web UI build from DIR on the same origin, e.g. the Ghostwire
                           web UI: its pages, /json, /mobydig and capture links then just work
                           (it takes /; the map stays at /map)
  -q, --quiet              print nothing but errors
  -h, --help               show this help

Without a token, /healthz answers only its verdict; with one, the map's and GraphiQL's pages (which
hold no data; the map asks for the token) and /healthz's verdict stay open, everything else needs
the token.
Web pages: a request from a page of another origin (a fetch, a form, a websocket) is refused
unless --cors names that origin, and POST /graphql takes application/json only, so a page you
visit cannot read or drive the server, token or not.
SIGTERM or SIGINT stops gracefully (the recording in progress is finished); a second one exits.

${DB_PATH_HELP}
`;

export interface ServeArgs {
  help: boolean;
  /** As given (or the default), for messages. */
  listenText: string;
  listen: ListenAddress;
  db: string;
  token: string | undefined;
  /** --cors origins and --allow-host names, normalised. */
  cors: string[];
  allowHosts: string[];
  maxCaptures: number;
  fullPassEveryMs: number;
  rulesFile: string | null;
  /** Retention: drop recordings older than this (null: keep all). */
  keepMs: number | null;
  /** Reader Workers: the threads that read namespaces (this one only serves). */
  workers: number;
  /** The server's URL as alert receivers see it (null: its own listen URL). */
  externalUrl: string | null;
  /** A web UI build to serve (--ui), checked to be one. */
  ui: StaticUi | null;
  quiet: boolean;
  /** Things worth saying before starting (e.g. listening beyond loopback without a token). */
  warnings: string[];
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127\./.test(hostname);
}

export function parseServeArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): ServeArgs {
  const { values } = parseCommandArgs("serve", argv, {
    listen: { type: "string" },
    token: { type: "string" },
    "token-file": { type: "string" },
    cors: { type: "string", multiple: true },
    "allow-host": { type: "string", multiple: true },
    "max-captures": { type: "string" },
    db: { type: "string" },
    "full-pass": { type: "string" },
    rules: { type: "string" },
    keep: { type: "string" },
    workers: { type: "string" },
    "external-url": { type: "string" },
    ui: { type: "string" },
    quiet: { type: "boolean", short: "q" },
    help: { type: "boolean", short: "h" },
  });
  const listenText = values.listen ?? DEFAULT_LISTEN;
  let listen: ListenAddress;
  try {
    listen = parseListen(listenText);
  } catch (e) {
    if (e instanceof ListenError) throw new UsageError(`--listen: ${e.message}`);
    throw e;
  }

  if (values.token !== undefined && values["token-file"] !== undefined) throw new UsageError("give --token or --token-file, not both");
  let token: string | undefined;
  let tokenFrom = "";
  if (values.token !== undefined) [token, tokenFrom] = [values.token, "--token"];
  else if (values["token-file"] !== undefined) {
    const path = values["token-file"];
    try {
      token = readFile(path).replace(/\r?\n$/, "");
    } catch (e) {
      throw new UsageError(`--token-file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    tokenFrom = `--token-file ${path}`;
  } else if (env[TOKEN_ENV] !== undefined) [token, tokenFrom] = [env[TOKEN_ENV], `$${TOKEN_ENV}`];
  if (token !== undefined) {
    if (token === "") throw new UsageError(`${tokenFrom}: the token is empty`);
    if (/\s/.test(token)) throw new UsageError(`${tokenFrom}: the token must not contain white space (it travels in an Authorization header)`);
  }

  const guardValues = (option: string, values: string[] | undefined, parse: (v: string) => string) =>
    (values ?? []).map((v) => {
      try {
        return parse(v);
      } catch (e) {
        if (e instanceof GuardConfigError) throw new UsageError(`${option}: ${e.message}`);
        throw e;
      }
    });
  const cors = guardValues("--cors", values.cors, parseCorsOrigin);
  const allowHosts = guardValues("--allow-host", values["allow-host"], parseAllowHost);

  const maxText = values["max-captures"];
  const maxCaptures = maxText === undefined ? DEFAULT_MAX_CAPTURES : Number(maxText);
  if (!/^\d{1,5}$/.test(maxText ?? "0") || maxCaptures > 10_000) {
    throw new UsageError(`--max-captures takes a whole number from 0 (no captures) to 10000, not '${maxText}'`);
  }

  const warnings: string[] = [];
  if (!isLoopback(listen.hostname) && token === undefined) {
    warnings.push(`listening on ${listenText} without a token: whoever reaches it sees every namespace, socket and process of this host, and can capture its packets (give --token)`);
  }
  if (cors.includes("*") && token === undefined) {
    warnings.push("--cors '*' without a token: any web page you visit can read this host's topology and capture its packets (give --token, or name the origins)");
  }
  if (allowHosts.includes("*")) warnings.push("--allow-host '*': the Host header is not checked, so DNS rebinding pages can reach the server (put a proxy that checks it in front)");

  return {
    help: Boolean(values.help),
    listenText,
    listen,
    db: values.db ?? defaultDbPath(env),
    token,
    cors,
    allowHosts,
    maxCaptures,
    fullPassEveryMs: parseDuration(values["full-pass"] ?? DEFAULT_FULL_PASS, "--full-pass"),
    rulesFile: values.rules ?? null,
    keepMs: values.keep === undefined ? null : parseDuration(values.keep, "--keep"),
    workers: parseWorkers(values.workers),
    externalUrl: values["external-url"] === undefined ? null : externalUrl(values["external-url"]),
    ui: values.ui === undefined ? null : staticUi(values.ui),
    quiet: Boolean(values.quiet),
    warnings,
  };
}

function externalUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--external-url: '${text}' is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--external-url: '${text}' is not an http(s) URL`);
  return url.toString().replace(/\/+$/, "");
}

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (args.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const say = (line: string) => {
    if (!args.quiet) process.stderr.write(`${line}\n`);
  };
  for (const w of args.warnings) process.stderr.write(`wiresight serve: warning: ${w}\n`);
  const service = await startService({
    db: args.db,
    listen: args.listenText,
    token: args.token,
    cors: args.cors,
    allowHosts: args.allowHosts,
    maxCaptures: args.maxCaptures,
    fullPassEveryMs: args.fullPassEveryMs,
    rulesFile: args.rulesFile,
    keepMs: args.keepMs,
    watcher: { workers: args.workers },
    externalUrl: args.externalUrl ?? undefined,
    ui: args.ui ?? undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const { topology, revision } = service.watcher.current();
  say(
    `wiresight serve: ${topology.namespaces.length} namespaces watched, revision ${revision} in ${args.db}\n` +
      `wiresight serve: listening on ${service.server.url} (map: ${service.server.url}${args.ui ? "/map" : "/"}, GraphiQL: ${service.server.url}/graphql${args.ui ? `; web UI from ${args.ui.root}: ${service.server.url}/` : ""})`,
  );
  return new Promise<number>((resolve) => {
    installSignalHandlers(service.server, (signal, error) => {
      if (error) process.stderr.write(`wiresight serve: shutdown: ${(error as Error).message ?? String(error)}\n`);
      else say(`wiresight serve: stopped (${signal})`);
      resolve(error ? 1 : 0);
    });
  });
}

function staticUi(dir: string): StaticUi {
  try {
    return new StaticUi(dir);
  } catch (e) {
    if (e instanceof StaticUiError) throw new UsageError(`--ui: ${e.message}`);
    throw e;
  }
}
