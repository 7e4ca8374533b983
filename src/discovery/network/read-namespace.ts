// Reading one namespace: enter it for socket() only (route, sock_diag, netfilter, and for a
// watcher meeting it the first time an event socket, all in one switch), then dump links,
// addresses, routes, sockets and nf_tables rules over those sockets, and ask ethtool about
// physical interfaces. Synchronous and self-contained, so it runs on whichever thread asks — the
// caller's in a one-shot discovery, a reader Worker's in `serve` and parallel dumps.
//
// How the namespace is reached (NamespaceTarget): a path that opens it (procfs link, bind mount,
// fd of another process), opened for the switch and closed right after, or a socket we already
// hold inside it (SIOCGSKNS gives a fresh namespace fd): so no fd on a namespace file outlives
// the read, and none ever pins a bind mount or counts, for another wiresight, as a holder of a
// namespace that was deleted.

import { NetlinkSocket, closeQuietly, openFile, socketNetnsFd, threadNetnsInode } from "../../ffi/index.ts";
import { netnsKey, type NetnsKey } from "../../model/keys.ts";
import type { Warning } from "../../model/topology.ts";
import { NETLINK_NETFILTER, NETLINK_ROUTE, NETLINK_SOCK_DIAG, type NftRule } from "../../netlink/index.ts";
import { collectNftRules, collectNftSets } from "../forwarded-ports/collect-nftables.ts";
import type { NftSetWithElements } from "../forwarded-ports/rule-graph.ts";
import type { NetnsCandidate } from "../procfs/namespaces.ts";
import { joinChangeGroups } from "./change-events.ts";
import { collectNamespace, openNamespaceSockets, type RawNamespace } from "./collect-namespace.ts";
import { readDriverInfo } from "./driver-info.ts";
import { classify, type DriverInfo } from "./interfaces.ts";

export type NamespaceTarget =
  /** A path that opens the namespace (its candidate's openPath). */
  | { kind: "path"; path: string }
  /** A socket that lives in the namespace: a watcher's event socket. */
  | { kind: "socket"; fd: number };

export interface ReadOptions {
  listeningOnly?: boolean;
  /** Keep the NETLINK_ROUTE socket open (for NSID queries later); the caller closes it. */
  keepRouteSocket?: boolean;
  /** Also open an event socket in the namespace, joined to the change groups; the caller owns it. */
  eventSocket?: boolean;
  /**
   * Links, addresses and routes only — what kernel events announce — not sockets nor nf_tables
   * rules (the caller keeps those of a full read). Their dumps are most of a read's cost, and the
   * TCP one grows with the whole host's sockets, so a change costs what it is about.
   */
  networkOnly?: boolean;
}

/** One namespace as read over netlink. Plain data but for the sockets asked to be kept. */
export interface CollectedNamespace {
  candidate: NetnsCandidate;
  raw: RawNamespace;
  key: NetnsKey;
  /** nf_tables rules, read for forwarded ports. */
  rules: NftRule[];
  /** The sets (with elements) of the tables whose rules need them: kube-proxy's. */
  sets: NftSetWithElements[];
  /** ethtool driver information of its physical interfaces, by ifindex. */
  drivers: Map<number, DriverInfo | null>;
  /** What reading its links, addresses and routes warned about, in order. */
  warnings: Warning[];
  /** What reading its sockets and nf_tables rules warned about. */
  restWarnings: Warning[];
  /** Sockets and rules were not read (networkOnly): they are those of an earlier read. */
  partial?: true;
  routeSocket?: NetlinkSocket;
  eventSocket?: NetlinkSocket;
}

// This thread's namespace: the one it always switches back to, so read once.
let ownInode = -1;
function ownNetnsInode(): number {
  if (ownInode < 0) ownInode = threadNetnsInode();
  return ownInode;
}

/**
 * Reads one namespace. Never throws: a namespace that cannot be read is null, with a warning.
 * `target` undefined: the candidate's openPath.
 */
