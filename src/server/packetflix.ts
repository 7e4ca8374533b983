// Edgeshark's capture requests (siemens/packetflix api.md, captureparams.go), so that Edgeshark's
// Wireshark plugin and the Ghostwire UI's capture buttons work against wiresight unchanged:
//
//   /capture?container=<JSON>&nif=eth0/eth1&filter=<expr>&chaste
//   /capture?netns=<inode>&nif=…
//
// `container` is a capture target as Ghostwire's /mobyshark lists it (name, type, netns, pid,
// starttime, prefix, network-interfaces); the UI's links carry {netns, network-interfaces, name,
// type, prefix}. It is resolved the way Packetflix resolves it, on the live topology: the netns
// inode, unless pid + starttime show the reference is stale (that process no longer runs), in
// which case — or when there is no netns — the target is looked up by name and prefix among our
// own /mobyshark targets. `nif` lists interfaces separated by '/' ("any" for all of them; the
// container's list when absent); `chaste` (present or not) keeps promiscuous mode off. Like
// Packetflix, Clustershark-Container/-Nif/-Filter/-Chaste headers stand in for the query
// parameters and win over them (a proxy may drop the query of a websocket request).
//
// Everything here is checked before anything is opened: a bad request is an HTTP error with the
// reason, never a stream that breaks (Packetflix answers such requests by closing the websocket).

import { hostname } from "node:os";
import pkg from "../../package.json" with { type: "json" };
import { toMobysharkTargets, type GwCaptureTarget } from "../api/ghostwire-v1.ts";
import { describeNamespace } from "../capture/target.ts";
import type { NetworkNamespace, Topology } from "../model/topology.ts";
import { CaptureRequestError, parseCaptureParams, type CaptureParams } from "./capture-request.ts";

/** What a Packetflix client asked for, checked for shape but not yet resolved. */
export interface PacketflixRequest {
  container: PacketflixContainer;
  /** From nif=; null when absent or "any". */
  interfaces: string[] | null;
  filter?: string;
  chaste: boolean;
}

/** The fields of Packetflix's capture target (csharg api.Target) that resolution uses. */
export interface PacketflixContainer {
  netns: number;
  pid: number;
  starttime: number;
  name: string;
  type: string;
  prefix: string;
  nodeName: string;
  interfaces: string[] | null;
}

const PARAMS = ["container", "netns", "nif", "filter", "chaste"];
const HEADERS: Record<string, string> = {
  container: "clustershark-container",
  nif: "clustershark-nif",
  filter: "clustershark-filter",
  chaste: "clustershark-chaste",
};
// Limits far above anything real, so that hostile input is refused before any work.
const MAX_CONTAINER_JSON = 64 * 1024;
const MAX_TEXT = 4096; // a name (a bind-mount path at most PATH_MAX), a type, a prefix
const MAX_FILTER = 16 * 1024;
const MAX_INTERFACES = 4096;
const MAX_IFNAME = 15; // IFNAMSIZ - 1
const MAX_INODE = 0xffffffff; // nsfs inode numbers are 32-bit
const MAX_PID = 4194304; // PID_MAX_LIMIT on 64-bit
// Packetflix's "all interfaces" word; csharg sends "all" when it knows no interface names.
const ALL_INTERFACES = new Set(["any", "all"]);
const TARGET_MARKER = "---\n# capture target information\n";

function bad(message: string): never {
  throw new CaptureRequestError(message, 400);
}

/** Whether the request uses Packetflix's form (container=, netns= or chaste, as parameters or headers). */
export function isPacketflixRequest(search: URLSearchParams, headers: Headers): boolean {
  return ["container", "netns", "chaste"].some((k) => search.has(k)) || Object.values(HEADERS).some((h) => headers.has(h));
}

/** One parameter, the header of the same meaning winning over it; null when neither is there. */
function param(search: URLSearchParams, headers: Headers, name: string): string | null {
  const header = HEADERS[name] ? headers.get(HEADERS[name]) : null;
  if (header !== null) return header;
  const all = search.getAll(name);
  if (all.length > 1) bad(`give ${name}= at most once`);
  return all[0] ?? null;
}

function wholeNumber(field: string, v: unknown, max: number): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
    bad(`container.${field} must be a whole number from 0 to ${max}, not ${JSON.stringify(v) ?? String(v)}`);
  }
  return v;
}

