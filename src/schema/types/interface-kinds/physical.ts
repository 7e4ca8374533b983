import type { InterfaceDetails, NetworkInterface, VirtualFunction } from "../../../model/topology.ts";
import { builder } from "../../builder.ts";
import { SriovRoleEnum, VfLinkState, VlanProtocol } from "../../enums.ts";
import { DETAILS, details, kindType } from "./kind-type.ts";

const VirtualFunctionRef = builder.objectRef<VirtualFunction>("VirtualFunction").implement({
  description: "What an SR-IOV physical function's driver says of one of its virtual functions (IFLA_VFINFO_LIST).",
  fields: (t) => ({
    vf: t.exposeInt("vf", { description: "Its number on the PF." }),
    mac: t.exposeString("mac", { description: "The MAC address the PF gave it (00:00:00:00:00:00: none, the VF picks its own).", nullable: true }),
    vlan: t.exposeInt("vlan", { description: "The VLAN the PF tags its traffic with; 0 for none.", nullable: true }),
    qos: t.exposeInt("qos", { description: "The 802.1p priority of that tag.", nullable: true }),
    vlanProtocol: t.field({ type: VlanProtocol.ref, nullable: true, description: "The tag's EtherType.", resolve: (v) => (v.vlanProtocol === null ? null : VlanProtocol.of(v.vlanProtocol)) }),
    minTxRate: t.exposeInt("minTxRate", { description: "Guaranteed transmit rate in Mbit/s; 0 for none.", nullable: true }),
    maxTxRate: t.exposeInt("maxTxRate", { description: "Transmit rate limit in Mbit/s; 0 for none.", nullable: true }),
    spoofCheck: t.exposeBoolean("spoofCheck", { description: "Whether the PF drops frames with a source MAC that is not the VF's.", nullable: true }),
    linkState: t.field({ type: VfLinkState.ref, nullable: true, description: "Its link state as the PF sets it.", resolve: (v) => (v.linkState === null ? null : VfLinkState.of(v.linkState)) }),
    trust: t.exposeBoolean("trust", { description: "Whether the VF may change its MAC and enter promiscuous mode.", nullable: true }),
  }),
});

const PhysicalDetails = builder.objectRef<Extract<InterfaceDetails, { kind: "physical" }>>("PhysicalDetails").implement({
  description: "What the driver (ethtool) says of a physical device.",
  fields: (t) => ({
    driver: t.exposeString("driver", { description: "The driver's name.", nullable: true }),
    driverVersion: t.exposeString("driverVersion", { description: "The driver's version.", nullable: true }),
    firmwareVersion: t.exposeString("firmwareVersion", { description: "The firmware's version.", nullable: true }),
    busInfo: t.exposeString("busInfo", { description: "Where it sits on its bus (a PCI address).", nullable: true }),
    sriov: t.field({ type: SriovRoleEnum, nullable: true, description: "Its PCI device's SR-IOV role (sysfs physfn, sriov_numvfs); null when it has none.", resolve: (d) => d.sriov }),
    numVfs: t.exposeInt("numVfs", { description: "An SR-IOV physical function: how many virtual functions are enabled; null when none are.", nullable: true }),
    virtualFunctions: t.field({
      description: "An SR-IOV physical function: its virtual functions' settings, by VF number; null when none are enabled. `vfs` gives their interfaces.",
      type: [VirtualFunctionRef],
      nullable: true,
      resolve: (d) => d.virtualFunctions,
    }),
  }),
});

export const PhysicalInterface = kindType("physical", "A device without an IFLA_INFO_KIND: a NIC.", (t) => ({
  details: t.field({ type: PhysicalDetails, nullable: true, description: DETAILS, resolve: (i: NetworkInterface) => details(i, "physical") }),
}));