export function readNamespace(
  candidate: NetnsCandidate,
  bootId: string,
  options: ReadOptions = {},
  target: NamespaceTarget = { kind: "path", path: candidate.openPath },
): { namespace: CollectedNamespace | null; warnings: Warning[] } {
  const warnings: Warning[] = [];
  const warn = (subject: string, message: string) => warnings.push({ subject, message });
  const subject = `net:[${candidate.inode}]`;
  // The namespace this thread sits in needs no switch (and no privilege).
  const here = candidate.inode === ownNetnsInode();
  let nsFd: number | undefined;
  if (!here) {
    try {
      nsFd = target.kind === "path" ? openFile(target.path) : socketNetnsFd(target.fd);
    } catch (err) {
      const via = target.kind === "path" ? target.path : `its socket (fd ${target.fd})`;
      warn(subject, `skipped: cannot open ${via}: ${(err as Error).message}`);
      return { namespace: null, warnings };
    }
  }
  let sockets: (NetlinkSocket | Error)[] = [];
  const kept = new Set<NetlinkSocket>();
  try {
    const full = !options.networkOnly;
    const protocols = full ? [NETLINK_ROUTE, NETLINK_SOCK_DIAG, NETLINK_NETFILTER] : [NETLINK_ROUTE];
    if (options.eventSocket) protocols.push(NETLINK_ROUTE);
    // One switch into the namespace for all of them.
    sockets = openNamespaceSockets(nsFd, protocols);
    const route = sockets[0]!;
    const [diag, nft] = full ? [sockets[1]!, sockets[2]!] : [new Error("not asked"), new Error("not asked")];
    const events = options.eventSocket ? sockets.at(-1) : undefined;
    if (route instanceof Error) throw route;
    const raw = collectNamespace({ route, diag }, { listeningOnly: options.listeningOnly, sockets: full });
    const restWarnings: Warning[] = [];
    const warnRest = (s: string, m: string) => restWarnings.push({ subject: s, message: m });
    for (const what of raw.interrupted) (/sockets$/.test(what) ? warnRest : warn)(subject, `${what} dump kept being interrupted; result may be incomplete`);
    if (raw.socketsError !== null) warnRest(subject, `sockets not read: ${raw.socketsError}`);
    const key = netnsKey(bootId, raw.cookie);
    const drivers = driverInfo(nsFd, raw, key, warn);
    const { rules, sets } = full ? readRules(nft, key, warnRest) : { rules: [], sets: [] };
    const namespace: CollectedNamespace = { candidate, raw, key, rules, sets, drivers, warnings, restWarnings };
    if (!full) namespace.partial = true;
    if (options.eventSocket) {
      if (events instanceof Error || events === undefined) throw events ?? new Error("no event socket");
      joinChangeGroups(events);
      namespace.eventSocket = events;
      kept.add(events);
    }
    if (options.keepRouteSocket) {
      route.releaseBuffer(); // idle until the NSID queries: its buffer serves the next namespace's sockets
      namespace.routeSocket = route;
      kept.add(route);
    }
    return { namespace, warnings: [...warnings, ...restWarnings] };
  } catch (err) {
    warn(subject, `skipped: ${(err as Error).message}`);
    for (const s of kept) s.close();
    kept.clear();
    return { namespace: null, warnings };
  } finally {
    closeQuietly(nsFd ?? -1);
    for (const s of sockets) if (!(s instanceof Error) && !kept.has(s)) s.close();
  }
}

/** ethtool driver names, asked only where a physical interface exists (most namespaces have none). */
function driverInfo(nsFd: number | undefined, raw: RawNamespace, key: NetnsKey, warn: (s: string, m: string) => void): Map<number, DriverInfo | null> {
  const physical = raw.links.filter((l) => classify(l) === "physical");
  if (physical.length === 0) return new Map();
  try {
    return readDriverInfo(nsFd, physical);
  } catch (err) {
    warn(key, `driver information unavailable: ${(err as Error).message}`);
    return new Map();
  }
}

/**
 * The namespace's nf_tables rules, and the sets of kube-proxy's tables; an error (no
 * CAP_NET_ADMIN over it, say) costs the namespace its forwarded ports only, with a warning.
 */
function readRules(sock: NetlinkSocket | Error, key: NetnsKey, warn: (s: string, m: string) => void): { rules: NftRule[]; sets: NftSetWithElements[] } {
  let rules: NftRule[];
  try {
    const r = collectNftRules(sock);
    if (r.interrupted) warn(key, "nf_tables rule dump kept being interrupted; forwarded ports may be incomplete");
    rules = r.rules;
  } catch (err) {
    warn(key, `forwarded ports not read: ${(err as Error).message}`);
    return { rules: [], sets: [] };
  }
  const tables = new Map<string, { family: number; table: string }>();
  for (const r of rules) if (r.table === KUBE_PROXY_TABLE) tables.set(`${r.family}|${r.table}`, { family: r.family, table: r.table });
  if (tables.size === 0 || sock instanceof Error) return { rules, sets: [] };
  try {
    const s = collectNftSets(sock, [...tables.values()]);
    if (s.interrupted) warn(key, "nf_tables set dump kept being interrupted; kube-proxy services may be incomplete");
    return { rules, sets: s.sets };
  } catch (err) {
    warn(key, `kube-proxy's maps not read, its services are incomplete: ${(err as Error).message}`);
    return { rules, sets: [] };
  }
}

/** kube-proxy's nftables-mode table, whose maps name the services. */
const KUBE_PROXY_TABLE = "kube-proxy";
