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
import { collectNftRules } from "../forwarded-ports/collect-nftables.ts";
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
}

/** One namespace as read over netlink. Plain data but for the sockets asked to be kept. */
export interface CollectedNamespace {
  candidate: NetnsCandidate;
  raw: RawNamespace;
  key: NetnsKey;
  /** nf_tables rules, read for forwarded ports. */
  rules: NftRule[];
  /** ethtool driver information of its physical interfaces, by ifindex. */
  drivers: Map<number, DriverInfo | null>;
  /** What reading it warned about, in order. */
  warnings: Warning[];
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
    const protocols = [NETLINK_ROUTE, NETLINK_SOCK_DIAG, NETLINK_NETFILTER];
    if (options.eventSocket) protocols.push(NETLINK_ROUTE);
    // One switch into the namespace for all of them.
    sockets = openNamespaceSockets(nsFd, protocols);
    const [route, diag, nft, events] = sockets as [NetlinkSocket | Error, NetlinkSocket | Error, NetlinkSocket | Error, (NetlinkSocket | Error)?];
    if (route instanceof Error) throw route;
    const raw = collectNamespace({ route, diag }, { listeningOnly: options.listeningOnly });
    for (const what of raw.interrupted) warn(subject, `${what} dump kept being interrupted; result may be incomplete`);
    if (raw.socketsError !== null) warn(subject, `sockets not read: ${raw.socketsError}`);
    const key = netnsKey(bootId, raw.cookie);
    const drivers = driverInfo(nsFd, raw, key, warn);
    const rules = readRules(nft, key, warn);
    const namespace: CollectedNamespace = { candidate, raw, key, rules, drivers, warnings };
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
    return { namespace, warnings };
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
 * The namespace's nf_tables rules; an error (no CAP_NET_ADMIN over it, say) costs the namespace
 * its forwarded ports only, with a warning.
 */
function readRules(sock: NetlinkSocket | Error, key: NetnsKey, warn: (s: string, m: string) => void): NftRule[] {
  try {
    const r = collectNftRules(sock);
    if (r.interrupted) warn(key, "nf_tables rule dump kept being interrupted; forwarded ports may be incomplete");
    return r.rules;
  } catch (err) {
    warn(key, `forwarded ports not read: ${(err as Error).message}`);
    return [];
  }
}
