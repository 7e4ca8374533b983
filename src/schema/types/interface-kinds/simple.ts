// Kinds without details of their own: veth and netkit's relation is `peer`, lo has nothing to
// show, team and wireguard have nothing rtnetlink reports (see discovery/network/kinds), and
// `other` names its kind in `driverKind`.

import { kindType } from "./kind-type.ts";

export const VethInterface = kindType("veth", "One end of a veth pair; `peer` is the other end.");
export const LoopbackInterface = kindType("loopback", "A namespace's loopback device.");
export const OtherInterface = kindType("other", "An interface of another kind (`driverKind` names it: dummy, macsec, xfrm\u2026).");
export const TeamInterface = kindType("team", "A team device (libteam); `members` are its ports. Its runner and active port are not read yet.");
export const WireguardInterface = kindType("wireguard", "A WireGuard device. Its peers are not read yet (they live in the wireguard generic netlink family).");
