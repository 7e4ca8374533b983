// Ghostwire's kind-specific sections of an interface (nif.go: tuntap, vxlan, vlan, SR-IOV role),
// one entry per model kind; null where Ghostwire has nothing beyond the common fields and the
// relations (master, slaves, peer, pf) that gwInterface writes for every kind.

import type { InterfaceKind, NetworkInterface } from "../../model/topology.ts";
import type { Lookup } from "./lookup.ts";
import type { GwInterface, GwOwner, GwVxlan } from "./shapes.ts";

export type KindFields = (i: NetworkInterface, lookup: Lookup) => Partial<GwInterface>;

const VLAN_PROTOCOLS: Record<string, number> = { "802.1Q": 0x8100, "802.1ad": 0x88a8 };

export const KIND_FIELDS: Record<InterfaceKind, KindFields | null> = {
  tuntap: ({ details: d, users }, lookup) =>
    d.kind === "tuntap" ? { tuntap: { mode: d.mode, processors: users.map((k) => lookup.owner(k)).filter((o): o is GwOwner => o !== null) } } : {},
  vxlan: ({ details: d, relations: r }, lookup) => (d.kind === "vxlan" ? { vxlan: vxlan(d, r.underlay, lookup) } : {}),
  vlan: ({ details: d }) => (d.kind === "vlan" ? { vlan: { vid: d.id, "vlan-protocol": VLAN_PROTOCOLS[d.protocol] ?? (parseInt(d.protocol, 16) || 0) } } : {}),
  physical: ({ details: d }) => (d.kind === "physical" && d.sriov !== null ? { "sr-iov-role": d.sriov === "pf" ? 1 : 2 } : {}),
  loopback: null,
  veth: null,
  bridge: null,
  macvlan: null, // its lower device is a relation: `macvlan` / `macvlans`
  ipvlan: null,
  bond: null,
  team: null,
  vrf: null,
  wireguard: null,
  geneve: null,
  gre: null,
  iptunnel: null,
  netkit: null,
  other: null,
};

function vxlan(d: Extract<NetworkInterface["details"], { kind: "vxlan" }>, underlay: string | null, lookup: Lookup): GwVxlan {
  const out: GwVxlan = {
    idref: lookup.ref(underlay)?.idref ?? "",
    vid: d.vni ?? 0,
    "arp-proxy": d.proxy ?? false,
    // Ghostwire leaves the range at zero unless the kernel reports a low port.
    "source-portrange": d.sourcePortRange && d.sourcePortRange.low !== 0 ? { low: d.sourcePortRange.low, high: d.sourcePortRange.high } : { low: 0, high: 0 },
    "remote-port": d.port ?? 0,
  };
  if (d.local) out.source = d.local.includes(":") ? { source_ipv6: d.local } : { source_ipv4: d.local };
  // IFLA_VXLAN_GROUP holds a multicast group or a unicast remote alike; Ghostwire calls both remote.
  const remote = d.group ?? d.remote;
  if (remote) out.remote = remote.includes(":") ? { remote_ipv6: remote } : { remote_ipv4: remote };
  return out;
}
