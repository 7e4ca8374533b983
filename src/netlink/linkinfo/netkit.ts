// IFLA_INFO_DATA of kind "netkit" (kernel: drivers/net/netkit.c netkit_fill_info, Linux ≥ 6.7).
// A netkit device is one of a pair like veth: its peer is IFLA_LINK (+ IFLA_LINK_NETNSID).

import type { AttributeSet } from "../attribute-set.ts";
import { compact } from "../attribute-set.ts";
import {
  IFLA_NETKIT_HEADROOM,
  IFLA_NETKIT_MODE,
  IFLA_NETKIT_PEER_POLICY,
  IFLA_NETKIT_PEER_SCRUB,
  IFLA_NETKIT_POLICY,
  IFLA_NETKIT_PRIMARY,
  IFLA_NETKIT_SCRUB,
  IFLA_NETKIT_TAILROOM,
  NETKIT_DROP,
  NETKIT_L2,
  NETKIT_L3,
  NETKIT_PASS,
  NETKIT_SCRUB_DEFAULT,
  NETKIT_SCRUB_NONE,
} from "../uapi/netkit.ts";

export interface NetkitData {
  kind: "netkit";
  /** The primary end (the one its BPF programs are attached through). */
  primary?: boolean;
  /** iproute2's words: "l2", "l3". */
  mode?: string;
  /** Default verdict without a BPF program, iproute2's words: "forward" (NETKIT_PASS), "blackhole" (NETKIT_DROP). */
  policy?: string;
  peerPolicy?: string;
  /** "none" or "default" (NETKIT_SCRUB_*). */
  scrub?: string;
  peerScrub?: string;
  headroom?: number;
  tailroom?: number;
}

const MODES: Record<number, string> = { [NETKIT_L2]: "l2", [NETKIT_L3]: "l3" };
const POLICIES: Record<number, string> = { [NETKIT_PASS]: "forward", [NETKIT_DROP]: "blackhole" };
const SCRUBS: Record<number, string> = { [NETKIT_SCRUB_NONE]: "none", [NETKIT_SCRUB_DEFAULT]: "default" };
const word = (table: Record<number, string>, n: number | undefined) => (n === undefined ? undefined : (table[n] ?? String(n)));

export function decodeNetkit(a: AttributeSet): NetkitData {
  return compact<NetkitData>({
    kind: "netkit",
    primary: a.bool(IFLA_NETKIT_PRIMARY, "IFLA_NETKIT_PRIMARY"),
    mode: word(MODES, a.u32(IFLA_NETKIT_MODE, "IFLA_NETKIT_MODE")),
    policy: word(POLICIES, a.u32(IFLA_NETKIT_POLICY, "IFLA_NETKIT_POLICY")),
    peerPolicy: word(POLICIES, a.u32(IFLA_NETKIT_PEER_POLICY, "IFLA_NETKIT_PEER_POLICY")),
    scrub: word(SCRUBS, a.u32(IFLA_NETKIT_SCRUB, "IFLA_NETKIT_SCRUB")),
    peerScrub: word(SCRUBS, a.u32(IFLA_NETKIT_PEER_SCRUB, "IFLA_NETKIT_PEER_SCRUB")),
    headroom: a.u16(IFLA_NETKIT_HEADROOM, "IFLA_NETKIT_HEADROOM"),
    tailroom: a.u16(IFLA_NETKIT_TAILROOM, "IFLA_NETKIT_TAILROOM"),
  });
}
