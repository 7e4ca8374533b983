// The HTTP side of `wiresight serve`: one Bun.serve with
//   /           the map (src/web/, served by map-page.ts: the wiring, live and in the past); also
//               at /map, where it stays when a web UI (below) has /
//   /graphql    GraphQL over HTTP (GET/POST) and SSE subscriptions (graphql-yoga), graphql-ws over
//               a websocket upgrade on the same path, GraphiQL for browsers (playground.ts; its
//               offline assets under /graphql/assets/)
//   /json       Ghostwire's discovery document, /mobyshark its capture targets
//   /healthz    discovery health (200 / 503)
//   /capture    live pcapng of one namespace, as a chunked body or binary websocket messages;
//               wiresight's target= form or Packetflix's container=/netns= form (packetflix.ts)
//   /version    Packetflix's name and version; /discover/… is the same as /… (Packetflix's path)
//   /mobydig    Ghostwire's neighbourhood check of a Docker container, over a websocket
//   anything else: a web UI's files, when one is given (ui: the Ghostwire UI, docs/ghostwire.md)
// Everything reads the live topology; nothing here discovers. With a token every request needs
// `Authorization: Bearer T`, except the map's and GraphiQL's pages (static, they hold no data; the
// map asks for the token, the user puts the header in GraphiQL's header editor) and /healthz's
// bare verdict (probes carry no token).

import type { Server, ServerWebSocket } from "bun";
import { statSync } from "node:fs";
import type { GraphQLSchema } from "graphql";
import { createYoga, type Plugin, type YogaInitialContext } from "graphql-yoga";
import pkg from "../../package.json" with { type: "json" };
import { toGhostwireDiscovery, toMobysharkTargets } from "../api/ghostwire-v1.ts";
import type { SchemaContext } from "../schema/context.ts";
import type { LiveTopology } from "../watch/live.ts";
import { TokenCheck, unauthorized } from "./auth.ts";
import { CaptureRequestError, startCapture } from "./capture-request.ts";
import { captureResponse, captureSocket, type CaptureSocketState } from "./capture-stream.ts";
import { Fanout, type FanoutLimits } from "./fanout.ts";
import { useFanout } from "./fanout-plugin.ts";
import { graphqlWsHandler, handleProtocols, type GraphqlSocketState } from "./graphql-ws.ts";
import { maskError } from "./error-mask.ts";
import { healthResponse } from "./health.ts";
import { MobydigChecks, MobydigRequestError, mobydigTarget, type MobydigSocketState } from "./mobydig.ts";
import { DEFAULT_LISTEN, parseListen, urlHost } from "./listen.ts";
import { isMapPath, MAP_PATH, respondMapPage } from "./map-page.ts";
import { packetflixVersion, requestedCapture } from "./packetflix.ts";
import { ASSETS_PATH, Playground } from "./playground.ts";
import { useQueryCache } from "./query-cache.ts";
import { RequestGuard } from "./request-guard.ts";
import { StaticUi } from "./static-ui.ts";
import { closableResponse, OpenStreams } from "./streams.ts";

export const GRAPHQL_PATH = "/graphql";
const DISCOVER_PREFIX = "/discover/";

/** Builds the per-operation context; `baseUrl` is the running server's own URL. */
export type ContextFactory<C> = (info: { request: Request; baseUrl: string }) => C | Promise<C>;

export interface ServerOptions<C extends object = SchemaContext> {
  schema: GraphQLSchema;
  /** envelop plugins (the schema's depth and cost limits), applied to HTTP and websocket operations alike. */
  plugins?: Plugin<any>[];
  /** The resolvers' context: one object (its empty `baseUrl`, if any, becomes the server's URL) or a factory. */
  context: C | ContextFactory<C>;
  /** For /json, /mobyshark, /healthz and /capture. */
  live: LiveTopology;
  /** "host:port"; default 127.0.0.1:5000; port 0 picks a free one. */
  listen?: string;
  /** Bearer token every request must carry. */
  token?: string;
  /** Origins whose web pages may call the server (CORS); none by default. See request-guard.ts. */
  cors?: readonly string[];
  /** Host names besides the listen address, localhost and IP addresses that clients may use. */
  allowHosts?: readonly string[];
  /** Captures running at once; more get 503. Default DEFAULT_MAX_CAPTURES. */
  maxCaptures?: number;
  /** Awaited by stop() after the last connection is closed (the watcher finishes its recording). */
  onShutdown?: () => Promise<void> | void;
  /** How long stop() lets in-flight requests finish before cutting them, ms. Default 5000. */
  shutdownGraceMs?: number;
  /** graphql-yoga's logging (unexpected resolver errors are logged, masked for clients). Default true. */
  logging?: boolean;
  /** How far a subscriber may fall behind before its subscription ends (docs/graphql.md); defaults in fanout.ts. */
  subscriberLimits?: Partial<FanoutLimits>;
  /** A web UI build to serve on the same origin (its index.html for "/" and its client-side routes). */
  ui?: StaticUi;
}

