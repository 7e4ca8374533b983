// IFLA_INFO_DATA of kinds "ipvlan" and "ipvtap" (kernel: drivers/net/ipvlan/ipvlan_main.c
// ipvlan_nl_fillinfo). Like macvlan, the lower device is IFLA_LINK.

import type { AttributeSet } from "../attribute-set.ts";
import { IFLA_IPVLAN_FLAGS, IFLA_IPVLAN_MODE, IPVLAN_F_PRIVATE, IPVLAN_F_VEPA, IPVLAN_MODE_L2, IPVLAN_MODE_L3, IPVLAN_MODE_L3S } from "../uapi/if_link.ts";

export interface IpvlanData {
  kind: "ipvlan" | "ipvtap";
  /** IPVLAN_MODE_* (IFLA_IPVLAN_MODE is a u16). */
  mode: number;
  /** iproute2's words: "l2", "l3", "l3s"; else the number. */
  modeName: string;
  /** IPVLAN_F_* (u16). */
  flags: number;
  /** iproute2's words: "bridge" (no flag), "private", "vepa"; else the number in hex. */
  flagsName: string;
}

const MODES: Record<number, string> = { [IPVLAN_MODE_L2]: "l2", [IPVLAN_MODE_L3]: "l3", [IPVLAN_MODE_L3S]: "l3s" };
const FLAGS: Record<number, string> = { 0: "bridge", [IPVLAN_F_PRIVATE]: "private", [IPVLAN_F_VEPA]: "vepa" };

/** undefined when IFLA_IPVLAN_MODE is missing (the kernel always sends it). */
export function decodeIpvlan(kind: "ipvlan" | "ipvtap", a: AttributeSet): IpvlanData | undefined {
  const mode = a.u16(IFLA_IPVLAN_MODE, "IFLA_IPVLAN_MODE");
  if (mode === undefined) return undefined;
  const flags = a.u16(IFLA_IPVLAN_FLAGS, "IFLA_IPVLAN_FLAGS") ?? 0;
  return { kind, mode, modeName: MODES[mode] ?? String(mode), flags, flagsName: FLAGS[flags] ?? `0x${flags.toString(16)}` };
}
