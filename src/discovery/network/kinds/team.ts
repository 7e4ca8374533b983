// A team device. rtnetlink tells only its members (IFLA_MASTER, slave kind "team"); its mode and
// active port live in the team generic netlink family, which discovery does not ask yet.

import { type KindModule, noDetails } from "./kind-module.ts";

export const team: KindModule = { driverKinds: ["team"], details: noDetails };
