// IFLA_INFO_DATA of kinds "macvlan" and "macvtap" (kernel: drivers/net/macvlan.c macvlan_fill_info).

import type { AttributeSet } from "../attribute-set.ts";
import { macvlanModeName } from "../names.ts";
import { IFLA_MACVLAN_FLAGS, IFLA_MACVLAN_MODE } from "../uapi/if_link.ts";

export interface MacvlanData {
  kind: "macvlan" | "macvtap";
  /** MACVLAN_MODE_* */
  mode: number;
  modeName: "private" | "vepa" | "bridge" | "passthru" | "source" | string;
  /** MACVLAN_FLAG_* (IFLA_MACVLAN_FLAGS is a u16). */
  flags?: number;
}

/** undefined when IFLA_MACVLAN_MODE is missing (the kernel always sends it). */
export function decodeMacvlan(kind: "macvlan" | "macvtap", a: AttributeSet): MacvlanData | undefined {
  const mode = a.u32(IFLA_MACVLAN_MODE, "IFLA_MACVLAN_MODE");
  if (mode === undefined) return undefined;
  const data: MacvlanData = { kind, mode, modeName: macvlanModeName(mode) };
  const flags = a.u16(IFLA_MACVLAN_FLAGS, "IFLA_MACVLAN_FLAGS");
  if (flags !== undefined) data.flags = flags;
  return data;
}
