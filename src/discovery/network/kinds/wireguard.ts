// A WireGuard device. It has no IFLA_INFO_DATA: keys, peers, endpoints and allowed IPs come over
// the "wireguard" generic netlink family (netlink/wireguard.ts decodes it), which the namespace
// readers do not ask yet, so discovery knows the kind and nothing more.

import { type KindModule, noDetails } from "./kind-module.ts";

export const wireguard: KindModule = { driverKinds: ["wireguard"], details: noDetails };
