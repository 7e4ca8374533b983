// A device without IFLA_INFO_KIND: a NIC. Its details are ethtool's driver info and, on an SR-IOV
// physical function, what its driver reports of each VF (IFLA_NUM_VF, IFLA_VFINFO_LIST). The SR-IOV
// role and the PF ↔ VF relations come from sysfs once every namespace is read (sriov.ts).

import { vlanProtocolName, type RtLink, type VfInfo } from "../../../netlink/index.ts";
import type { InterfaceDetails, VirtualFunction } from "../../../model/topology.ts";
import type { DetailsContext, KindModule } from "./kind-module.ts";

export const physical: KindModule = {
  driverKinds: [],
  details(link: RtLink, { driver }: DetailsContext): InterfaceDetails {
    // Every PCI netdev reports IFLA_NUM_VF; only a PF with VFs enabled has anything to show.
    const numVfs = link.numVf ? link.numVf : null;
    return {
      kind: "physical",
      driver: driver?.driver || null,
      driverVersion: driver?.version || null,
      firmwareVersion: driver?.fwVersion || null,
      busInfo: driver?.busInfo || null,
      sriov: null, // from sysfs, once every namespace is read: sriov.ts
      numVfs,
      virtualFunctions: numVfs === null ? null : (link.vfs ?? []).map(virtualFunction),
    };
  },
};

function virtualFunction(v: VfInfo): VirtualFunction {
  return {
    vf: v.vf,
    mac: v.mac ?? null,
    vlan: v.vlan ?? null,
    qos: v.qos ?? null,
    vlanProtocol: v.vlanProtocol === undefined ? null : vlanProtocolName(v.vlanProtocol),
    minTxRate: v.minTxRate ?? null,
    maxTxRate: v.maxTxRate ?? null,
    spoofCheck: v.spoofCheck ?? null,
    linkState: v.linkState ?? null,
    trust: v.trust ?? null,
  };
}
