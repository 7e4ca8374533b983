// A minimal Docker Engine API client over a unix socket (Podman's compatible API too): GET only,
// JSON only, one time limit per call covering connect, headers and body. Every failure becomes
// an EngineApiError that says which socket and path and what went wrong, so a slow, dead or
// garbled engine turns into one readable warning.

export class EngineApiError extends Error {
  override name = "EngineApiError";
}

export interface Ping {
  apiVersion: string | null;
  server: string | null;
}

export const DEFAULT_CALL_TIMEOUT_MS = 2000;

/** A response body larger than this is not an engine answer we want to parse. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

async function get(socket: string, path: string, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(`http://localhost${path}`, { unix: socket, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new EngineApiError(describe(err, socket, path, timeoutMs));
  }
}

async function readBody(res: Response, socket: string, path: string, timeoutMs: number): Promise<string> {
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new EngineApiError(describe(err, socket, path, timeoutMs));
  }
  if (text.length > MAX_BODY_BYTES) throw new EngineApiError(`${socket} GET ${path}: answer too large (${text.length} bytes)`);
  return text;
}

function describe(err: unknown, socket: string, path: string, timeoutMs: number): string {
  const e = err as Error;
  const why = e?.name === "TimeoutError" || e?.name === "AbortError" ? `no answer within ${timeoutMs} ms` : (e?.message ?? String(err));
  return `${socket} GET ${path}: ${why}`;
}

/** `GET /_ping`: the engine answers "OK" with its API version and server name in headers. */
export async function ping(socket: string, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<Ping> {
  const res = await get(socket, "/_ping", timeoutMs);
  const body = await readBody(res, socket, "/_ping", timeoutMs);
  if (res.status !== 200 || body.trim() !== "OK")
    throw new EngineApiError(`${socket} GET /_ping: not a Docker-compatible API (HTTP ${res.status}, ${JSON.stringify(body.slice(0, 60))})`);
  return { apiVersion: res.headers.get("api-version"), server: res.headers.get("server") };
}

/** `GET path` parsed as JSON; an HTTP error or a body that is not JSON is an EngineApiError. */
export async function getJson(socket: string, path: string, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<unknown> {
  const res = await get(socket, path, timeoutMs);
  const body = await readBody(res, socket, path, timeoutMs);
  if (res.status !== 200) throw new EngineApiError(`${socket} GET ${path}: HTTP ${res.status} ${body.slice(0, 200).trim()}`);
  try {
    return JSON.parse(body);
  } catch {
    throw new EngineApiError(`${socket} GET ${path}: answer is not JSON (${JSON.stringify(body.slice(0, 60))})`);
  }
}
