// One interface as Ghostwire's nif.go writes it: the common attributes, the driver info, the
// labels its decorators put on container-network bridges, and the kind-specific relations and
// details (veth peer, bridge ports, macvlan and vlan lower devices, vxlan underlay and config,
// tun/tap mode and the processes serving it, SR-IOV PF/VF).

import type { Address, NetworkInterface, NetworkNamespace } from "../../model/topology.ts";
import { nifId, type Lookup } from "./lookup.ts";
import type { GwDriverInfo, GwInterface, GwIpAddress, GwOwner, GwVxlan } from "./shapes.ts";

export const AF_INET = 2;
export const AF_INET6 = 10;
export const family = (f: "ipv4" | "ipv6") => (f === "ipv4" ? AF_INET : AF_INET6);

// The kernel's INFINITY_LIFE_TIME: what Ghostwire (netlink) reports for "forever".
const FOREVER = 0xffffffff;
const SCOPES: Record<string, number> = { global: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const OPERSTATES = new Set(["UNKNOWN", "NOTPRESENT", "DOWN", "UP", "LOWERLAYERDOWN"]);
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const VLAN_PROTOCOLS: Record<string, number> = { "802.1Q": 0x8100, "802.1ad": 0x88a8 };

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
  // vxlans riding on it as underlay, VFs of a PF); bond members are ours.
  const slaves = lookup.refs([...r.ports, ...r.members, ...r.slaves.filter((k) => !isMacvlan(k)), ...r.overlays, ...r.vfs]);
  if (slaves.length > 0) out.slaves = slaves;

  const d = i.details;
  if (d.kind === "tuntap") {
    out.tuntap = { mode: d.mode, processors: i.users.map((k) => lookup.owner(k)).filter((o): o is GwOwner => o !== null) };
  } else if (d.kind === "vxlan") {
    out.vxlan = vxlan(d, r.underlay, lookup);
  } else if (d.kind === "vlan") {
    out.vlan = { vid: d.id, "vlan-protocol": VLAN_PROTOCOLS[d.protocol] ?? (parseInt(d.protocol, 16) || 0) };
  } else if (d.kind === "physical" && d.sriov !== null) {
    out["sr-iov-role"] = d.sriov === "pf" ? 1 : 2;
  }
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
