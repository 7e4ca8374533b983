// Turns decoded RTM_NEWLINK messages into model interfaces: the kind a user thinks in, the
// kind-specific details, and readable flags. Relations are filled in later (relations.ts), once
// every namespace has been read, because a link's other end may live in any of them.

import {
  IFF_LOOPBACK,
  IFF_PROMISC,
  IFF_UP,
  ifFlagNames,
  operstateName,
  type RtLink,
} from "../../netlink/index.ts";
import { interfaceKey, type NetnsKey } from "../../model/keys.ts";
import type { InterfaceDetails, InterfaceKind, NetworkInterface } from "../../model/topology.ts";

export interface DriverInfo {
  driver: string;
  version: string;
  fwVersion: string;
  busInfo: string;
}

export function classify(link: RtLink): InterfaceKind {
  if (link.flags & IFF_LOOPBACK) return "loopback";
  switch (link.kind) {
    case undefined:
      return "physical";
    case "veth":
    case "bridge":
    case "vlan":
    case "vxlan":
      return link.kind;
    case "macvlan":
    case "macvtap":
      return "macvlan";
    case "tun":
      return "tuntap";
    default:
      return "other";
  }
}

export function toInterface(netns: NetnsKey, link: RtLink, driver: DriverInfo | null | undefined): NetworkInterface {
  const kind = classify(link);
  return {
    key: interfaceKey(netns, link.index),
    netns,
    index: link.index,
    name: link.ifname ?? `if${link.index}`,
    kind,
    driverKind: link.kind ?? null,
    portKind: link.slaveKind ?? null,
    flags: ifFlagNames(link.flags),
    up: (link.flags & IFF_UP) !== 0,
    promiscuous: (link.flags & IFF_PROMISC) !== 0,
    operState: operstateName(link.operstate ?? 0),
    mac: link.address ?? null,
    mtu: link.mtu ?? null,
    alias: link.ifalias ?? null,
    containerNetwork: null, // filled by engine discovery (discovery/engines)
    linkType: link.type,
    addresses: [],
    users: [],
    relations: {
      peer: null,
      bridge: null,
      ports: [],
      master: null,
      slaves: [],
      controller: null,
      members: [],
      underlay: null,
      overlays: [],
      pf: null, // SR-IOV, across namespaces: sriov.ts
      vfs: [],
    },
    raw: { link: link.link ?? null, linkNetnsid: link.linkNetnsid ?? null, master: link.master ?? null },
    details: details(kind, link, driver),
  };
}

function details(kind: InterfaceKind, link: RtLink, driver: DriverInfo | null | undefined): InterfaceDetails {
  const d = link.data;
  if (kind === "physical") {
    return {
      kind: "physical",
      driver: driver?.driver || null,
      driverVersion: driver?.version || null,
      firmwareVersion: driver?.fwVersion || null,
      busInfo: driver?.busInfo || null,
      sriov: null, // from sysfs, once every namespace is read: sriov.ts
    };
  }
  switch (d?.kind) {
    case "bridge":
      return {
        kind: "bridge",
        stpState: d.stpState ?? null,
        vlanFiltering: d.vlanFiltering ?? null,
        forwardDelay: d.forwardDelay ?? null,
        ageingTime: d.ageingTime ?? null,
        priority: d.priority ?? null,
        bridgeId: d.bridgeId ?? null,
      };
    case "macvlan":
    case "macvtap":
      return { kind: "macvlan", mode: d.modeName, macvtap: d.kind === "macvtap" };
    case "vlan":
      return { kind: "vlan", id: d.id, protocol: d.protocolName };
    case "vxlan": {
      // IFLA_VXLAN_GROUP holds either a multicast group or a unicast remote; iproute2 tells
      // them apart by the address, and so do we.
      const peer = d.group ?? d.group6 ?? null;
      const multicast = isMulticast(peer ?? undefined);
      return {
        kind: "vxlan",
        vni: d.vni ?? null,
        group: multicast ? peer : null,
        remote: multicast ? null : peer,
        local: d.local ?? d.local6 ?? null,
        port: d.port ?? null,
        sourcePortRange: d.portRange ?? null,
        ttl: d.ttl ?? null,
        tos: d.tos ?? null,
        learning: d.learning ?? null,
        proxy: d.proxy ?? null,
      };
    }
    case "tun":
      return {
        kind: "tuntap",
        mode: d.type,
        persistent: d.persist ?? null,
        multiQueue: d.multiQueue ?? null,
        owner: d.owner ?? null,
        group: d.group ?? null,
        vnetHdr: d.vnetHdr ?? null,
        packetInfo: d.pi ?? null,
      };
    default:
      return { kind: "none" };
  }
}

function isMulticast(addr: string | undefined): boolean {
  if (!addr) return false;
  if (addr.includes(":")) return addr.toLowerCase().startsWith("ff");
  const first = Number(addr.split(".")[0]);
  return first >= 224 && first <= 239;
}
