// How `ls` names an interface's kind, one entry per model kind: the kind's word and, in
// parentheses, what tells two of its kind apart at a glance (mode, id, remote, table…).

import type { InterfaceKind, NetworkInterface } from "../../model/topology.ts";

type Label = (i: NetworkInterface) => string;

const plain: Label = (i) => i.kind;
/** The kernel's kind word (gretap, sit…) where one model kind covers several. */
const driver = (i: NetworkInterface) => i.driverKind ?? i.kind;
const remote = (r: string | null) => (r ? `remote ${r}` : "any remote");

export const KIND_LABELS: Record<InterfaceKind, Label> = {
  loopback: plain,
  physical: (i) => {
    const d = i.details;
    if (d.kind !== "physical") return "physical";
    const parts = [d.driver, d.numVfs ? `${d.numVfs} VFs` : null].filter((p) => p !== null);
    return parts.length > 0 ? `physical(${parts.join(", ")})` : "physical";
  },
  veth: plain,
  bridge: plain,
  macvlan: (i) => (i.details.kind === "macvlan" ? `${i.details.macvtap ? "macvtap" : "macvlan"}(${i.details.mode})` : i.kind),
  vlan: (i) => (i.details.kind === "vlan" ? `vlan(${i.details.id})` : i.kind),
  vxlan: (i) => (i.details.kind === "vxlan" ? `vxlan(vni ${i.details.vni ?? "?"})` : i.kind),
  tuntap: (i) => (i.details.kind === "tuntap" ? i.details.mode : i.kind),
  ipvlan: (i) => (i.details.kind === "ipvlan" ? `${i.details.ipvtap ? "ipvtap" : "ipvlan"}(${i.details.mode} ${i.details.flags})` : driver(i)),
  bond: (i) => (i.details.kind === "bond" ? `bond(${i.details.mode})` : i.kind),
  team: plain,
  vrf: (i) => (i.details.kind === "vrf" ? `vrf(table ${i.details.table})` : i.kind),
  wireguard: plain,
  geneve: (i) => (i.details.kind === "geneve" ? `geneve(vni ${i.details.vni ?? "?"}, ${i.details.collectMetadata ? "external" : remote(i.details.remote)})` : i.kind),
  gre: (i) => (i.details.kind === "gre" ? `${driver(i)}(${i.details.collectMetadata ? "external" : remote(i.details.remote)})` : driver(i)),
  iptunnel: (i) => (i.details.kind === "iptunnel" ? `${driver(i)}(${i.details.collectMetadata ? "external" : remote(i.details.remote)})` : driver(i)),
  netkit: (i) => (i.details.kind === "netkit" && i.details.mode ? `netkit(${i.details.mode}${i.details.primary ? ", primary" : ""})` : i.kind),
  other: (i) => i.driverKind ?? i.kind,
};
