// lo: told by IFF_LOOPBACK, not by a kind; nothing kind-specific to show.

import { type KindModule, NO_DETAILS } from "./kind-module.ts";

export const loopback: KindModule = { driverKinds: [], details: () => NO_DETAILS };
