// IFLA_LINKINFO: the kind of a link (IFLA_INFO_KIND), its kind-specific data (IFLA_INFO_DATA),
// and, on ports, the kind of their master (IFLA_INFO_SLAVE_KIND) with the master's per-port data
// (IFLA_INFO_SLAVE_DATA). One module per kind decodes its data; KIND_DATA and PORT_DATA below
// are the one place a kind's decoder is registered.

import type { AttributeSet } from "../attribute-set.ts";
import { IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_INFO_SLAVE_DATA, IFLA_INFO_SLAVE_KIND } from "../uapi/if_link.ts";
import { type BondData, type BondPortData, decodeBond, decodeBondPort } from "./bond.ts";
import { type BridgeData, decodeBridge } from "./bridge.ts";
import { type GeneveData, decodeGeneve } from "./geneve.ts";
import { type GreData, type GreKind, GRE_KINDS, decodeGre, isGreKind } from "./gre.ts";
import { type IptunData, type IptunKind, IPTUN_KINDS, decodeIptun, isIptunKind } from "./iptun.ts";
import { type IpvlanData, decodeIpvlan } from "./ipvlan.ts";
import { type MacvlanData, decodeMacvlan } from "./macvlan.ts";
import { type NetkitData, decodeNetkit } from "./netkit.ts";
import { type TunData, decodeTun } from "./tun.ts";
import { type VlanData, decodeVlan } from "./vlan.ts";
import { type VrfData, type VrfPortData, decodeVrf, decodeVrfPort } from "./vrf.ts";
import { type VxlanData, decodeVxlan } from "./vxlan.ts";

export type { BondData, BondPortData, BridgeData, GeneveData, GreData, GreKind, IptunData, IptunKind, IpvlanData, MacvlanData, NetkitData, TunData, VlanData, VrfData, VrfPortData, VxlanData };

/** veth sends no IFLA_INFO_DATA in dumps: its peer is IFLA_LINK (+ IFLA_LINK_NETNSID). */
export interface VethData {
  kind: "veth";
}

export type LinkKindData =
  | BridgeData
  | VethData
  | MacvlanData
  | VlanData
  | VxlanData
  | TunData
  | IpvlanData
  | BondData
  | VrfData
  | GeneveData
  | GreData
  | IptunData
  | NetkitData;

/** IFLA_INFO_SLAVE_DATA, by the master's kind (`slaveKind`). */
export type LinkPortData = BondPortData | VrfPortData;

export interface LinkInfo {
  kind?: string;
  slaveKind?: string;
  data?: LinkKindData;
  slaveData?: LinkPortData;
}

type KindDecoder = (data: AttributeSet, kind: string) => LinkKindData | undefined;

/** IFLA_INFO_KIND → the decoder of its IFLA_INFO_DATA. A kind not listed keeps just its name. */
const KIND_DATA: Record<string, KindDecoder> = {
  bridge: decodeBridge,
  macvlan: (d) => decodeMacvlan("macvlan", d),
  macvtap: (d) => decodeMacvlan("macvtap", d),
  ipvlan: (d) => decodeIpvlan("ipvlan", d),
  ipvtap: (d) => decodeIpvlan("ipvtap", d),
  vlan: decodeVlan,
  vxlan: decodeVxlan,
  geneve: decodeGeneve,
  tun: decodeTun,
  bond: decodeBond,
  vrf: decodeVrf,
  netkit: decodeNetkit,
  ...Object.fromEntries(GRE_KINDS.map((k) => [k, (d: AttributeSet) => decodeGre(k, d)])),
  ...Object.fromEntries(IPTUN_KINDS.map((k) => [k, (d: AttributeSet) => decodeIptun(k, d)])),
};

/** IFLA_INFO_SLAVE_KIND → the decoder of IFLA_INFO_SLAVE_DATA. */
const PORT_DATA: Record<string, (data: AttributeSet) => LinkPortData | undefined> = {
  bond: decodeBondPort,
  vrf: decodeVrfPort,
};

export function decodeLinkInfo(info: AttributeSet): LinkInfo {
  const out: LinkInfo = {};
  const kind = info.str(IFLA_INFO_KIND);
  const slaveKind = info.str(IFLA_INFO_SLAVE_KIND);
  if (kind !== undefined) out.kind = kind;
  if (slaveKind !== undefined) {
    out.slaveKind = slaveKind;
    const decode = Object.hasOwn(PORT_DATA, slaveKind) ? PORT_DATA[slaveKind] : undefined;
    const d = decode && info.nested(IFLA_INFO_SLAVE_DATA);
    const slaveData = d && decode!(d);
    if (slaveData) out.slaveData = slaveData;
  }
  if (kind === undefined) return out;
  const data = decodeKindData(kind, info);
  if (data) out.data = data;
  return out;
}

function decodeKindData(kind: string, info: AttributeSet): LinkKindData | undefined {
  if (kind === "veth") return { kind: "veth" };
  const decode = Object.hasOwn(KIND_DATA, kind) ? KIND_DATA[kind] : undefined;
  const d = decode && info.nested(IFLA_INFO_DATA);
  return d ? decode!(d, kind) : undefined; // a kind we do not decode: `kind` alone still tells what it is
}

export { GRE_KINDS, IPTUN_KINDS, isGreKind, isIptunKind };
