// What a web page in the user's browser may do to the server: nothing, unless allowed. A default
// `serve` listens on loopback without a token, and a browser reaches loopback from any page, so
// every request passes these checks before it is routed (as trusted local services do):
//
// - Host: the listen address, `localhost`, an IP address, or a name given with --allow-host.
//   DNS rebinding points an attacker's name at 127.0.0.1; the browser then sends that name as
//   Host, and it is refused. An IP address as Host cannot be rebound (the browser's origin is
//   then that address), so one is always accepted: a server on 0.0.0.0 is reached by the host's
//   addresses.
// - Origin: a request that carries one (browsers send it on cross-origin fetches, every POST and
//   every websocket) must come from this server's own origin or one given with --cors. Browsers
//   do not apply CORS to websockets, so without this any page could open /graphql or /capture
//   over a websocket and read everything.
// - Fetch metadata: a cross-site request without an Origin (an <img> or <script> GET) is refused,
//   except a top-level navigation (a link to GraphiQL), whose answer only the user sees.
// - POST /graphql takes application/json only: forms (urlencoded, multipart) and text/plain are
//   what a page can send cross-origin without a preflight.
// - CORS headers only for origins given with --cors (never credentials: the token travels in an
//   Authorization header, which a preflight allows); no page may frame our pages.

import { isIP } from "node:net";

/** A --cors or --allow-host value that cannot be used; the message says why. */
export class GuardConfigError extends Error {
  override name = "GuardConfigError";
}

export interface GuardOptions {
  /** The hostname serve listens on, as Bun.serve takes it. */
  listenHost: string;
  /** --allow-host values: names or addresses a client may reach the server by; "*" turns the Host check off. */
  allowHosts?: readonly string[];
  /** --cors values: origins whose pages may call the server; "*" lets any page. */
  corsOrigins?: readonly string[];
  /** Where POST bodies must be JSON. */
  graphqlPath: string;
}

const WILDCARD_LISTEN = new Set(["0.0.0.0", "::", ""]);
/** Methods and headers a preflight may allow (what GraphQL clients, graphql-sse and captures send). */
const ALLOW_METHODS = "GET, POST, OPTIONS";
const PREFLIGHT_MAX_AGE_S = "600";

function refuse(status: number, message: string, headers?: HeadersInit): Response {
  return Response.json({ errors: [{ message }] }, { status, headers });
}

/** "example.com" from "example.com:5000", "::1" from "[::1]:5000"; lower case, no trailing dot. */
function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  const bracket = /^\[([^\]]+)\](?::\d*)?$/.exec(h);
  const name = bracket ? bracket[1]! : h.replace(/:\d*$/, "");
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** The media type of a Content-Type header, without parameters, lower case. */
function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** An --allow-host value, normalised: a host name, an IP address, or "*". */
export function parseAllowHost(text: string): string {
  const t = text.trim().toLowerCase();
  if (t === "*") return t;
  const name = hostnameOf(t);
  if (isIP(name) || /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/.test(name)) return name;
  throw new GuardConfigError(`'${text}' is not a host name or IP address (give the name clients put in the URL, e.g. wiresight.example.com)`);
}

/** A --cors value, normalised to an origin ("http://localhost:3000"), or "*". */
export function parseCorsOrigin(text: string): string {
  const t = text.trim();
  if (t === "*") return t;
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    throw new GuardConfigError(`'${text}' is not an origin: give scheme, host and port, e.g. http://localhost:3000`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new GuardConfigError(`'${text}': an origin is http:// or https://`);
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || url.username || url.password) {
    throw new GuardConfigError(`'${text}' is not an origin: give only scheme, host and port (${url.origin}), no path`);
  }
  return url.origin;
}

export class RequestGuard {
  readonly #listenHost: string;
  readonly #anyHost: boolean;
  readonly #hosts: Set<string>;
  readonly #anyOrigin: boolean;
  readonly #origins: Set<string>;
  readonly #graphqlPath: string;

