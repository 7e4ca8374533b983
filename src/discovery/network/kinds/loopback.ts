// lo: told by IFF_LOOPBACK, not by a kind; nothing kind-specific to show.

import { type KindModule, noDetails } from "./kind-module.ts";

export const loopback: KindModule = { driverKinds: [], details: noDetails };
