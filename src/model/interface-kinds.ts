// The kinds of interface wiresight models and each kind's details. This list is the one place a
// kind is registered: every layer that treats kinds differently keeps a Record<InterfaceKind, …>
// of its per-kind modules (discovery/network/kinds, schema/types/interface-kinds, the Ghostwire
// mapping, ls), so a kind added here makes the type checker name each module still to write.

import type { InterfaceKey } from "./keys.ts";

/** In the order GraphQL's InterfaceKind enum and alert rules list them; "other" stays last. */
export const INTERFACE_KINDS = [
  "loopback",
  "physical",
  "veth",
  "bridge",
  "macvlan",
  "vlan",
  "vxlan",
  "tuntap",
  "ipvlan",
  "bond",
  "team",
  "vrf",
  "wireguard",
  "geneve",
  "gre",
  "iptunnel",
  "netkit",
  "other",
] as const;

export type InterfaceKind = (typeof INTERFACE_KINDS)[number];

/** What the PF's driver says of one of its SR-IOV virtual functions (IFLA_VFINFO_LIST). */
export interface VirtualFunction {
  /** Its number on the PF. */
  vf: number;
  mac: string | null;
  /** The VLAN the PF tags its traffic with (0: none), the priority and the tag's EtherType name. */
  vlan: number | null;
  qos: number | null;
  vlanProtocol: string | null;
  /** Mbit/s; 0: no limit. */
  minTxRate: number | null;
  maxTxRate: number | null;
  spoofCheck: boolean | null;
  /** auto (follows the PF), enable, disable. */
  linkState: string | null;
  trust: boolean | null;
}

export type InterfaceDetails =
  | { kind: "none" }
  | {
      kind: "physical";
      driver: string | null;
      driverVersion: string | null;
      firmwareVersion: string | null;
      busInfo: string | null;
      /** SR-IOV role of its PCI device (sysfs physfn / sriov_numvfs); null when it is neither (or not PCI). */
      sriov: "pf" | "vf" | null;
      /** An SR-IOV PF with VFs enabled: how many, and their settings (rtnetlink); null otherwise. */
      numVfs: number | null;
      virtualFunctions: VirtualFunction[] | null;
    }
  | { kind: "bridge"; stpState: number | null; vlanFiltering: boolean | null; forwardDelay: number | null; ageingTime: number | null; priority: number | null; bridgeId: string | null }
  | { kind: "macvlan"; mode: string; macvtap: boolean }
  | { kind: "vlan"; id: number; protocol: string }
  | {
      kind: "vxlan";
      vni: number | null;
      group: string | null;
      remote: string | null;
      local: string | null;
      port: number | null;
      sourcePortRange: { low: number; high: number } | null;
      ttl: number | null;
      tos: number | null;
      learning: boolean | null;
      proxy: boolean | null;
    }
  | { kind: "tuntap"; mode: "tun" | "tap"; persistent: boolean | null; multiQueue: boolean | null; owner: number | null; group: number | null; vnetHdr: boolean | null; packetInfo: boolean | null }
  | { kind: "ipvlan"; mode: string; flags: string; ipvtap: boolean }
  | {
      kind: "bond";
      /** balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb. */
      mode: string;
      /** The member carrying the traffic (active-backup, tlb, alb); null when none or not such a mode. */
      activeMember: InterfaceKey | null;
      /** The preferred member; null when none is set. */
      primary: InterfaceKey | null;
      /** MII monitoring interval, up and down delays, in milliseconds. */
      miimon: number | null;
      updelay: number | null;
      downdelay: number | null;
      minLinks: number | null;
      xmitHashPolicy: string | null;
    }
  | { kind: "vrf"; table: number }
  | {
      kind: "geneve";
      vni: number | null;
      remote: string | null;
      port: number | null;
      ttl: number | null;
      tos: number | null;
      /** External control: no fixed remote or VNI (a flow-based device). */
      collectMetadata: boolean;
    }
  | {
      kind: "gre";
      /** null or the unspecified address: any. */
      local: string | null;
      remote: string | null;
      /** GRE keys, only where the key flag is set. */
      inputKey: number | null;
      outputKey: number | null;
      ttl: number | null;
      tos: number | null;
      pmtudisc: boolean | null;
      encapLimit: number | null;
      collectMetadata: boolean;
    }
  | {
      kind: "iptunnel";
      local: string | null;
      remote: string | null;
      ttl: number | null;
      tos: number | null;
      pmtudisc: boolean | null;
      /** The inner protocol number (4 IPv4, 41 IPv6, 0 any). */
      protocol: number | null;
      encapLimit: number | null;
      collectMetadata: boolean;
    }
  | {
      kind: "netkit";
      /** l2 or l3. */
      mode: string | null;
      primary: boolean | null;
      /** What it does without a BPF program: forward or blackhole; the peer's too. */
      policy: string | null;
      peerPolicy: string | null;
    };
