// Links that point into another namespace (veth peers, macvlan/vlan lower devices, tunnel
// underlays) name it only by an NSID: a number local to the namespace holding the link. To learn
// which namespace an NSID means, we ask the holding namespace "what is your NSID for the
// namespace behind this fd?" (RTM_GETNSID with NETNSA_FD).
//
// Gostwire asks this for every pair of namespaces: N² queries. We ask only for the NSIDs that
// links actually reference, and try the likeliest namespaces first. For a veth, the peer's
// namespace must hold a veth at the index we point to that points back at our index. Ifindexes
// repeat across namespaces (every fresh namespace numbers from 1), so on a host of many similar
// namespaces that can leave several candidates; then one RTM_GETLINK with IFLA_TARGET_NETNSID
// shows us the peer itself, and its MAC and name single out the candidate. What one side has
// resolved also settles the other side without a query.
//
// Two halves, so that the thinking and the asking can run on different threads:
//   planNsids   pure: from every namespace's links and what is resolved already, per NSID of one
//               namespace either the answer (settled) or the candidates to ask, likeliest first;
//   askNsids    the kernel: runs one namespace's questions through sockets (its own and the
//               candidates'), wherever those sockets are usable — fds are process-wide.
// The caller runs both for every namespace in turn (discover.ts: resolveNsidsHere).

import { NetlinkSocket, closeQuietly, socketNetnsFd } from "../../ffi/index.ts";
import {
  NETLINK_ROUTE,
  RTM_NEWLINK,
  RTM_NEWNSID,
  buildGetLink,
  buildGetNsidForFd,
  decodeLink,
  decodeNsid,
  type RtLink,
} from "../../netlink/index.ts";
import { ask } from "../netlink-request.ts";
import { moduleOfLink } from "./kinds/index.ts";

/**
 * A namespace as NSID resolution reaches it: a socket that lives in it (an fd, usable from any
 * thread of the process). `requests`: it is a NETLINK_ROUTE socket free to send requests on (a
 * discovery's kept route socket); otherwise (a watcher's event socket, which receives multicast)
 * a request socket is opened in its namespace when needed.
 */
export interface NsidHandle {
  socketFd: number;
  requests: boolean;
}

/** The far end of a link, as seen through the NSID: what tells candidates apart. */
export interface PeerIdentity {
  index: number;
  address?: string;
  ifname?: string;
}

export interface NsidQuestion {
  nsid: number;
  /** Ask the far end of this link itself (RTM_GETLINK via the NSID) when several candidates remain. */
  probe: { index: number } | null;
  /** Likeliest first: the subject ids (positions in the subjects list) to ask about. */
  candidates: number[];
  /** For the probe's filter: each candidate's links, by ifindex. */
  identities: Record<number, PeerIdentity[]>;
}

export interface NsidPlan {
  /** NSID → subject id, settled by the structure alone (no query). */
  settled: [number, number][];
  questions: NsidQuestion[];
}

/** The peer ifindex a link points at; the kernel omits IFLA_LINK when it equals the own index. */
export function linkTarget(link: RtLink): number {
  return link.link ?? link.index;
}

/** The ifindex in the linked namespace that a cross-namespace link refers to. */
function remoteIndex(l: RtLink): number {
  return moduleOfLink(l)?.underlay?.(l) || linkTarget(l);
}

/** One end of a pair (veth, netkit): its far end points back at it. */
function isPair(l: RtLink): boolean {
  return moduleOfLink(l)?.linkIs === "peer";
}

/** NSID → the links that reference it. */
export function wantedNsids(links: readonly RtLink[]): Map<number, RtLink[]> {
  const wanted = new Map<number, RtLink[]>();
  for (const l of links) {
    if (l.linkNetnsid === undefined || l.linkNetnsid < 0) continue;
    let list = wanted.get(l.linkNetnsid);
    if (!list) wanted.set(l.linkNetnsid, (list = []));
    list.push(l);
  }
  return wanted;
}

/**
 * Where links are, across namespaces: what planning looks candidates up in. Built once per set of
 * namespaces (a watcher keeps one up to date as namespaces come, change and go).
 */
