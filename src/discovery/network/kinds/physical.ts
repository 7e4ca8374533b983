// A device without IFLA_INFO_KIND: a NIC. Its details are ethtool's driver info and, on an SR-IOV
// physical function, what its driver reports of each VF (IFLA_NUM_VF, IFLA_VFINFO_LIST). The SR-IOV
// role comes from sysfs where the namespace is read (sriovFunction); the PF ↔ VF relations, across
// namespaces, where they are assembled (relateSriov).

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
      sriov: driver?.sriov?.role ?? null, // which PF a VF belongs to: relateSriov, across namespaces
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
