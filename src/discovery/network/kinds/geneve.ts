// A Geneve tunnel endpoint. It names no underlay device: its packets leave by the route to the remote.

import { type KindModule, noDetails } from "./kind-module.ts";

export const geneve: KindModule = {
  driverKinds: ["geneve"],
  remote: (d) => (d.kind === "geneve" ? d.remote : null),
  details: ({ data: d }) =>
    d?.kind === "geneve"
      ? { kind: "geneve", vni: d.vni ?? null, remote: d.remote ?? null, port: d.port ?? null, ttl: d.ttl ?? null, tos: d.tos ?? null, collectMetadata: d.collectMetadata ?? false }
      : noDetails(),
};
