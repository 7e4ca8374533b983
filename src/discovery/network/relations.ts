// Resolves how interfaces are wired to each other, once, across all namespaces: veth peers,
// bridge ↔ ports, lower device ↔ macvlan/vlan (the lower device may live in another namespace),
// vxlan ↔ underlay, and bond/vrf controllers. Every forward edge gets its reverse edge here, so
// readers never have to search.

import type { RtLink } from "../../netlink/index.ts";
import type { NetworkInterface } from "../../model/topology.ts";
import { linkTarget } from "./resolve-nsids.ts";

export interface RelationSubject {
  links: RtLink[];
  /** ifindex → interface of this namespace. */
  byIndex: Map<number, NetworkInterface>;
  /** NSID → index into the subjects array, or null when the NSID could not be resolved. */
  nsids: Map<number, number | null>;
}

/** Kinds whose IFLA_LINK names the lower device they are stacked on. */
const STACKED = new Set(["macvlan", "macvtap", "vlan", "ipvlan", "ipvtap"]);

export function resolveRelations(subjects: RelationSubject[]): void {
  for (const subject of subjects) {
    // The namespace an IFLA_LINK (or vxlan underlay) index refers to.
    const linkNamespace = (l: RtLink): RelationSubject | undefined => {
      if (l.linkNetnsid === undefined || l.linkNetnsid < 0) return subject;
      const target = subject.nsids.get(l.linkNetnsid);
      return target === null || target === undefined ? undefined : subjects[target];
    };

    for (const l of subject.links) {
      const self = subject.byIndex.get(l.index);
      if (!self) continue;

      if (l.master !== undefined && l.master > 0) {
        const master = subject.byIndex.get(l.master); // IFLA_MASTER is always in the same namespace
        if (master?.kind === "bridge") {
          self.relations.bridge = master.key;
          master.relations.ports.push(self.key);
        } else if (master) {
          self.relations.controller = master.key;
          master.relations.members.push(self.key);
        }
      }

      if (l.kind === "veth") {
        // A veth whose peer is gone shows no IFLA_LINK and no NSID; a peer with the same index
        // in another namespace shows the NSID but, by a kernel quirk, no IFLA_LINK.
        if (l.link === undefined && l.linkNetnsid === undefined) continue;
        const peer = linkNamespace(l)?.byIndex.get(linkTarget(l));
        if (peer && peer !== self) self.relations.peer = peer.key;
      } else if (l.kind !== undefined && STACKED.has(l.kind)) {
        const lower = linkNamespace(l)?.byIndex.get(linkTarget(l));
        if (lower && lower !== self) {
          self.relations.master = lower.key;
          lower.relations.slaves.push(self.key);
        }
      } else if (l.data?.kind === "vxlan" && l.data.link) {
        const underlay = linkNamespace(l)?.byIndex.get(l.data.link);
        if (underlay) {
          self.relations.underlay = underlay.key;
          underlay.relations.overlays.push(self.key);
        }
      }
    }
  }
  // Reverse edges were appended in discovery order; sort them so output is stable.
  for (const subject of subjects) {
    for (const iface of subject.byIndex.values()) {
      const r = iface.relations;
      for (const list of [r.ports, r.slaves, r.members, r.overlays]) list.sort(compareKeys);
    }
  }
}

/** Keys end in `/if:<index>`; order by namespace, then numerically by index. */
function compareKeys(a: string, b: string): number {
  const [na, ia] = splitKey(a);
  const [nb, ib] = splitKey(b);
  return na < nb ? -1 : na > nb ? 1 : ia - ib;
}

function splitKey(k: string): [string, number] {
  const at = k.lastIndexOf("/if:");
  return [k.slice(0, at), Number(k.slice(at + 4))];
}
