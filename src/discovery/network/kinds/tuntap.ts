// tun and tap devices (IFLA_INFO_KIND "tun" for both). The processes feeding them are found in
// the fd table (tun-users.ts).

import { type KindModule, noDetails } from "./kind-module.ts";

export const tuntap: KindModule = {
  driverKinds: ["tun"],
  details: ({ data: d }) =>
    d?.kind === "tun"
      ? {
          kind: "tuntap",
          mode: d.type,
          persistent: d.persist ?? null,
          multiQueue: d.multiQueue ?? null,
          owner: d.owner ?? null,
          group: d.group ?? null,
          vnetHdr: d.vnetHdr ?? null,
          packetInfo: d.pi ?? null,
        }
      : noDetails(),
};