export interface RunningServer {
  /** e.g. "http://127.0.0.1:5000" (no trailing slash). */
  url: string;
  port: number;
  hostname: string;
  /** Stop accepting, end websockets, SSE streams and captures, then await onShutdown. Idempotent. */
  stop(): Promise<void>;
}

type SocketState = GraphqlSocketState | CaptureSocketState | MobydigSocketState;

// Bun closes an HTTP connection idle this long. SSE sends a keep-alive comment every 12 s, so a
// quiet subscription stays open; captures (quiet for as long as the wire is) disable it per request.
const HTTP_IDLE_TIMEOUT_S = 60;
// Websockets: pinged shortly before this (sendPings), so a quiet but live client stays connected.
const WS_IDLE_TIMEOUT_S = 60;
const MAX_BODY_BYTES = 1024 * 1024;
/** Each capture holds a packet socket per interface and a queue: a few at once is what people watch. */
export const DEFAULT_MAX_CAPTURES = 16;

function textError(status: number, message: string, headers?: HeadersInit): Response {
  return Response.json({ errors: [{ message }] }, { status, headers });
}

/** A browser navigating to the page (whatever the query string holds: GraphiQL reads it). */
function wantsGraphiQL(req: Request): boolean {
  return (req.method === "GET" || req.method === "HEAD") && (req.headers.get("accept") ?? "").includes("text/html");
}

