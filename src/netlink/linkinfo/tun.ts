// IFLA_INFO_DATA of kind "tun", which covers both tun and tap devices
// (kernel: drivers/net/tun.c tun_fill_info).

import type { AttributeSet } from "../attribute-set.ts";
import { compact } from "../attribute-set.ts";
import { IFF_TAP, IFF_TUN } from "../uapi/if_tun.ts";
import {
  IFLA_TUN_GROUP,
  IFLA_TUN_MULTI_QUEUE,
  IFLA_TUN_NUM_DISABLED_QUEUES,
  IFLA_TUN_NUM_QUEUES,
  IFLA_TUN_OWNER,
  IFLA_TUN_PERSIST,
  IFLA_TUN_PI,
  IFLA_TUN_TYPE,
  IFLA_TUN_VNET_HDR,
} from "../uapi/if_link.ts";

export interface TunData {
  kind: "tun";
  type: "tun" | "tap";
  pi?: boolean;
  vnetHdr?: boolean;
  persist?: boolean;
  multiQueue?: boolean;
  /** Only sent for multi-queue devices. */
  numQueues?: number;
  numDisabledQueues?: number;
  /** uid / gid allowed to attach; only sent when set. */
  owner?: number;
  group?: number;
}

/** undefined when IFLA_TUN_TYPE is missing or neither IFF_TUN nor IFF_TAP. */
export function decodeTun(a: AttributeSet): TunData | undefined {
  const t = a.u8(IFLA_TUN_TYPE, "IFLA_TUN_TYPE");
  const type = t === IFF_TUN ? "tun" : t === IFF_TAP ? "tap" : undefined;
  if (!type) return undefined;
  return compact<TunData>({
    kind: "tun",
    type,
    pi: a.bool(IFLA_TUN_PI, "IFLA_TUN_PI"),
    vnetHdr: a.bool(IFLA_TUN_VNET_HDR, "IFLA_TUN_VNET_HDR"),
    persist: a.bool(IFLA_TUN_PERSIST, "IFLA_TUN_PERSIST"),
    multiQueue: a.bool(IFLA_TUN_MULTI_QUEUE, "IFLA_TUN_MULTI_QUEUE"),
    numQueues: a.u32(IFLA_TUN_NUM_QUEUES, "IFLA_TUN_NUM_QUEUES"),
    numDisabledQueues: a.u32(IFLA_TUN_NUM_DISABLED_QUEUES, "IFLA_TUN_NUM_DISABLED_QUEUES"),
    owner: a.u32(IFLA_TUN_OWNER, "IFLA_TUN_OWNER"),
    group: a.u32(IFLA_TUN_GROUP, "IFLA_TUN_GROUP"),
  });
}
