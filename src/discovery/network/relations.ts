// Resolves how interfaces are wired to each other, once, across all namespaces: veth/netkit peers,
// bridge ↔ ports, lower device ↔ macvlan/vlan/ipvlan (the lower device may live in another
// namespace), tunnel ↔ the underlay its data names, and bond/team/vrf controllers. Each kind's
// module (kinds/) says what its IFLA_LINK means and which underlay it names. Every forward edge
// gets its reverse edge here, so readers never have to search.

import type { RtLink } from "../../netlink/index.ts";
import type { NetworkInterface } from "../../model/topology.ts";
import { moduleOfLink } from "./kinds/index.ts";
import { linkTarget } from "./resolve-nsids.ts";

export interface RelationSubject {
  links: RtLink[];
  /** ifindex → interface of this namespace. */
  byIndex: Map<number, NetworkInterface>;
  /** NSID → index into the subjects array, or null when the NSID could not be resolved. */
  nsids: Map<number, number | null>;
}

export function resolveRelations(subjects: RelationSubject[]): void {
  for (const subject of subjects) {
    // The namespace an IFLA_LINK (or tunnel underlay) index refers to.
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

      const kind = moduleOfLink(l);
      const underlayIndex = kind?.underlay?.(l);
      if (kind?.linkIs === "peer") {
        // A veth whose peer is gone shows no IFLA_LINK and no NSID; a peer with the same index
        // in another namespace shows the NSID but, by a kernel quirk, no IFLA_LINK.
        if (l.link === undefined && l.linkNetnsid === undefined) continue;
        const peer = linkNamespace(l)?.byIndex.get(linkTarget(l));
        if (peer && peer !== self) self.relations.peer = peer.key;
      } else if (kind?.linkIs === "lower") {
        const lower = linkNamespace(l)?.byIndex.get(linkTarget(l));
        if (lower && lower !== self) {
          self.relations.master = lower.key;
          lower.relations.slaves.push(self.key);
        }
      } else if (underlayIndex) {
        const underlay = linkNamespace(l)?.byIndex.get(underlayIndex);
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
export function compareKeys(a: string, b: string): number {
  const [na, ia] = splitKey(a);
  const [nb, ib] = splitKey(b);
  return na < nb ? -1 : na > nb ? 1 : ia - ib;
}

function splitKey(k: string): [string, number] {
  const at = k.lastIndexOf("/if:");
  return [k.slice(0, at), Number(k.slice(at + 4))];
}
