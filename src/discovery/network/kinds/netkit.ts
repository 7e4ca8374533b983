// netkit (Linux ≥ 6.7): a veth-like pair whose forwarding BPF programs decide; IFLA_LINK is the peer.

import { type KindModule, noDetails } from "./kind-module.ts";

export const netkit: KindModule = {
  driverKinds: ["netkit"],
  linkIs: "peer",
  details: ({ data: d }) =>
    d?.kind === "netkit" ? { kind: "netkit", mode: d.mode ?? null, primary: d.primary ?? null, policy: d.policy ?? null, peerPolicy: d.peerPolicy ?? null } : noDetails(),
};
