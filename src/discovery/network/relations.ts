// How interfaces are wired to each other across namespaces: veth/netkit peers, bridge ↔ ports,
// lower device ↔ macvlan/vlan/ipvlan (the lower device may live in another namespace), tunnel ↔
// the underlay its data names, and bond/team/vrf controllers. Each kind's module (kinds/) says
// what its IFLA_LINK means and which underlay it names. Every forward edge gets its reverse edge
// here, so readers never search.
//
// Incremental: relate() recomputes the relation fields of some namespaces only (the ones a change
// touched), from the edges of those namespaces and of the namespaces that point into them. An
// edge is computed from its source link; its forward end is written if the source namespace is
// affected, its reverse end if the target namespace is. A one-shot discovery relates them all.

import type { RtLink } from "../../netlink/index.ts";
import type { NetnsKey } from "../../model/keys.ts";
import type { NetworkInterface } from "../../model/topology.ts";
import { moduleOfLink } from "./kinds/index.ts";
import { linkTarget } from "./resolve-nsids.ts";

export interface RelationNamespace {
  links: readonly RtLink[];
  /** ifindex → interface of this namespace (objects relate() may write to when affected). */
  byIndex: Map<number, NetworkInterface>;
  /** NSID → the namespace it means (null or absent: unresolved). */
  nsids: ReadonlyMap<number, NetnsKey | null>;
}

/**
 * Recomputes every relation field of the interfaces of `affected` (cleared first), from the
 * links of `sources`, which must include `affected` and every namespace with a link pointing
 * into one of them. `get` finds a namespace by key (undefined: not discovered).
 */
export function relate(affected: ReadonlySet<NetnsKey>, sources: Iterable<NetnsKey>, get: (key: NetnsKey) => RelationNamespace | undefined): void {
  for (const key of affected) for (const iface of get(key)?.byIndex.values() ?? []) clearRelations(iface);
  for (const sourceKey of sources) {
    const source = get(sourceKey);
    if (!source) continue;
    const forward = affected.has(sourceKey);
    // The namespace an IFLA_LINK (or tunnel underlay) index refers to.
    const linkNamespace = (l: RtLink): { key: NetnsKey; ns: RelationNamespace } | undefined => {
      if (l.linkNetnsid === undefined || l.linkNetnsid < 0) return { key: sourceKey, ns: source };
      const target = source.nsids.get(l.linkNetnsid);
      const ns = target == null ? undefined : get(target);
      return ns && { key: target!, ns };
    };
    for (const l of source.links) {
      const self = source.byIndex.get(l.index);
      if (!self) continue;
      if (forward && l.master !== undefined && l.master > 0) {
        const master = source.byIndex.get(l.master); // IFLA_MASTER is always in the same namespace
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
        if (!forward) continue;
        // A veth whose peer is gone shows no IFLA_LINK and no NSID; a peer with the same index
        // in another namespace shows the NSID but, by a kernel quirk, no IFLA_LINK.
        if (l.link === undefined && l.linkNetnsid === undefined) continue;
        const peer = linkNamespace(l)?.ns.byIndex.get(linkTarget(l));
        if (peer && peer !== self) self.relations.peer = peer.key;
      } else if (kind?.linkIs === "lower") {
        const target = linkNamespace(l);
        const lower = target?.ns.byIndex.get(linkTarget(l));
        if (!lower || lower === self) continue;
        if (forward) self.relations.master = lower.key;
        if (affected.has(target!.key)) lower.relations.slaves.push(self.key);
      } else if (underlayIndex) {
        const target = linkNamespace(l);
        const underlay = target?.ns.byIndex.get(underlayIndex);
        if (!underlay) continue;
        if (forward) self.relations.underlay = underlay.key;
        if (affected.has(target!.key)) underlay.relations.overlays.push(self.key);
      }
    }
  }
  // Reverse edges were appended in discovery order; sort them so output is stable.
  for (const key of affected)
    for (const iface of get(key)?.byIndex.values() ?? []) {
      const r = iface.relations;
      for (const list of [r.ports, r.slaves, r.members, r.overlays]) list.sort(compareKeys);
    }
}

function clearRelations(iface: NetworkInterface): void {
  iface.relations = { peer: null, bridge: null, ports: [], master: null, slaves: [], controller: null, members: [], underlay: null, overlays: [], pf: null, vfs: [] };
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
