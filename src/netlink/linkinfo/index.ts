// IFLA_LINKINFO: the kind of a link (IFLA_INFO_KIND), its kind-specific data (IFLA_INFO_DATA,
// decoded for the kinds wiresight models) and, on ports, the kind of their master (IFLA_INFO_SLAVE_KIND).

import type { AttributeSet } from "../attribute-set.ts";
import { IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_INFO_SLAVE_KIND } from "../uapi/if_link.ts";
import { type BridgeData, decodeBridge } from "./bridge.ts";
import { type MacvlanData, decodeMacvlan } from "./macvlan.ts";
import { type TunData, decodeTun } from "./tun.ts";
import { type VlanData, decodeVlan } from "./vlan.ts";
import { type VxlanData, decodeVxlan } from "./vxlan.ts";

export type { BridgeData, MacvlanData, TunData, VlanData, VxlanData };

/** veth sends no IFLA_INFO_DATA in dumps: its peer is IFLA_LINK (+ IFLA_LINK_NETNSID). */
export interface VethData {
  kind: "veth";
}

export type LinkKindData = BridgeData | VethData | MacvlanData | VlanData | VxlanData | TunData;

export interface LinkInfo {
  kind?: string;
  slaveKind?: string;
  data?: LinkKindData;
}

export function decodeLinkInfo(info: AttributeSet): LinkInfo {
  const out: LinkInfo = {};
  const kind = info.str(IFLA_INFO_KIND);
  const slaveKind = info.str(IFLA_INFO_SLAVE_KIND);
  if (kind !== undefined) out.kind = kind;
  if (slaveKind !== undefined) out.slaveKind = slaveKind;
  if (kind === undefined) return out;
  const data = decodeKindData(kind, info);
  if (data) out.data = data;
  return out;
}

function decodeKindData(kind: string, info: AttributeSet): LinkKindData | undefined {
  if (kind === "veth") return { kind: "veth" };
  const d = info.nested(IFLA_INFO_DATA);
  if (!d) return undefined;
  switch (kind) {
    case "bridge":
      return decodeBridge(d);
    case "macvlan":
    case "macvtap":
      return decodeMacvlan(kind, d);
    case "vlan":
      return decodeVlan(d);
    case "vxlan":
      return decodeVxlan(d);
    case "tun":
      return decodeTun(d);
    default:
      return undefined; // a kind we do not model: `kind` alone still tells what it is
  }
}