export async function startServer<C extends object = SchemaContext>(options: ServerOptions<C>): Promise<RunningServer> {
  const { hostname, port } = parseListen(options.listen ?? DEFAULT_LISTEN);
  const token = options.token === undefined ? undefined : new TokenCheck(options.token);
  const guard = new RequestGuard({ listenHost: hostname, allowHosts: options.allowHosts, corsOrigins: options.cors, graphqlPath: GRAPHQL_PATH });
  const streams = new OpenStreams();
  const sockets = new Set<ServerWebSocket<SocketState>>();
  let baseUrl = "";

  const contextOption = options.context;
  const buildContext = async (request: Request): Promise<C> => {
    if (typeof contextOption === "function") return (contextOption as ContextFactory<C>)({ request, baseUrl });
    if ("baseUrl" in contextOption && (contextOption as { baseUrl: unknown }).baseUrl === "") return { ...contextOption, baseUrl };
    return contextOption;
  };

  // One context object serves every operation alike (authorization is all or nothing), so
  // subscribers and queries asking the same thing share executions; a context factory may make
  // a different context per request, and then nothing is shared.
  const sharedContext = typeof contextOption !== "function";
  const fanout = new Fanout({ limits: options.subscriberLimits, contextKey: () => (sharedContext ? "" : null), maskError });
  const yoga = createYoga({
    schema: options.schema,
    plugins: [...(options.plugins ?? []), useFanout(fanout), ...(sharedContext ? [useQueryCache(options.live)] : [])],
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    // CORS is request-guard.ts's, for every path alike (yoga's default echoes any origin).
    cors: false,
    logging: options.logging ?? true,
    // A full disk or a locked database reaches the client with a code, not as "Unexpected error.".
    maskedErrors: { maskError },
    context: (initial: YogaInitialContext) => buildContext(initial.request),
    // The playground is served by playground.ts (compressed, cacheable, with the docs' tabs).
    graphiql: false,
  });
  const playground = new Playground({ endpoint: GRAPHQL_PATH, title: "wiresight" });
  const wsGraphql = graphqlWsHandler(yoga, token, fanout);
  const mobydig = new MobydigChecks(options.live);

  const authorized = (req: Request) => !token || token.matches(req.headers.get("authorization"));
  const isUpgrade = (req: Request) => (req.headers.get("upgrade") ?? "").toLowerCase() === "websocket";

  async function handleGraphql(req: Request, server: Server<SocketState>): Promise<Response | undefined> {
    if (isUpgrade(req)) {
      const protocol = handleProtocols(req.headers.get("sec-websocket-protocol") ?? "");
      if (!protocol) return textError(400, "websocket subprotocol must be graphql-transport-ws (graphql-ws)");
      // Browsers cannot set headers on a websocket: without one, connectionParams must carry the token.
      const header = req.headers.get("authorization");
      if (token && header !== null && !token.matches(header)) return unauthorized();
      const data: GraphqlSocketState = { kind: "graphql", request: req, authorized: header !== null };
      if (server.upgrade(req, { data, headers: { "Sec-WebSocket-Protocol": protocol } })) return undefined;
      return textError(400, "websocket upgrade failed");
    }
    // The page is static and holds no data: it needs no token (the user sets the header in GraphiQL).
    if (wantsGraphiQL(req)) return playground.respondPage(req);
    if (!authorized(req)) return unauthorized();
    const response = await yoga.fetch(req);
    if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) return closableResponse(response, streams);
    return response;
  }

  const maxCaptures = options.maxCaptures ?? DEFAULT_MAX_CAPTURES;
  let capturesRunning = 0;
  // Our own namespace: a capture of it leaves our port out (capture-request.ts).
  const ownNetns = statSync("/proc/thread-self/ns/net");

  function handleCapture(req: Request, server: Server<SocketState>): Response | undefined {
    if (req.method !== "GET") return textError(405, "capture takes GET", { Allow: "GET" });
    if (!authorized(req)) return unauthorized();
    if (capturesRunning >= maxCaptures) {
      return textError(503, `${capturesRunning} captures are running, the most this server allows (serve --max-captures ${maxCaptures}); try again when one ends`, { "Retry-After": "5" });
    }
    let started;
    try {
      const self = { netns: { inode: ownNetns.ino, dev: ownNetns.dev }, port: boundPort };
      const { topology } = options.live.current();
      started = startCapture(topology, requestedCapture(new URL(req.url), req.headers, topology), undefined, self);
    } catch (e) {
      if (e instanceof CaptureRequestError) return textError(e.status, e.message);
      throw e;
    }
    capturesRunning++;
    void started.capture.ended.finally(() => capturesRunning--);
    if (isUpgrade(req)) {
      const data: CaptureSocketState = { kind: "capture", started, closed: false };
      if (server.upgrade(req, { data })) return undefined;
      started.capture.stop("consumer closed");
      return textError(400, "websocket upgrade failed");
    }
    server.timeout(req, 0); // the wire may be quiet for minutes; the capture is still wanted
    return captureResponse(started, req, streams);
  }

  function handleMobydig(req: Request, server: Server<SocketState>): Response | undefined {
    if (req.method !== "GET") return textError(405, "mobydig takes GET", { Allow: "GET" });
    if (!authorized(req)) return unauthorized();
    let target: string;
    try {
      target = mobydigTarget(new URL(req.url).searchParams);
    } catch (e) {
      if (e instanceof MobydigRequestError) return textError(400, e.message);
      throw e;
    }
    if (!isUpgrade(req)) return textError(400, "mobydig streams its results over a websocket: connect with ws://…/mobydig?target=CONTAINER");
    const data: MobydigSocketState = { kind: "mobydig", target, closed: false };
    if (server.upgrade(req, { data })) return undefined;
    return textError(400, "websocket upgrade failed");
  }

  function handleGet(req: Request, produce: () => unknown): Response {
    if (req.method !== "GET" && req.method !== "HEAD") return textError(405, "GET only", { Allow: "GET, HEAD" });
    if (!authorized(req)) return unauthorized();
    return Response.json(produce(), { headers: { "Cache-Control": "no-store" } });
  }

  const notFound = (path: string) => textError(404, `no such path ${path}; try / (the map), ${GRAPHQL_PATH}, /json, /mobyshark, /healthz, /capture or /mobydig`);

  /**
   * Pages and their files, static and holding no data like GraphiQL's page (no token): `/map` is
   * always the map; a web UI given with --ui comes first for everything else (its `/` too); then
   * the map at `/` and its hashed script and stylesheet.
   */
  async function pageOrNotFound(req: Request, path: string): Promise<Response> {
    if (path === MAP_PATH) return mapFile(req, "/");
    const page = await options.ui?.respond(req, path);
    if (page) return page;
    return isMapPath(path) ? mapFile(req, path) : notFound(path);
  }

  async function mapFile(req: Request, path: string): Promise<Response> {
    if (req.method !== "GET" && req.method !== "HEAD") return textError(405, "GET only", { Allow: "GET, HEAD" });
    return (await respondMapPage(req, path)) ?? notFound(path);
  }

  const version = { creatorVersion: pkg.version };
  function route(req: Request, server: Server<SocketState>, path: string): Response | undefined | Promise<Response | undefined> {
    switch (path) {
      case GRAPHQL_PATH:
        return handleGraphql(req, server);
      case "/capture":
        return handleCapture(req, server);
      case "/mobydig":
        return handleMobydig(req, server);
      case "/json":
        return handleGet(req, () => toGhostwireDiscovery(options.live.current().topology, version));
      case "/mobyshark":
        return handleGet(req, () => toMobysharkTargets(options.live.current().topology, version));
      case "/version":
        return handleGet(req, () => packetflixVersion());
      case "/healthz":
        if (req.method !== "GET" && req.method !== "HEAD") return textError(405, "GET only", { Allow: "GET, HEAD" });
        return healthResponse(options.live.status(), Boolean(token) && authorized(req));
      default:
        // The playground's stylesheet and script: static, holding no data, like the page.
        if (path.startsWith(ASSETS_PATH)) {
          if (req.method !== "GET" && req.method !== "HEAD") return textError(405, "GET only", { Allow: "GET, HEAD" });
          const asset = playground.respondAsset(req, path);
          if (asset) return asset;
        }
        return pageOrNotFound(req, path);
    }
  }

  const server: Server<SocketState> = Bun.serve<SocketState>({
    hostname,
    port,
    idleTimeout: HTTP_IDLE_TIMEOUT_S,
    maxRequestBodySize: MAX_BODY_BYTES,
    async fetch(req, server) {
      let path = new URL(req.url, "http://host.invalid").pathname;
      // Packetflix serves the discovery API under /discover/ as well; Edgeshark's Wireshark plugin asks there.
      if (path.startsWith(DISCOVER_PREFIX)) path = path.slice(DISCOVER_PREFIX.length - 1);
      const refused = guard.check(req, path);
      if (refused) return guard.decorate(req, refused);
      const response = await route(req, server, path);
      return response && guard.decorate(req, response);
    },
    error(e) {
      console.error(`wiresight serve: ${e.stack ?? e.message}`);
      return textError(500, "internal server error");
    },
    websocket: {
      idleTimeout: WS_IDLE_TIMEOUT_S,
      sendPings: true,
      open(ws) {
        sockets.add(ws);
        if (ws.data.kind === "capture") captureSocket.open(ws as ServerWebSocket<CaptureSocketState>, streams);
        else if (ws.data.kind === "mobydig") mobydig.open(ws as ServerWebSocket<MobydigSocketState>);
        else wsGraphql.open?.(ws as ServerWebSocket<any>);
      },
      message(ws, message) {
        // Capture and mobydig sockets only send; what a client says on them is ignored.
        if (ws.data.kind === "graphql") return wsGraphql.message(ws as ServerWebSocket<any>, message);
      },
      drain(ws) {
        if (ws.data.kind === "capture") captureSocket.drain(ws as ServerWebSocket<CaptureSocketState>);
        else wsGraphql.drain(ws as ServerWebSocket<GraphqlSocketState>);
      },
      close(ws, code, reason) {
        sockets.delete(ws);
        if (ws.data.kind === "capture") captureSocket.close(ws as ServerWebSocket<CaptureSocketState>);
        else if (ws.data.kind === "mobydig") mobydig.close(ws as ServerWebSocket<MobydigSocketState>);
        else return wsGraphql.close?.(ws as ServerWebSocket<any>, code, reason);
      },
    },
  });

  const boundPort = server.port ?? port;
  baseUrl = `http://${urlHost(hostname, boundPort)}`;
  const grace = options.shutdownGraceMs ?? 5000;
  let stopping: Promise<void> | undefined;

  const stop = () =>
    (stopping ??= (async () => {
      const drained = server.stop(false); // no new connections; resolves when the last one closed
      streams.closeAll(); // SSE subscriptions and HTTP captures end cleanly
      for (const ws of sockets) ws.close(1001, "server shutting down");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = await Promise.race([drained.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), grace)))]);
      clearTimeout(timer);
      if (late) await server.stop(true);
      await yoga.dispose();
      await options.onShutdown?.();
    })());

  return { url: baseUrl, port: boundPort, hostname, stop };
}
