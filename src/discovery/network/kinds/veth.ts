// veth: one end of a pair; IFLA_LINK (+ IFLA_LINK_NETNSID) is the other end. No details in dumps.

import { type KindModule, noDetails } from "./kind-module.ts";

export const veth: KindModule = { driverKinds: ["veth"], linkIs: "peer", details: noDetails };
