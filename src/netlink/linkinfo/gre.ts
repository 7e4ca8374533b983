// IFLA_INFO_DATA of the GRE kinds: "gre", "gretap" (IPv4), "ip6gre", "ip6gretap" (IPv6), and
// "erspan"/"ip6erspan", which share the attributes (kernel: net/ipv4/ip_gre.c ipgre_fill_info,
// net/ipv6/ip6_gre.c ip6gre_fill_info). IFLA_GRE_IFLAGS/OFLAGS are the GRE header's flags
// (__be16), the keys __be32. IFLA_GRE_LINK is the underlay when the tunnel is bound to a device.

import type { AttributeSet } from "../attribute-set.ts";
import { compact } from "../attribute-set.ts";
import {
  IFLA_GRE_COLLECT_METADATA,
  IFLA_GRE_ENCAP_LIMIT,
  IFLA_GRE_FLOWINFO,
  IFLA_GRE_FWMARK,
  IFLA_GRE_IFLAGS,
  IFLA_GRE_IKEY,
  IFLA_GRE_LINK,
  IFLA_GRE_LOCAL,
  IFLA_GRE_OFLAGS,
  IFLA_GRE_OKEY,
  IFLA_GRE_PMTUDISC,
  IFLA_GRE_REMOTE,
  IFLA_GRE_TOS,
  IFLA_GRE_TTL,
} from "../uapi/if_tunnel.ts";

export const GRE_KINDS = ["gre", "gretap", "ip6gre", "ip6gretap", "erspan", "ip6erspan"] as const;
export type GreKind = (typeof GRE_KINDS)[number];

/** GRE header flag bits in host order (linux/if_tunnel.h defines them as __cpu_to_be16(…)). */
const GRE_CSUM = 0x8000;
const GRE_KEY = 0x2000;
const GRE_SEQ = 0x1000;

export interface GreData {
  kind: GreKind;
  /** Underlay ifindex (0 or absent: none; the route to the remote decides). */
  link?: number;
  /** Absent or the unspecified address ("0.0.0.0", "::") means any. */
  local?: string;
  remote?: string;
  /** Keys, only when the GRE_KEY flag is set in that direction. */
  ikey?: number;
  okey?: number;
  /** Checksums and sequence numbers, per direction. */
  icsum?: boolean;
  ocsum?: boolean;
  iseq?: boolean;
  oseq?: boolean;
  ttl?: number;
  tos?: number;
  /** IPv4 path MTU discovery (DF set on outer packets). */
  pmtudisc?: boolean;
  /** IPv6: tunnel encapsulation limit and flow info. */
  encapLimit?: number;
  flowinfo?: number;
  collectMetadata?: boolean;
  fwmark?: number;
}

export function decodeGre(kind: GreKind, a: AttributeSet): GreData {
  const iflags = a.be16(IFLA_GRE_IFLAGS, "IFLA_GRE_IFLAGS") ?? 0;
  const oflags = a.be16(IFLA_GRE_OFLAGS, "IFLA_GRE_OFLAGS") ?? 0;
  return compact<GreData>({
    kind,
    link: a.u32(IFLA_GRE_LINK, "IFLA_GRE_LINK"),
    local: a.ip(IFLA_GRE_LOCAL, "IFLA_GRE_LOCAL"),
    remote: a.ip(IFLA_GRE_REMOTE, "IFLA_GRE_REMOTE"),
    ikey: iflags & GRE_KEY ? a.be32(IFLA_GRE_IKEY, "IFLA_GRE_IKEY") : undefined,
    okey: oflags & GRE_KEY ? a.be32(IFLA_GRE_OKEY, "IFLA_GRE_OKEY") : undefined,
    icsum: (iflags & GRE_CSUM) !== 0,
    ocsum: (oflags & GRE_CSUM) !== 0,
    iseq: (iflags & GRE_SEQ) !== 0,
    oseq: (oflags & GRE_SEQ) !== 0,
    ttl: a.u8(IFLA_GRE_TTL, "IFLA_GRE_TTL"),
    tos: a.u8(IFLA_GRE_TOS, "IFLA_GRE_TOS"),
    pmtudisc: a.bool(IFLA_GRE_PMTUDISC, "IFLA_GRE_PMTUDISC"),
    encapLimit: a.u8(IFLA_GRE_ENCAP_LIMIT, "IFLA_GRE_ENCAP_LIMIT"),
    flowinfo: a.be32(IFLA_GRE_FLOWINFO, "IFLA_GRE_FLOWINFO"),
    collectMetadata: a.get(IFLA_GRE_COLLECT_METADATA) ? true : undefined,
    fwmark: a.u32(IFLA_GRE_FWMARK, "IFLA_GRE_FWMARK"),
  });
}

export function isGreKind(kind: string): kind is GreKind {
  return (GRE_KINDS as readonly string[]).includes(kind);
}
