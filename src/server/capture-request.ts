// A capture asked for over HTTP or a websocket: `/capture?target=…&nif=…&filter=…&promisc=…`,
// resolved on the live topology (no rediscovery) and started before any byte is sent, so a bad
// target, interface or filter is an HTTP error with the reason rather than a broken stream.

import { hostname } from "node:os";
import pkg from "../../package.json" with { type: "json" };
import { Capture } from "../capture/engine.ts";
import { aliveCheck, describeNamespace, nodeIdTarget, openNamespace, resolveTarget, selectInterfaces, TargetError } from "../capture/target.ts";
import { closeQuietly, FilterSyntaxError, isSyscallError, LibpcapMissingError } from "../ffi/index.ts";
import type { NetworkNamespace, Topology } from "../model/topology.ts";

/** The request cannot become a capture; `status` is the HTTP status to answer with. */
export class CaptureRequestError extends Error {
  override name = "CaptureRequestError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface CaptureParams {
  target: string;
  interfaces: string[];
  filter?: string;
  promiscuous: boolean;
  /** Appended to the section header's first comment (Packetflix's capture target document). */
  targetInfo?: string;
}

const KNOWN = new Set(["target", "nif", "filter", "promisc"]);

function flag(name: string, value: string | null, fallback: boolean): boolean {
  if (value === null) return fallback;
  const v = value.toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new CaptureRequestError(`${name} takes true or false, not '${value}'`, 400);
}

export function parseCaptureParams(search: URLSearchParams): CaptureParams {
  for (const k of search.keys()) {
    if (!KNOWN.has(k)) throw new CaptureRequestError(`unknown parameter '${k}' (capture takes target, nif, filter, promisc)`, 400);
  }
  const targets = search.getAll("target");
  if (targets.length !== 1 || targets[0]!.trim() === "") {
    throw new CaptureRequestError("capture needs exactly one target= (a namespace inode, key, bind-mount path, 'ip netns' name, or a GraphQL node id)", 400);
  }
  const interfaces = search.getAll("nif").flatMap((n) => n.split(",")).map((n) => n.trim()).filter((n) => n !== "");
  const filters = search.getAll("filter");
  if (filters.length > 1) throw new CaptureRequestError("give at most one filter=", 400);
  const filter = filters[0]?.trim() || undefined;
  return { target: targets[0]!.trim(), interfaces, filter, promiscuous: flag("promisc", search.get("promisc"), true) };
}

export interface StartedCapture {
  capture: Capture;
  /** What it captures, for logs and the file name. */
  description: string;
  /** A file name for Content-Disposition. */
  fileName: string;
}

/** The serving process itself: its network namespace and its port, whose traffic a capture of that namespace must leave out. */
export interface ServerSelf {
  netns: { inode: number; dev: number };
  port: number;
}

/**
 * A capture of the server's own namespace would capture its own stream: every packet sent to the
 * client is captured and sent again (hundreds of MB a second). Its TCP port is left out by a
 * filter; without libpcap (no filters at all) the capture says so in its comments.
 */
function withoutServer(ns: NetworkNamespace, params: CaptureParams, self: ServerSelf | undefined): { filter?: string; note?: string } {
  if (!self || ns.inode !== self.netns.inode || ns.dev !== self.netns.dev) return { filter: params.filter };
  const exclusion = `not (tcp port ${self.port})`;
  return {
    filter: params.filter ? `(${params.filter}) and ${exclusion}` : exclusion,
    note: `wiresight serve runs in this namespace: its own connections (tcp port ${self.port}) are left out`,
  };
}

/** Resolve and start; every failure is a CaptureRequestError with the status to answer. */
export function startCapture(topology: Topology, params: CaptureParams, version = pkg.version, self?: ServerSelf): StartedCapture {
  let ns;
  let interfaces;
  try {
    ns = resolveTarget(topology, params.target);
    // An interface's id means that interface, unless interfaces are named explicitly.
    const byId = params.interfaces.length === 0 ? nodeIdTarget(topology, params.target) : null;
    const names = byId?.iface && byId.ns === ns ? [byId.iface.name] : params.interfaces;
    interfaces = selectInterfaces(ns, names);
  } catch (e) {
    if (e instanceof TargetError) throw new CaptureRequestError(e.message, 404);
    throw e;
  }
  let nsFd: number;
  try {
    nsFd = openNamespace(ns);
  } catch (e) {
    if (e instanceof TargetError) throw new CaptureRequestError(e.message, 410);
    throw e;
  }
  const own = withoutServer(ns, params, self);
  const start = (filter: string | undefined, note: string | undefined) =>
    Capture.start({
      netnsFd: nsFd,
      interfaces: interfaces.map((i) => ({ index: i.index, name: i.name, arphrd: i.linkType })),
      filter,
      promiscuous: params.promiscuous,
      isAlive: aliveCheck(ns),
      comments: [
        `wiresight capture of ${describeNamespace(ns)}, key ${ns.key}${params.filter ? `, filter: ${params.filter}` : ""}${params.targetInfo ? `\n${params.targetInfo}` : ""}`,
        `host ${topology.host.hostname || hostname()}, boot id ${topology.host.bootId}`,
        ...(note ? [note] : []),
      ],
      os: `Linux ${topology.host.kernelRelease}`,
      userAppl: `wiresight ${version}`,
    });
  try {
    let capture: Capture;
    try {
      capture = start(own.filter, own.note);
    } catch (e) {
      // No libpcap, no filter of the client's: capture everything, and say what is in it.
      if (!(e instanceof LibpcapMissingError) || params.filter || !own.note) throw e;
      capture = start(undefined, `warning: wiresight serve runs in this namespace and libpcap is missing, so its own connections (tcp port ${self!.port}) are in this capture`);
    }
    const safe = (ns.displayName || String(ns.inode)).replace(/[^\w.-]+/g, "_");
    return {
      capture,
      description: `${interfaces.map((i) => i.name).join(", ")} of ${describeNamespace(ns)}${params.filter ? ` (filter: ${params.filter})` : ""}`,
      fileName: `${safe}.pcapng`,
    };
  } catch (e) {
    if (e instanceof FilterSyntaxError) throw new CaptureRequestError(params.filter ? `invalid capture filter ${JSON.stringify(params.filter)}: ${e.reason}` : e.message, 400);
    if (e instanceof LibpcapMissingError) throw new CaptureRequestError(e.message, 501);
    // A socket that would not open is our failure; the rest (no interfaces, an unsupported link
    // type) is about what was asked for.
    throw new CaptureRequestError(`cannot start the capture: ${(e as Error).message}`, isSyscallError(e) ? 500 : 422);
  } finally {
    closeQuietly(nsFd); // the sockets hold the namespace from now on
  }
}
