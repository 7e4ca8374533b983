// IFLA_VFINFO_LIST: an SR-IOV physical function's virtual functions as the PF's driver reports them
// (kernel: net/core/rtnetlink.c rtnl_fill_vfinfo; sent when the dump asks RTEXT_FILTER_VF). Each
// IFLA_VF_INFO holds structs that all start with `__u32 vf`, the VF's number. A VF's own netdev,
// wherever it lives, is a separate link; sysfs ties the two (discovery/network/sriov.ts).

import { compact } from "./attribute-set.ts";
import { type Attribute, be16, parseAttributes, u32 } from "./attributes.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { mac } from "./inet.ts";
import {
  IFLA_VF_INFO,
  IFLA_VF_LINK_STATE,
  IFLA_VF_LINK_STATE_AUTO,
  IFLA_VF_LINK_STATE_DISABLE,
  IFLA_VF_LINK_STATE_ENABLE,
  IFLA_VF_MAC,
  IFLA_VF_RATE,
  IFLA_VF_SPOOFCHK,
  IFLA_VF_TRUST,
  IFLA_VF_VLAN,
  IFLA_VF_VLAN_INFO,
  IFLA_VF_VLAN_LIST,
} from "./uapi/if_link.ts";

export interface VfInfo {
  /** The VF's number on its PF (0-based). */
  vf: number;
  /** The MAC the PF assigned (ETH_ALEN bytes of struct ifla_vf_mac's 32). */
  mac?: string;
  /** VLAN the PF tags it with (0: none), its priority, and the tag's EtherType (host order). */
  vlan?: number;
  qos?: number;
  vlanProtocol?: number;
  /** Bandwidth limits in Mbit/s (0: none). */
  minTxRate?: number;
  maxTxRate?: number;
  spoofCheck?: boolean;
  /** "auto" (follows the PF), "enable", "disable". */
  linkState?: string;
  trust?: boolean;
}

const LINK_STATES: Record<number, string> = {
  [IFLA_VF_LINK_STATE_AUTO]: "auto",
  [IFLA_VF_LINK_STATE_ENABLE]: "enable",
  [IFLA_VF_LINK_STATE_DISABLE]: "disable",
};

/** The VFs in IFLA_VFINFO_LIST, in the order the kernel sent them (by VF number). */
export function decodeVfInfoList(list: Attribute): VfInfo[] {
  const out: VfInfo[] = [];
  for (const a of parseAttributes(list.data, list.offset + 4)) {
    if (a.type !== IFLA_VF_INFO) continue;
    out.push(decodeVfInfo(a.data, a.offset + 4));
  }
  return out;
}

function decodeVfInfo(bytes: Uint8Array, base: number): VfInfo {
  const attrs = new Map(parseAttributes(bytes, base).map((a) => [a.type, a]));
  const struct = (type: number, name: string, size: number) => {
    const a = attrs.get(type);
    if (!a) return undefined;
    if (a.data.length < size) throw new NetlinkDecodeError(`${name}: struct needs ${size} bytes, got ${a.data.length}`, a.offset);
    return a.data;
  };
  // struct ifla_vf_mac { __u32 vf; __u8 mac[32]; } is always sent: it names the VF.
  const m = struct(IFLA_VF_MAC, "IFLA_VF_MAC", 4 + 32);
  if (!m) throw new NetlinkDecodeError("IFLA_VF_INFO without IFLA_VF_MAC", base);
  // QinQ-capable drivers send IFLA_VF_VLAN_LIST (struct ifla_vf_vlan_info with the protocol); else
  // struct ifla_vf_vlan { vf; vlan; qos; }.
  const vlanList = attrs.get(IFLA_VF_VLAN_LIST);
  const vlanInfo = vlanList && parseAttributes(vlanList.data, vlanList.offset + 4).find((a) => a.type === IFLA_VF_VLAN_INFO);
  if (vlanInfo && vlanInfo.data.length < 14) throw new NetlinkDecodeError(`IFLA_VF_VLAN_INFO: struct needs 14 bytes, got ${vlanInfo.data.length}`, vlanInfo.offset);
  const vlan = vlanInfo?.data ?? struct(IFLA_VF_VLAN, "IFLA_VF_VLAN", 12);
  const rate = struct(IFLA_VF_RATE, "IFLA_VF_RATE", 12);
  const spoof = struct(IFLA_VF_SPOOFCHK, "IFLA_VF_SPOOFCHK", 8);
  const link = struct(IFLA_VF_LINK_STATE, "IFLA_VF_LINK_STATE", 8);
  const trust = struct(IFLA_VF_TRUST, "IFLA_VF_TRUST", 8);
  const linkState = link && u32(link.subarray(4));
  return compact<VfInfo>({
    vf: u32(m),
    mac: mac(m.subarray(4, 10)),
    vlan: vlan && u32(vlan.subarray(4)),
    qos: vlan && u32(vlan.subarray(8)),
    vlanProtocol: vlanInfo ? be16(vlanInfo.data.subarray(12)) : undefined,
    minTxRate: rate && u32(rate.subarray(4)),
    maxTxRate: rate && u32(rate.subarray(8)),
    // The kernel sends setting −1 (u32 all ones) when the driver cannot tell: leave it out.
    spoofCheck: spoof && u32(spoof.subarray(4)) !== 0xffffffff ? u32(spoof.subarray(4)) !== 0 : undefined,
    linkState: linkState === undefined ? undefined : (LINK_STATES[linkState] ?? String(linkState)),
    trust: trust && u32(trust.subarray(4)) !== 0xffffffff ? u32(trust.subarray(4)) !== 0 : undefined,
  });
}
