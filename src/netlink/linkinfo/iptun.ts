// IFLA_INFO_DATA of the IP-in-IP kinds, which share IFLA_IPTUN_*: "ipip" (IPv4 in IPv4), "sit"
// (IPv6 in IPv4) and "ip6tnl" (IPv4 or IPv6 in IPv6) (kernel: net/ipv4/ipip.c ipip_fill_info,
// net/ipv6/sit.c ipip6_fill_info, net/ipv6/ip6_tunnel.c ip6_tnl_fill_info). IFLA_IPTUN_FLAGS
// is a u16 for sit (SIT_ISATAP) and a u32 for ip6tnl (IP6_TNL_F_*); IFLA_IPTUN_LINK is the
// underlay when the tunnel is bound to a device.

import type { AttributeSet } from "../attribute-set.ts";
import { compact } from "../attribute-set.ts";
import {
  IFLA_IPTUN_COLLECT_METADATA,
  IFLA_IPTUN_ENCAP_LIMIT,
  IFLA_IPTUN_FLAGS,
  IFLA_IPTUN_FLOWINFO,
  IFLA_IPTUN_FWMARK,
  IFLA_IPTUN_LINK,
  IFLA_IPTUN_LOCAL,
  IFLA_IPTUN_PMTUDISC,
  IFLA_IPTUN_PROTO,
  IFLA_IPTUN_REMOTE,
  IFLA_IPTUN_TOS,
  IFLA_IPTUN_TTL,
} from "../uapi/if_tunnel.ts";

export const IPTUN_KINDS = ["ipip", "sit", "ip6tnl"] as const;
export type IptunKind = (typeof IPTUN_KINDS)[number];

export interface IptunData {
  kind: IptunKind;
  link?: number;
  local?: string;
  remote?: string;
  ttl?: number;
  tos?: number;
  pmtudisc?: boolean;
  /** The inner protocol (IPPROTO_IPIP 4, IPPROTO_IPV6 41, 0 any). */
  proto?: number;
  /** ip6tnl: encapsulation limit and flow info; sit, ip6tnl: flags. */
  encapLimit?: number;
  flowinfo?: number;
  flags?: number;
  collectMetadata?: boolean;
  fwmark?: number;
}

export function decodeIptun(kind: IptunKind, a: AttributeSet): IptunData {
  return compact<IptunData>({
    kind,
    link: a.u32(IFLA_IPTUN_LINK, "IFLA_IPTUN_LINK"),
    local: a.ip(IFLA_IPTUN_LOCAL, "IFLA_IPTUN_LOCAL"),
    remote: a.ip(IFLA_IPTUN_REMOTE, "IFLA_IPTUN_REMOTE"),
    ttl: a.u8(IFLA_IPTUN_TTL, "IFLA_IPTUN_TTL"),
    tos: a.u8(IFLA_IPTUN_TOS, "IFLA_IPTUN_TOS"),
    pmtudisc: a.bool(IFLA_IPTUN_PMTUDISC, "IFLA_IPTUN_PMTUDISC"),
    proto: a.u8(IFLA_IPTUN_PROTO, "IFLA_IPTUN_PROTO"),
    encapLimit: a.u8(IFLA_IPTUN_ENCAP_LIMIT, "IFLA_IPTUN_ENCAP_LIMIT"),
    flowinfo: a.be32(IFLA_IPTUN_FLOWINFO, "IFLA_IPTUN_FLOWINFO"),
    flags: kind === "sit" ? a.u16(IFLA_IPTUN_FLAGS, "IFLA_IPTUN_FLAGS") : a.u32(IFLA_IPTUN_FLAGS, "IFLA_IPTUN_FLAGS"),
    collectMetadata: a.get(IFLA_IPTUN_COLLECT_METADATA) ? true : undefined,
    fwmark: a.u32(IFLA_IPTUN_FWMARK, "IFLA_IPTUN_FWMARK"),
  });
}

export function isIptunKind(kind: string): kind is IptunKind {
  return (IPTUN_KINDS as readonly string[]).includes(kind);
}
