// Any kind wiresight does not model (dummy, ifb, macsec, xfrm…): `driverKind` still names it.

import { type KindModule, noDetails } from "./kind-module.ts";

export const other: KindModule = { driverKinds: [], details: noDetails };