function text(field: string, v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") bad(`container.${field} must be a string, not ${JSON.stringify(v)}`);
  if (v.length > MAX_TEXT) bad(`container.${field} is longer than ${MAX_TEXT} characters`);
  return v;
}

function interfaceNames(what: string, names: unknown[]): string[] {
  if (names.length > MAX_INTERFACES) bad(`${what} names more than ${MAX_INTERFACES} interfaces`);
  return names.map((n) => {
    if (typeof n !== "string" || n === "" || n.length > MAX_IFNAME || n.includes("/")) {
      bad(`${what}: ${JSON.stringify(n)} is not an interface name (1 to ${MAX_IFNAME} characters, no '/')`);
    }
    return n;
  });
}

/** container= as Packetflix reads it (json.Unmarshal into api.Target): every field optional, wrong types refused. */
function parseContainer(json: string): PacketflixContainer {
  if (json.length > MAX_CONTAINER_JSON) bad(`container= is longer than ${MAX_CONTAINER_JSON} characters`);
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (e) {
    bad(`container= is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad("container= must be a JSON object (a capture target as /mobyshark lists them)");
  const o = v as Record<string, unknown>;
  const nifs = o["network-interfaces"];
  if (nifs !== undefined && nifs !== null && !Array.isArray(nifs)) bad("container.network-interfaces must be an array of interface names");
  return {
    netns: wholeNumber("netns", o.netns, MAX_INODE),
    pid: wholeNumber("pid", o.pid, MAX_PID),
    starttime: wholeNumber("starttime", o.starttime, Number.MAX_SAFE_INTEGER),
    name: text("name", o.name),
    type: text("type", o.type),
    prefix: text("prefix", o.prefix),
    nodeName: text("node-name", o["node-name"]),
    interfaces: Array.isArray(nifs) ? interfaceNames("container.network-interfaces", nifs) : null,
  };
}

/** Check a Packetflix request's parameters and headers (no topology needed). */
export function parsePacketflixRequest(search: URLSearchParams, headers: Headers): PacketflixRequest {
  for (const k of search.keys()) {
    if (k === "target") bad("give either target= (wiresight's form) or container=/netns= (Packetflix's form), not both");
    if (!PARAMS.includes(k)) bad(`unknown parameter '${k}' (a Packetflix capture takes container or netns, nif, filter, chaste)`);
  }
  const container = param(search, headers, "container");
  const netns = search.getAll("netns");
  if (container !== null && netns.length > 0) bad("container and netns are mutually exclusive");
  let target: PacketflixContainer;
  if (container !== null) {
    target = parseContainer(container);
    if (target.netns === 0 && target.name === "") bad("container= names no target: give its netns, or its name (and prefix)");
  } else {
    if (netns.length === 0) bad("a Packetflix capture needs container= (a capture target as JSON) or netns= (a namespace inode)");
    if (netns.length > 1) bad("give netns= at most once");
    const inode = /^\d{1,10}$/.test(netns[0] ?? "") ? Number(netns[0]) : NaN;
    if (!(inode > 0 && inode <= MAX_INODE)) bad(`invalid netns '${(netns[0] ?? "").slice(0, 40)}': a network namespace inode is a whole number from 1 to ${MAX_INODE}`);
    target = { netns: inode, pid: 0, starttime: 0, name: "", type: "", prefix: "", nodeName: "", interfaces: null };
  }
  const nif = param(search, headers, "nif");
  let interfaces: string[] | null = null;
  if (nif !== null && nif !== "" && !ALL_INTERFACES.has(nif)) interfaces = interfaceNames("nif=", nif.split("/"));
  const filter = param(search, headers, "filter");
  if (filter !== null && filter.length > MAX_FILTER) bad(`filter= is longer than ${MAX_FILTER} characters`);
  return { container: target, interfaces, filter: filter?.trim() || undefined, chaste: param(search, headers, "chaste") !== null };
}

function byInode(topology: Topology, inode: number): NetworkNamespace | undefined {
  return topology.namespaces.find((ns) => ns.inode === inode);
}

type Target = GwCaptureTarget & { prefix?: string }; // prefix: Ghostwire writes it; older shapes of ours may not

/**
 * The namespace a Packetflix container names, in Packetflix's order: the netns inode when pid and
 * starttime do not show it stale, else the /mobyshark target of that name and prefix. Returns
 * the /mobyshark target it matched, if any, for the name and type to report.
 */
function resolveContainer(topology: Topology, c: PacketflixContainer): { ns: NetworkNamespace; target?: Target } {
  const targets: Target[] = toMobysharkTargets(topology, { creatorVersion: pkg.version }).containers;
  let stale = false;
  if (c.pid > 0 && c.starttime > 0) {
    stale = !topology.processes.some((p) => p.pid === c.pid && p.startTime === c.starttime);
  }
  if (c.netns > 0 && !stale) {
    const ns = byInode(topology, c.netns);
    if (ns) {
      const target = targets.find((t) => t.netns === ns.inode && t.name === c.name) ?? targets.find((t) => t.netns === ns.inode);
      return { ns, target };
    }
  }
  const why = stale ? `process ${c.pid} (start time ${c.starttime}) no longer runs` : c.netns > 0 ? `no network namespace net:[${c.netns}]` : "";
  if (c.name === "") throw new CaptureRequestError(`cannot capture: ${why}, and the request names no container to look up`, 404);
  let matches = targets.filter((t) => t.name === c.name && (t.prefix ?? "") === c.prefix);
  if (c.type !== "" && new Set(matches.map((t) => t.netns)).size > 1) matches = matches.filter((t) => t.type === c.type);
  const inodes = [...new Set(matches.map((t) => t.netns))];
  const label = `${c.prefix ? `${c.prefix}:` : ""}${c.name}`;
  if (inodes.length === 0) throw new CaptureRequestError(`no capture target named '${label}'${why ? ` (and ${why})` : ""}; /mobyshark lists them`, 404);
  if (inodes.length > 1) {
    throw new CaptureRequestError(`capture target '${label}' is ambiguous: it runs in network namespaces ${inodes.map((i) => `net:[${i}]`).join(", ")}; give its netns`, 409);
  }
  const ns = byInode(topology, inodes[0]!);
  if (!ns) throw new CaptureRequestError(`capture target '${label}' has no network namespace`, 404);
  return { ns, target: matches[0] };
}

/** A YAML scalar: plain when that reads back as the same string, else double-quoted (JSON's quoting is valid YAML). */
function yamlString(s: string): string {
  const plain = /^[A-Za-z_/][\w./@-]*$/.test(s) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

/**
 * The capture target document Packetflix puts in the section header's first comment (and its
 * clients replace with their own): what was captured, from which node, with which settings.
 */
function targetInfoYaml(info: { name: string; type: string; nodeName: string; filter?: string; chaste: boolean }): string {
  let y = `${TARGET_MARKER}container-name: ${yamlString(info.name)}\ncontainer-type: ${yamlString(info.type)}\nnode-name: ${yamlString(info.nodeName)}\n`;
  if (info.filter) y += `capture-filter: ${yamlString(info.filter)}\n`;
  if (info.chaste) y += "no-promiscuous-mode: true\n";
  return y;
}

/** A Packetflix request resolved on the topology, as the parameters of our own capture. */
function packetflixCaptureParams(topology: Topology, req: PacketflixRequest): CaptureParams {
  const { ns, target } = resolveContainer(topology, req.container);
  const c = req.container;
  return {
    target: ns.key,
    interfaces: req.interfaces ?? c.interfaces ?? [],
    filter: req.filter,
    promiscuous: !req.chaste,
    targetInfo: targetInfoYaml({
      name: c.name || target?.name || describeNamespace(ns),
      type: c.type || target?.type || "",
      nodeName: c.nodeName || topology.host.hostname || hostname(),
      filter: req.filter,
      chaste: req.chaste,
    }),
  };
}

/** The capture a /capture request asks for, in either form: wiresight's target= or Packetflix's. */
export function requestedCapture(url: URL, headers: Headers, topology: Topology): CaptureParams {
  if (!isPacketflixRequest(url.searchParams, headers)) return parseCaptureParams(url.searchParams);
  return packetflixCaptureParams(topology, parsePacketflixRequest(url.searchParams, headers));
}

/** Packetflix's GET /version. */
export function packetflixVersion(version = pkg.version): { name: string; version: string } {
  return { name: "wiresight", version };
}
