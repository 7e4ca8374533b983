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

import { NetlinkSocket } from "../../ffi/index.ts";
import {
  RTM_NEWLINK,
  RTM_NEWNSID,
  buildGetLink,
  buildGetNsidForFd,
  decodeLink,
  decodeNsid,
  type RtLink,
} from "../../netlink/index.ts";
import { ask } from "../netlink-request.ts";
import { openRouteSocketIn, type NamespaceHandle } from "./collect-namespace.ts";
import { moduleOfLink } from "./kinds/index.ts";

export interface NsidSubject {
  /** The namespace (its fd stays open for the whole resolution). */
  ns: NamespaceHandle;
  links: RtLink[];
  /** An open NETLINK_ROUTE socket in that namespace to ask through (left open), if the caller has one. */
  socket?: NetlinkSocket;
}

export interface NsidResolution {
  /** Per subject (same order): NSID → index of the subject it means, or null if none matched. */
  maps: Map<number, number | null>[];
  /** Kernel round trips spent (RTM_GETNSID and RTM_GETLINK). */
  queries: number;
  warnings: { subject: number; message: string }[];
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

/**
 * `seed` (per subject, same order) holds NSIDs resolved before (by a watcher that re-reads one
 * namespace at a time): they are taken as they are and cost no query.
 */
export function resolveNsids(subjects: NsidSubject[], seed?: ReadonlyMap<number, number | null>[]): NsidResolution {
  const maps = subjects.map((_, i) => new Map<number, number | null>(seed?.[i] ?? []));
  const warnings: NsidResolution["warnings"] = [];
  let queries = 0;
  // Per subject: ifindex → link. Across subjects: which hold a link at an ifindex, and which hold
  // a cross-namespace veth at an ifindex pointing at a given ifindex (the strong match, looked up
  // directly so that many namespaces sharing ifindex 2 cost nothing).
  const linkAt = subjects.map((s) => new Map(s.links.map((l) => [l.index, l])));
  const byIndex = new Map<number, number[]>();
  const vethAt = new Map<string, number[]>();
  const push = <K>(m: Map<K, number[]>, k: K, v: number) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  subjects.forEach((s, i) => {
    for (const l of s.links) {
      push(byIndex, l.index, i);
      if (isPair(l) && l.linkNetnsid !== undefined) push(vethAt, `${l.index}>${linkTarget(l)}`, i);
    }
  });

  subjects.forEach((subject, self) => {
    const wanted = wantedNsids(subject.links);
    if (wanted.size === 0) return;
    const map = maps[self]!;
    // The subject's own route socket when the reader kept it open; else one opened here (and closed).
    let sock: NetlinkSocket | undefined;
    const socket = () => subject.socket ?? (sock ??= openRouteSocketIn(subject.ns));
    const asked = new Set<number>();
    /** Asks our namespace for its NSID of `cand`; records whatever it says. */
    const verify = (cand: number): void => {
      if (asked.has(cand) || cand === self) return;
      asked.add(cand);
      queries++;
      const reply = ask(socket(), "RTM_GETNSID", (seq) => buildGetNsidForFd(seq, subjects[cand]!.ns.fd));
      if (reply.type !== RTM_NEWNSID) return;
      const { nsid } = decodeNsid(reply);
      if (nsid >= 0 && !map.has(nsid)) map.set(nsid, cand);
    };
    /** Shows us the far end of `l` through the NSID; null if the kernel will not. */
    const peerOf = (l: RtLink, nsid: number): RtLink | null => {
      queries++;
      try {
        const reply = ask(socket(), "RTM_GETLINK", (seq) => buildGetLink(seq, remoteIndex(l), nsid));
        return reply.type === RTM_NEWLINK ? decodeLink(reply) : null;
      } catch {
        return null; // older kernels reject IFLA_TARGET_NETNSID; fall back to asking in turn
      }
    };

    try {
      for (const [nsid, links] of wanted) {
        if (map.has(nsid)) continue;
        const { candidates, settled } = rankCandidates(self, links, linkAt, byIndex, vethAt, maps);
        // The other side already resolved its NSID for us: settled without a query.
        if (settled !== undefined) {
          map.set(nsid, settled);
          continue;
        }
        // When several candidates remain (ifindexes collide), let the far end itself say which
        // namespace it is in.
        let ordered = candidates;
        if (ordered.length > 1) {
          const peer = peerOf(links[0]!, nsid);
          if (peer) {
            const same = ordered.filter((c) => {
              const o = linkAt[c]!.get(peer.index);
              return o !== undefined && o.address === peer.address && o.ifname === peer.ifname;
            });
            if (same.length === 1) {
              map.set(nsid, same[0]!);
              continue;
            }
            if (same.length > 1) ordered = same; // cloned MACs and names: ask each in turn
          }
        }
        for (const cand of ordered) {
          verify(cand);
          if (map.has(nsid)) break;
        }
        // The structural guess failed (e.g. the link's far end is not visible to us): ask the rest.
        for (let cand = 0; cand < subjects.length && !map.has(nsid); cand++) verify(cand);
        if (!map.has(nsid)) map.set(nsid, null);
      }
    } catch (err) {
      warnings.push({ subject: self, message: `resolving NSIDs failed: ${(err as Error).message}` });
      for (const nsid of wanted.keys()) if (!map.has(nsid)) map.set(nsid, null);
    } finally {
      sock?.close();
    }
  });
  return { maps, queries, warnings };
}

/** NSID → the links that reference it. */
function wantedNsids(links: RtLink[]): Map<number, RtLink[]> {
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
 * Candidate namespaces for the links that share one NSID. Strong: a veth there points back at
 * us across a namespace boundary. A strong candidate whose own NSID for its peer is already
 * resolved either is certainly ours (`settled`) or certainly not (dropped). Only when no veth
 * points back: weak candidates, any namespace with a link at the index we point to.
 */
function rankCandidates(
  self: number,
  links: RtLink[],
  linkAt: Map<number, RtLink>[],
  byIndex: Map<number, number[]>,
  vethAt: Map<string, number[]>,
  maps: Map<number, number | null>[],
): { candidates: number[]; settled?: number } {
  const strong = new Set<number>();
  let pointsBackSeen = false;
  for (const l of links) {
    if (!isPair(l)) continue;
    const target = remoteIndex(l);
    for (const cand of vethAt.get(`${target}>${l.index}`) ?? []) {
      if (cand === self) continue;
      pointsBackSeen = true;
      const known = maps[cand]!.get(linkAt[cand]!.get(target)!.linkNetnsid!);
      if (known === self) return { candidates: [cand], settled: cand };
      if (known === undefined) strong.add(cand);
    }
  }
  if (pointsBackSeen) return { candidates: [...strong] };
  const weak = new Set<number>();
  for (const l of links) for (const cand of byIndex.get(remoteIndex(l)) ?? []) if (cand !== self) weak.add(cand);
  return { candidates: [...weak] };
}
