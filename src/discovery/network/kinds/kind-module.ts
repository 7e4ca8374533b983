// What discovery needs to know of one interface kind: which IFLA_INFO_KIND values it covers, its
// details from the decoded link, and how its links relate it to other interfaces. One module per
// kind implements this; index.ts registers them all.

import type { RtLink } from "../../../netlink/index.ts";
import type { NetnsKey } from "../../../model/keys.ts";
import type { InterfaceDetails } from "../../../model/topology.ts";
import type { DriverInfo } from "../interfaces.ts";

export interface DetailsContext {
  netns: NetnsKey;
  /** ethtool's driver info, read for physical devices only. */
  driver: DriverInfo | null | undefined;
}

export interface KindModule {
  /** The IFLA_INFO_KIND values of this kind; none for loopback, physical and other. */
  driverKinds: readonly string[];
  details(link: RtLink, ctx: DetailsContext): InterfaceDetails;
  /**
   * What IFLA_LINK (in IFLA_LINK_NETNSID's namespace) names for this kind: the other end of a
   * pair (veth, netkit) or the lower device it is stacked on (macvlan, vlan, ipvlan).
   */
  linkIs?: "peer" | "lower";
  /** The underlay ifindex its own data names (vxlan, GRE and IP tunnels bound to a device). */
  underlay?(link: RtLink): number | undefined;
  /** A tunnel that names no underlay device: the remote address whose route is its underlay. */
  remote?(details: InterfaceDetails): string | null;
}

/** A fresh object each time: details belong to one interface (indexes key objects by identity). */
export const noDetails = (): InterfaceDetails => ({ kind: "none" });
