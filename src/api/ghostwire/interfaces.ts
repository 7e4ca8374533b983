// One interface as Ghostwire's nif.go writes it: the common attributes, the driver info, the
// labels its decorators put on container-network bridges, and the relations (veth peer, bridge
// ports, macvlan and vlan lower devices, tunnel underlays, SR-IOV PF/VF); the kind-specific
// sections (vxlan config, tun/tap mode and the processes serving it, vlan, SR-IOV role) come from
// kind-fields.ts.

import type { Address, NetworkInterface, NetworkNamespace } from "../../model/topology.ts";
import { nifId, type Lookup } from "./lookup.ts";
import { KIND_FIELDS } from "./kind-fields.ts";
import type { GwDriverInfo, GwInterface, GwIpAddress } from "./shapes.ts";

export const AF_INET = 2;
export const AF_INET6 = 10;
export const family = (f: "ipv4" | "ipv6") => (f === "ipv4" ? AF_INET : AF_INET6);

// The kernel's INFINITY_LIFE_TIME: what Ghostwire (netlink) reports for "forever".
const FOREVER = 0xffffffff;
const SCOPES: Record<string, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const OPERSTATES = new Set(["UNKNOWN", "NOTPRESENT", "DOWN", "UP", "LOWERLAYERDOWN"]);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** The label keys Ghostwire's network decorators (dockernet, podmannet) use; its UI reads them. */
export const LABEL_NETWORK_NAME = "gostwire/network/name";
export const LABEL_INTERNAL_BRIDGE = "gostwire/bridge/internal";
export const LABEL_DEFAULT_BRIDGE = "gostwire/network/default-bridge";

/**
 * Ghostwire's kind is vishvananda/netlink's link type: the kernel's IFLA_INFO_KIND except "tun",
 * which it calls "tuntap", and "" for hardware devices and lo (type "device").
 */
function kindOf(i: NetworkInterface): string {
  if (i.kind === "physical" || i.kind === "loopback") return "";
  if (i.driverKind === "tun") return "tuntap";
  return i.driverKind ?? "";
}

export function gwInterface(ns: NetworkNamespace, i: NetworkInterface, lookup: Lookup): GwInterface {
  const r = i.relations;
  const out: GwInterface = {
    id: nifId(ns, i),
    name: i.name,
    index: i.index,
    kind: kindOf(i),
    operstate: (OPERSTATES.has(i.operState) ? i.operState : "UNKNOWN") as GwInterface["operstate"],
    physical: i.kind === "physical",
    driverinfo: driverInfo(i),
    promisc: i.promiscuous,
    addresses: {
      // Ghostwire writes six zero bytes for an interface without a hardware address (tun, ipip…).
      mac: i.mac !== null && MAC.test(i.mac) ? i.mac : "00:00:00:00:00:00",
      ipv4: i.addresses.filter((a) => a.family === "ipv4").map((a) => address(i, a)),
      ipv6: i.addresses.filter((a) => a.family === "ipv6").map((a) => address(i, a)),
    },
  };
  // A container network's bridge: Ghostwire sets the alias to the network's name and labels it.
  const net = i.containerNetwork;
  const alias = net?.name ?? i.alias;
  if (alias) out.alias = alias;
  if (net) {
    const labels: Record<string, string> = { ...net.labels, [LABEL_NETWORK_NAME]: net.name };
    if (net.internal) labels[LABEL_INTERNAL_BRIDGE] = "true";
    if (net.default) labels[LABEL_DEFAULT_BRIDGE] = "true";
    out.labels = labels;
  }
  // master: a bridge port's bridge, a vlan's lower device (Ghostwire's two), and the controller
  // of a bond/team/vrf member (which Ghostwire does not relate; the spec's "master" fits it).
  const master = lookup.ref(r.bridge ?? (i.details.kind === "vlan" ? r.master : null) ?? r.controller);
  if (master) out.master = master;
  if (i.driverKind === "macvlan") {
    const lower = lookup.ref(r.master);
    if (lower) out.macvlan = lower;
  }
  const isMacvlan = (k: string) => lookup.interfaces.get(k)?.iface.driverKind === "macvlan";
  const macvlans = lookup.refs(r.slaves.filter(isMacvlan));
  if (macvlans.length > 0) out.macvlans = macvlans;
  if (r.peer) {
    const p = lookup.interfaces.get(r.peer);
    if (p) out.peer = { "peer-idref": nifId(p.ns, p.iface), "peer-name": p.iface.name, "peer-index": p.iface.index };
  }
  // Ghostwire's "slaves": bridge ports, then what is stacked on this one except macvlans (vlans,
  // ipvlans, tunnels riding on it as underlay, VFs of a PF); bond/team/vrf members are ours.
  const slaves = lookup.refs([...r.ports, ...r.members, ...r.slaves.filter((k) => !isMacvlan(k)), ...r.overlays, ...r.vfs]);
  if (slaves.length > 0) out.slaves = slaves;

  Object.assign(out, KIND_FIELDS[i.kind]?.(i, lookup));
  const pf = lookup.ref(r.pf);
  if (pf) out.pf = pf;
  return out;
}

/** ethtool's driver info, which Ghostwire reads for hardware interfaces only; others: an empty driver. */
function driverInfo(i: NetworkInterface): GwDriverInfo {
  const d = i.details;
  if (d.kind !== "physical") return { driver: "" };
  const info: GwDriverInfo = { driver: d.driver ?? "" };
  if (d.driverVersion) info.version = d.driverVersion;
  if (d.firmwareVersion) info.fwversion = d.firmwareVersion;
  if (d.busInfo) info.businfo = d.busInfo;
  return info;
}

function address(i: NetworkInterface, a: Address): GwIpAddress {
  return {
    address: a.address,
    family: family(a.family),
    index: i.index,
    "preferred-lifetime": a.preferredLifetime ?? FOREVER,
    prefixlen: a.prefixLength,
    scope: SCOPES[a.scope] ?? (Number.isInteger(Number(a.scope)) ? Number(a.scope) : 0),
    "valid-lifetime": a.validLifetime ?? FOREVER,
  };
}
