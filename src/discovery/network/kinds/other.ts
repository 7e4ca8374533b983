// Any kind wiresight does not model (dummy, ifb, macsec, xfrm…): `driverKind` still names it.

import { type KindModule, NO_DETAILS } from "./kind-module.ts";

export const other: KindModule = { driverKinds: [], details: () => NO_DETAILS };
