// SR-IOV: which physical interfaces are PCI physical functions (PF) or virtual functions (VF), and
// which VF belongs to which PF. rtnetlink says nothing about it; sysfs does, per PCI device (the
// bus address ethtool reported): a VF's device directory has a `physfn` link to its PF's, a PF's
// has `sriov_numvfs`. VFs are often moved into containers, so PF and VF may live in different
// namespaces: matched by bus address across all of them.

import { existsSync, readlinkSync } from "node:fs";
import type { NetworkInterface, NetworkNamespace } from "../../model/topology.ts";

const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i;

export function resolveSriov(namespaces: NetworkNamespace[], sysRoot = "/sys"): void {
  const byBus = new Map<string, NetworkInterface>();
  for (const ns of namespaces)
    for (const i of ns.interfaces) if (i.details.kind === "physical" && i.details.busInfo && PCI_ADDRESS.test(i.details.busInfo)) byBus.set(i.details.busInfo, i);
  for (const [bus, iface] of byBus) {
    if (iface.details.kind !== "physical") continue;
    const dir = `${sysRoot}/bus/pci/devices/${bus}`;
    let physfn: string | null = null;
    try {
      physfn = readlinkSync(`${dir}/physfn`);
    } catch {
      // not a VF (or not a PCI device sysfs knows): fall through to the PF check
    }
    if (physfn !== null) {
      iface.details.sriov = "vf";
      const pf = byBus.get(physfn.slice(physfn.lastIndexOf("/") + 1));
      if (pf) {
        iface.relations.pf = pf.key;
        pf.relations.vfs.push(iface.key);
      }
    } else if (existsSync(`${dir}/sriov_numvfs`)) {
      iface.details.sriov = "pf";
    }
  }
  for (const i of byBus.values()) i.relations.vfs.sort();
}
