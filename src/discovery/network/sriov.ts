// SR-IOV: which physical interfaces are PCI physical functions (PF) or virtual functions (VF), and
// which VF belongs to which PF. rtnetlink says nothing about it; sysfs does, per PCI device (the
// bus address ethtool reported): a VF's device directory has a `physfn` link to its PF's, a PF's
// has `sriov_numvfs`. VFs are often moved into containers, so PF and VF may live in different
// namespaces: read per interface where its namespace is read (sriovFunction), matched by bus
// address across all of them where the namespaces are assembled (relateSriov).

import { existsSync, readlinkSync } from "node:fs";
import type { NetworkInterface } from "../../model/topology.ts";

const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i;

/** A PCI device's SR-IOV function: a PF, or a VF with its PF's bus address. */
export interface SriovFunction {
  role: "pf" | "vf";
  /** A VF's PF (the bus address its `physfn` link names); null for a PF. */
  physfn: string | null;
}

/** What sysfs says of the PCI device at `busInfo`; null when it is neither PF nor VF (or not PCI). */
export function sriovFunction(busInfo: string, sysRoot = "/sys"): SriovFunction | null {
  if (!PCI_ADDRESS.test(busInfo)) return null;
  const dir = `${sysRoot}/bus/pci/devices/${busInfo}`;
  try {
    const physfn = readlinkSync(`${dir}/physfn`);
    return { role: "vf", physfn: physfn.slice(physfn.lastIndexOf("/") + 1) };
  } catch {
    // not a VF (or not a PCI device sysfs knows): maybe a PF
  }
  return existsSync(`${dir}/sriov_numvfs`) ? { role: "pf", physfn: null } : null;
}

/**
 * Each VF's `pf` and each PF's `vfs`, by bus address, over the SR-IOV interfaces of every
 * namespace (in place; their pf/vfs relations are set anew).
 */
export function relateSriov(functions: readonly { iface: NetworkInterface; fn: SriovFunction }[]): void {
  const pfByBus = new Map<string, NetworkInterface>();
  for (const { iface, fn } of functions) {
    iface.relations.pf = null;
    iface.relations.vfs = [];
    if (fn.role === "pf" && iface.details.kind === "physical" && iface.details.busInfo) pfByBus.set(iface.details.busInfo, iface);
  }
  for (const { iface, fn } of functions) {
    const pf = fn.physfn === null ? undefined : pfByBus.get(fn.physfn);
    if (!pf) continue;
    iface.relations.pf = pf.key;
    pf.relations.vfs.push(iface.key);
  }
  for (const pf of pfByBus.values()) pf.relations.vfs.sort();
}
