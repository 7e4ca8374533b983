// IFLA_INFO_DATA of kind "geneve" (kernel: drivers/net/geneve.c geneve_fill_info). Like vxlan:
// IFLA_GENEVE_ID is a host-order u32, IFLA_GENEVE_PORT and IFLA_GENEVE_LABEL are network order.
// A geneve device names no underlay; its packets leave by the route to the remote.

import type { AttributeSet } from "../attribute-set.ts";
import { compact } from "../attribute-set.ts";
import {
  IFLA_GENEVE_COLLECT_METADATA,
  IFLA_GENEVE_DF,
  IFLA_GENEVE_ID,
  IFLA_GENEVE_LABEL,
  IFLA_GENEVE_PORT,
  IFLA_GENEVE_REMOTE,
  IFLA_GENEVE_REMOTE6,
  IFLA_GENEVE_TOS,
  IFLA_GENEVE_TTL,
  IFLA_GENEVE_TTL_INHERIT,
  IFLA_GENEVE_UDP_CSUM,
} from "../uapi/if_link.ts";

export interface GeneveData {
  kind: "geneve";
  vni?: number;
  /** IFLA_GENEVE_REMOTE or IFLA_GENEVE_REMOTE6 (the kernel sends one of them, none in metadata mode). */
  remote?: string;
  /** Destination UDP port, host order. */
  port?: number;
  ttl?: number;
  ttlInherit?: boolean;
  tos?: number;
  /** IPv6 flow label, host order. */
  label?: number;
  /** GENEVE_DF_* (0 unset, 1 set, 2 inherit). */
  df?: number;
  /** External control (`ip link add … external`): no fixed remote or VNI. */
  collectMetadata?: boolean;
  udpCsum?: boolean;
}

export function decodeGeneve(a: AttributeSet): GeneveData {
  return compact<GeneveData>({
    kind: "geneve",
    vni: a.u32(IFLA_GENEVE_ID, "IFLA_GENEVE_ID"),
    remote: a.ip(IFLA_GENEVE_REMOTE, "IFLA_GENEVE_REMOTE") ?? a.ip(IFLA_GENEVE_REMOTE6, "IFLA_GENEVE_REMOTE6"),
    port: a.be16(IFLA_GENEVE_PORT, "IFLA_GENEVE_PORT"),
    ttl: a.u8(IFLA_GENEVE_TTL, "IFLA_GENEVE_TTL"),
    ttlInherit: a.bool(IFLA_GENEVE_TTL_INHERIT, "IFLA_GENEVE_TTL_INHERIT"),
    tos: a.u8(IFLA_GENEVE_TOS, "IFLA_GENEVE_TOS"),
    label: a.be32(IFLA_GENEVE_LABEL, "IFLA_GENEVE_LABEL"),
    df: a.u8(IFLA_GENEVE_DF, "IFLA_GENEVE_DF"),
    // NLA_FLAG: present or absent, no payload.
    collectMetadata: a.get(IFLA_GENEVE_COLLECT_METADATA) ? true : undefined,
    udpCsum: a.bool(IFLA_GENEVE_UDP_CSUM, "IFLA_GENEVE_UDP_CSUM"),
  });
}
