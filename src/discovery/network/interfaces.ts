// Turns decoded RTM_NEWLINK messages into model interfaces: the kind a user thinks in, the
// kind-specific details (each kind's module in kinds/), and readable flags. Relations are filled
// in later (relations.ts), once every namespace has been read, because a link's other end may
// live in any of them.

import {
  IFF_LOOPBACK,
  IFF_PROMISC,
  IFF_UP,
  ifFlagNames,
  operstateName,
  type RtLink,
} from "../../netlink/index.ts";
import { interfaceKey, type NetnsKey } from "../../model/keys.ts";
import type { InterfaceKind, NetworkInterface } from "../../model/topology.ts";
import { KIND_MODULES, kindOfDriver } from "./kinds/index.ts";
import type { SriovFunction } from "./sriov.ts";

export interface DriverInfo {
  driver: string;
  version: string;
  fwVersion: string;
  busInfo: string;
  /** Its PCI device's SR-IOV function (sysfs, sriov.ts); null when none. */
  sriov: SriovFunction | null;
}

export function classify(link: RtLink): InterfaceKind {
  if (link.flags & IFF_LOOPBACK) return "loopback";
  return link.kind === undefined ? "physical" : kindOfDriver(link.kind);
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
    details: KIND_MODULES[kind].details(link, { netns, driver }),
  };
}
