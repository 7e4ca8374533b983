// Links that point into another namespace (veth peers, macvlan/vlan lower devices, vxlan
// underlays) name it only by an NSID: a number local to the namespace holding the link. To learn
// which namespace an NSID means, we ask the holding namespace "what is your NSID for the
// namespace behind this fd?" (RTM_GETNSID with NETNSA_FD).
//
// Gostwire asks this for every pair of namespaces: N² queries. We ask only for the NSIDs that
// links actually reference, and try the likeliest namespaces first: for a veth the peer's
// namespace must hold a veth at the index we point to that points back at our index, which
// almost always leaves a single candidate, so one query per referenced NSID is the norm.

import { NetlinkSocket } from "../../ffi/index.ts";
import { RTM_NEWNSID, buildGetNsidForFd, decodeNsid, type RtLink } from "../../netlink/index.ts";
import { ask } from "../netlink-request.ts";
import { openRouteSocketIn, type NamespaceHandle } from "./collect-namespace.ts";

export interface NsidSubject {
  /** The namespace (its fd stays open for the whole resolution). */
  ns: NamespaceHandle;
  links: RtLink[];
}

export interface NsidResolution {
  /** Per subject (same order): NSID → index of the subject it means, or null if none matched. */
  maps: Map<number, number | null>[];
  queries: number;
  warnings: { subject: number; message: string }[];
}

/** The peer ifindex a link points at; the kernel omits IFLA_LINK when it equals the own index. */
export function linkTarget(link: RtLink): number {
  return link.link ?? link.index;
}

export function resolveNsids(subjects: NsidSubject[]): NsidResolution {
  const maps = subjects.map(() => new Map<number, number | null>());
  const warnings: NsidResolution["warnings"] = [];
  let queries = 0;
  // Which namespaces hold a link at a given ifindex: the coarse candidate filter.
  const byIndex = new Map<number, number[]>();
  subjects.forEach((s, i) => {
    for (const l of s.links) {
      let list = byIndex.get(l.index);
      if (!list) byIndex.set(l.index, (list = []));
      list.push(i);
    }
  });

  subjects.forEach((subject, self) => {
    const wanted = wantedNsids(subject.links);
    if (wanted.size === 0) return;
    let sock: NetlinkSocket | undefined;
    const asked = new Set<number>();
    const map = maps[self]!;
    try {
      sock = openRouteSocketIn(subject.ns);
      const query = (cand: number): void => {
        if (asked.has(cand) || cand === self) return;
        asked.add(cand);
        queries++;
        const reply = ask(sock!, "RTM_GETNSID", (seq) => buildGetNsidForFd(seq, subjects[cand]!.ns.fd));
        if (reply.type !== RTM_NEWNSID) return;
        const { nsid } = decodeNsid(reply);
        if (nsid >= 0 && !map.has(nsid)) map.set(nsid, cand);
      };
      for (const [nsid, links] of wanted) {
        if (map.has(nsid)) continue;
        for (const cand of rankCandidates(links, subjects, byIndex)) {
          query(cand);
          if (map.has(nsid)) break;
        }
        if (map.has(nsid)) continue;
        // The structural guess failed (e.g. the peer namespace is not visible to us): ask the rest.
        for (let cand = 0; cand < subjects.length && !map.has(nsid); cand++) query(cand);
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

/** Candidate namespaces for the links that share one NSID, best first. */
function rankCandidates(links: RtLink[], subjects: NsidSubject[], byIndex: Map<number, number[]>): number[] {
  const strong: number[] = [];
  const weak: number[] = [];
  for (const l of links) {
    const target = l.kind === "vxlan" && l.data?.kind === "vxlan" && l.data.link ? l.data.link : linkTarget(l);
    for (const cand of byIndex.get(target) ?? []) {
      const other = subjects[cand]!.links.find((o) => o.index === target);
      // A veth peer points back at us, across a namespace boundary.
      const pointsBack =
        l.kind === "veth" && other?.kind === "veth" && other.linkNetnsid !== undefined && linkTarget(other) === l.index;
      (pointsBack ? strong : weak).push(cand);
    }
  }
  return [...new Set([...strong, ...weak])];
}
