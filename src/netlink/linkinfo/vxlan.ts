// IFLA_INFO_DATA of kind "vxlan" (kernel: drivers/net/vxlan/vxlan_core.c vxlan_fill_info).
// Mind the byte orders: IFLA_VXLAN_ID is a host-order u32, but IFLA_VXLAN_PORT, the port range
// and IFLA_VXLAN_LABEL are network order.

import type { AttributeSet } from "../attribute-set.ts";
import { compact } from "../attribute-set.ts";
import { be16 } from "../attributes.ts";
import { NetlinkDecodeError } from "../errors.ts";
import {
  IFLA_VXLAN_AGEING,
  IFLA_VXLAN_COLLECT_METADATA,
  IFLA_VXLAN_DF,
  IFLA_VXLAN_GROUP,
  IFLA_VXLAN_GROUP6,
  IFLA_VXLAN_ID,
  IFLA_VXLAN_L2MISS,
  IFLA_VXLAN_L3MISS,
  IFLA_VXLAN_LABEL,
  IFLA_VXLAN_LEARNING,
  IFLA_VXLAN_LIMIT,
  IFLA_VXLAN_LINK,
  IFLA_VXLAN_LOCAL,
  IFLA_VXLAN_LOCAL6,
  IFLA_VXLAN_PORT,
  IFLA_VXLAN_PORT_RANGE,
  IFLA_VXLAN_PROXY,
  IFLA_VXLAN_TOS,
  IFLA_VXLAN_TTL,
  IFLA_VXLAN_UDP_CSUM,
} from "../uapi/if_link.ts";

export interface VxlanData {
  kind: "vxlan";
  vni?: number;
  /** Multicast group or unicast remote (the kernel uses one attribute for both). */
  group?: string;
  group6?: string;
  local?: string;
  local6?: string;
  /** Underlay ifindex (in the link's IFLA_LINK_NETNSID namespace when that is set). */
  link?: number;
  /** Destination UDP port, host order. */
  port?: number;
  /** Source UDP port range, host order. */
  portRange?: { low: number; high: number };
  ttl?: number;
  tos?: number;
  learning?: boolean;
  proxy?: boolean;
  ageing?: number;
  limit?: number;
  l2miss?: boolean;
  l3miss?: boolean;
  collectMetadata?: boolean;
  udpCsum?: boolean;
  /** IPv6 flow label, host order. */
  label?: number;
  /** VXLAN_DF_* */
  df?: number;
}

export function decodeVxlan(a: AttributeSet): VxlanData {
  return compact<VxlanData>({
    kind: "vxlan",
    vni: a.u32(IFLA_VXLAN_ID, "IFLA_VXLAN_ID"),
    group: a.ip(IFLA_VXLAN_GROUP, "IFLA_VXLAN_GROUP"),
    group6: a.ip(IFLA_VXLAN_GROUP6, "IFLA_VXLAN_GROUP6"),
    local: a.ip(IFLA_VXLAN_LOCAL, "IFLA_VXLAN_LOCAL"),
    local6: a.ip(IFLA_VXLAN_LOCAL6, "IFLA_VXLAN_LOCAL6"),
    link: a.u32(IFLA_VXLAN_LINK, "IFLA_VXLAN_LINK"),
    port: a.be16(IFLA_VXLAN_PORT, "IFLA_VXLAN_PORT"),
    portRange: portRange(a),
    ttl: a.u8(IFLA_VXLAN_TTL, "IFLA_VXLAN_TTL"),
    tos: a.u8(IFLA_VXLAN_TOS, "IFLA_VXLAN_TOS"),
    learning: a.bool(IFLA_VXLAN_LEARNING, "IFLA_VXLAN_LEARNING"),
    proxy: a.bool(IFLA_VXLAN_PROXY, "IFLA_VXLAN_PROXY"),
    ageing: a.u32(IFLA_VXLAN_AGEING, "IFLA_VXLAN_AGEING"),
    limit: a.u32(IFLA_VXLAN_LIMIT, "IFLA_VXLAN_LIMIT"),
    l2miss: a.bool(IFLA_VXLAN_L2MISS, "IFLA_VXLAN_L2MISS"),
    l3miss: a.bool(IFLA_VXLAN_L3MISS, "IFLA_VXLAN_L3MISS"),
    collectMetadata: a.bool(IFLA_VXLAN_COLLECT_METADATA, "IFLA_VXLAN_COLLECT_METADATA"),
    udpCsum: a.bool(IFLA_VXLAN_UDP_CSUM, "IFLA_VXLAN_UDP_CSUM"),
    label: a.be32(IFLA_VXLAN_LABEL, "IFLA_VXLAN_LABEL"),
    df: a.u8(IFLA_VXLAN_DF, "IFLA_VXLAN_DF"),
  });
}

// struct ifla_vxlan_port_range { __be16 low; __be16 high; }
function portRange(a: AttributeSet): { low: number; high: number } | undefined {
  const attr = a.get(IFLA_VXLAN_PORT_RANGE);
  if (!attr) return undefined;
  if (attr.data.length < 4) {
    throw new NetlinkDecodeError(
      `IFLA_VXLAN_PORT_RANGE: struct ifla_vxlan_port_range needs 4 bytes, got ${attr.data.length}`,
      attr.offset,
    );
  }
  return { low: be16(attr.data), high: be16(attr.data.subarray(2)) };
}