  constructor(o: GuardOptions) {
    const allow = (o.allowHosts ?? []).map(parseAllowHost);
    const cors = (o.corsOrigins ?? []).map(parseCorsOrigin);
    this.#listenHost = o.listenHost.toLowerCase();
    this.#anyHost = allow.includes("*");
    this.#hosts = new Set(allow);
    this.#anyOrigin = cors.includes("*");
    this.#origins = new Set(cors);
    this.#graphqlPath = o.graphqlPath;
  }

  #hostAllowed(name: string): boolean {
    if (this.#anyHost || name === "localhost" || isIP(name) !== 0 || this.#hosts.has(name)) return true;
    return !WILDCARD_LISTEN.has(this.#listenHost) && name === this.#listenHost;
  }

  /** Same origin as the request's Host, or named with --cors. */
  #originAllowed(origin: string, host: string): boolean {
    if (this.#anyOrigin || this.#origins.has(origin)) return true;
    try {
      return new URL(origin).host === host.toLowerCase();
    } catch {
      return false; // "null" (sandboxed frames, file: pages) and garbage
    }
  }

  /**
   * A refusal for a request that may not go on, else null. `path` is the request's path; OPTIONS
   * is answered here (the preflight, or the methods there are).
   */
  check(req: Request, path: string): Response | null {
    const host = req.headers.get("host");
    if (host === null || host.trim() === "") return refuse(400, "the request has no Host header");
    const name = hostnameOf(host);
    if (!this.#hostAllowed(name)) {
      return refuse(403, `Host '${name}' is not one of this server's names (a DNS rebinding page would send one like it); if clients reach it by that name, start serve with --allow-host ${name}`);
    }
    const origin = req.headers.get("origin");
    if (origin !== null && !this.#originAllowed(origin, host)) {
      return refuse(403, `requests from the web page at ${origin} are refused; to let pages of that origin call this server, start serve with --cors ${origin}`);
    }
    if (origin === null) {
      const site = req.headers.get("sec-fetch-site");
      const navigation = req.headers.get("sec-fetch-mode") === "navigate" && req.method === "GET";
      if ((site === "cross-site" || site === "same-site") && !navigation) {
        return refuse(403, "a cross-site request from a web page is refused (it sent no Origin); start serve with --cors ORIGIN to allow a page");
      }
    }
    if (req.method === "OPTIONS") {
      const headers: Record<string, string> = { Allow: ALLOW_METHODS };
      if (origin !== null && req.headers.get("access-control-request-method") !== null) {
        Object.assign(headers, this.#corsHeaders(origin), {
          "Access-Control-Allow-Methods": ALLOW_METHODS,
          "Access-Control-Allow-Headers": req.headers.get("access-control-request-headers") ?? "",
          "Access-Control-Max-Age": PREFLIGHT_MAX_AGE_S,
        });
      }
      return new Response(null, { status: 204, headers });
    }
    if (req.method === "POST" && path === this.#graphqlPath) {
      const type = mediaType(req.headers.get("content-type"));
      if (type !== "application/json") {
        return refuse(415, `POST ${path} takes Content-Type application/json, not ${type === "" ? "nothing" : type} (forms and text a web page can send are refused); e.g. curl -H 'content-type: application/json' -d '{"query":"{ revision }"}'`);
      }
    }
    return null;
  }

  #corsHeaders(origin: string): Record<string, string> {
    if (this.#anyOrigin) return { "Access-Control-Allow-Origin": "*" };
    return this.#origins.has(origin) ? { "Access-Control-Allow-Origin": origin, Vary: "Origin" } : {};
  }

  /** `response` with the CORS headers its request's origin gets, and framing forbidden. */
  decorate(req: Request, response: Response): Response {
    const origin = req.headers.get("origin");
    const headers: Record<string, string> = {
      ...(origin !== null ? this.#corsHeaders(origin) : {}),
      "X-Frame-Options": "DENY",
      "Content-Security-Policy": "frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
    };
    try {
      for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
      return response;
    } catch {
      // Immutable headers (a redirect): the same response with a fresh header list.
      const copy = new Headers(response.headers);
      for (const [k, v] of Object.entries(headers)) copy.set(k, v);
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers: copy });
    }
  }
}