export class LinkIndex {
  /** Per subject id: ifindex → link. */
  readonly linkAt = new Map<number, Map<number, RtLink>>();
  /** ifindex → subject ids holding a link there. */
  readonly #byIndex = new Map<number, Set<number>>();
  /** "<index>><target index>" → subject ids holding a cross-namespace pair end (veth, netkit) at index pointing at target. */
  readonly #vethAt = new Map<string, Set<number>>();

  set(id: number, links: readonly RtLink[]): void {
    this.delete(id);
    const at = new Map<number, RtLink>();
    for (const l of links) {
      at.set(l.index, l);
      add(this.#byIndex, l.index, id);
      if (isPair(l) && l.linkNetnsid !== undefined) add(this.#vethAt, `${l.index}>${linkTarget(l)}`, id);
    }
    this.linkAt.set(id, at);
  }

  delete(id: number): void {
    const at = this.linkAt.get(id);
    if (!at) return;
    this.linkAt.delete(id);
    for (const l of at.values()) {
      remove(this.#byIndex, l.index, id);
      if (isPair(l) && l.linkNetnsid !== undefined) remove(this.#vethAt, `${l.index}>${linkTarget(l)}`, id);
    }
  }

  holdersOf(index: number): Iterable<number> {
    return this.#byIndex.get(index) ?? [];
  }

  vethsAt(index: number, target: number): Iterable<number> {
    return this.#vethAt.get(`${index}>${target}`) ?? [];
  }
}

function add<K>(m: Map<K, Set<number>>, k: K, v: number): void {
  const s = m.get(k);
  if (s) s.add(v);
  else m.set(k, new Set([v]));
}

function remove<K>(m: Map<K, Set<number>>, k: K, v: number): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

/** What is resolved in one subject so far: NSID → subject id (null: none found). */
export interface NsidLookup {
  get(nsid: number): number | null | undefined;
  has(nsid: number): boolean;
}

/**
 * What to do about the unresolved NSIDs of subject `self`: `maps(id)` gives what is resolved in
 * subject `id` so far (its NSID → subject id). Pure.
 */
export function planNsids(self: number, links: readonly RtLink[], index: LinkIndex, maps: (id: number) => NsidLookup | undefined): NsidPlan {
  const plan: NsidPlan = { settled: [], questions: [] };
  const own = maps(self);
  for (const [nsid, nsidLinks] of wantedNsids(links)) {
    if (own?.has(nsid)) continue;
    const { candidates, settled } = rankCandidates(self, nsidLinks, index, maps);
    if (settled !== undefined) {
      plan.settled.push([nsid, settled]);
      continue;
    }
    const identities: Record<number, PeerIdentity[]> = {};
    const probe = candidates.length > 1 ? { index: remoteIndex(nsidLinks[0]!) } : null;
    if (probe)
      for (const c of candidates)
        identities[c] = [...(index.linkAt.get(c)?.values() ?? [])].map((l) => ({ index: l.index, address: l.address, ifname: l.ifname }));
    plan.questions.push({ nsid, probe, candidates, identities });
  }
  return plan;
}

/**
 * Candidate namespaces for the links that share one NSID. Strong: a veth there points back at
 * us across a namespace boundary. A strong candidate whose own NSID for its peer is already
 * resolved either is certainly ours (`settled`) or certainly not (dropped). Only when no veth
 * points back: weak candidates, any namespace with a link at the index we point to.
 */
function rankCandidates(
  self: number,
  links: RtLink[],
  index: LinkIndex,
  maps: (id: number) => NsidLookup | undefined,
): { candidates: number[]; settled?: number } {
  const strong = new Set<number>();
  let pointsBackSeen = false;
  for (const l of links) {
    if (!isPair(l)) continue;
    const target = remoteIndex(l);
    for (const cand of index.vethsAt(target, l.index)) {
      if (cand === self) continue;
      pointsBackSeen = true;
      const known = maps(cand)?.get(index.linkAt.get(cand)!.get(target)!.linkNetnsid!);
      if (known === self) return { candidates: [cand], settled: cand };
      if (known === undefined) strong.add(cand);
    }
  }
  if (pointsBackSeen) return { candidates: [...strong].sort((a, b) => a - b) };
  const weak = new Set<number>();
  for (const l of links) for (const cand of index.holdersOf(remoteIndex(l))) if (cand !== self) weak.add(cand);
  return { candidates: [...weak].sort((a, b) => a - b) };
}

/**
 * Asks the kernel one subject's questions (from planNsids) through sockets: the subject's own
 * and, per candidate, `handleOf(id)`'s. `everyone`: the ids to fall back on when no candidate
 * answers (the structural guess failed, e.g. the far end is not visible to us); null: no fall
 * back, such questions stay unanswered (`unanswered`; ask again with everyone). Records in `map`
 * what the kernel says about the questions' NSIDs, null for those nobody claimed. Returns the
 * kernel round trips taken. Throws when the subject's namespace cannot be asked at all.
 */
export function askNsids(
  subject: NsidHandle,
  selfId: number,
  questions: readonly NsidQuestion[],
  handleOf: (id: number) => NsidHandle | undefined,
  everyone: Iterable<number> | null,
  map: Map<number, number | null>,
): { queries: number; unanswered: number[] } {
  const asking = new Set(questions.map((q) => q.nsid));
  const unanswered: number[] = [];
  let queries = 0;
  let own: NetlinkSocket | undefined;
  let adopted: NetlinkSocket | undefined;
  const socket = (): NetlinkSocket => {
    if (subject.requests) return (adopted ??= NetlinkSocket.adopt(subject.socketFd, NETLINK_ROUTE));
    if (!own) {
      const nsFd = socketNetnsFd(subject.socketFd);
      try {
        own = NetlinkSocket.open(NETLINK_ROUTE, { netnsFd: nsFd });
      } finally {
        closeQuietly(nsFd);
      }
    }
    return own;
  };
  const asked = new Set<number>();
  /** Asks our namespace for its NSID of `cand`; records whatever it says. */
  const verify = (cand: number): void => {
    if (asked.has(cand) || cand === selfId) return;
    asked.add(cand);
    const target = handleOf(cand);
    if (!target) return;
    let targetFd: number;
    try {
      targetFd = socketNetnsFd(target.socketFd);
    } catch {
      return; // that namespace cannot be reached any more: not it
    }
    try {
      queries++;
      const reply = ask(socket(), "RTM_GETNSID", (seq) => buildGetNsidForFd(seq, targetFd));
      if (reply.type !== RTM_NEWNSID) return;
      const { nsid } = decodeNsid(reply);
      if (asking.has(nsid) && !map.has(nsid)) map.set(nsid, cand);
    } finally {
      closeQuietly(targetFd);
    }
  };
  /** Shows us the far end of a link through the NSID; null if the kernel will not. */
  const peerOf = (remote: number, nsid: number): RtLink | null => {
    queries++;
    try {
      const reply = ask(socket(), "RTM_GETLINK", (seq) => buildGetLink(seq, remote, nsid));
      return reply.type === RTM_NEWLINK ? decodeLink(reply) : null;
    } catch {
      return null; // older kernels reject IFLA_TARGET_NETNSID; fall back to asking in turn
    }
  };
  try {
    for (const q of questions) {
      if (map.has(q.nsid)) continue; // answered on the way by an earlier question
      let ordered = q.candidates;
      if (q.probe && ordered.length > 1) {
        // When several candidates remain (ifindexes collide), let the far end itself say which
        // namespace it is in.
        const peer = peerOf(q.probe.index, q.nsid);
        if (peer) {
          const same = ordered.filter((c) => {
            const o = q.identities[c]?.find((l) => l.index === peer.index);
            return o !== undefined && o.address === peer.address && o.ifname === peer.ifname;
          });
          if (same.length === 1) {
            map.set(q.nsid, same[0]!);
            continue;
          }
          if (same.length > 1) ordered = same; // cloned MACs and names: ask each in turn
        }
      }
      for (const cand of ordered) {
        verify(cand);
        if (map.has(q.nsid)) break;
      }
      if (map.has(q.nsid)) continue;
      if (everyone === null) {
        unanswered.push(q.nsid);
        continue;
      }
      for (const cand of everyone) {
        verify(cand);
        if (map.has(q.nsid)) break;
      }
      if (!map.has(q.nsid)) map.set(q.nsid, null);
    }
  } finally {
    own?.close();
    adopted?.release(); // the subject's socket stays its owner's
  }
  return { queries, unanswered };
}
