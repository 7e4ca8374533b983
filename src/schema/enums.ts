// Every fixed vocabulary of the schema as a GraphQL enum: values in SCREAMING_SNAKE_CASE (GitHub's
// and Shopify's convention), each described, each mapped to the word the model (and the dump)
// uses, so a filter given a value that does not exist is a validation error, not an empty answer.
//
// Vocabularies the kernel may extend (route protocols, TCP states…) have an OTHER value: a word
// this version does not know is answered as OTHER, never as an error; the type that holds it
// keeps the kernel's word in a `…Name` field where the word carries information (route protocol).

import { builder } from "./builder.ts";

type Values = Record<string, { value: string; description: string }>;

/** An enum whose values are all known: the model can hold nothing else. */
function closed<const V extends Values>(name: string, description: string, values: V) {
  return builder.enumType(name, { description, values });
}

/**
 * An enum over a vocabulary that may grow: `of(word)` gives the enum's value for a model word,
 * OTHER's for a word it does not list.
 */
function open<const V extends Values>(name: string, description: string, values: V, other: string) {
  const all = { ...values, OTHER: { value: "other", description: other } } as V & { OTHER: { value: "other"; description: string } };
  const ref = builder.enumType(name, { description, values: all });
  const known = new Set(Object.values(values).map((v) => v.value));
  return { ref, of: (word: string) => (known.has(word) ? word : "other") as V[keyof V]["value"] | "other" };
}

export const InterfaceKindEnum = closed("InterfaceKind", "What kind of interface this is (the GraphQL type of an `Interface` follows it).", {
  LOOPBACK: { value: "loopback", description: "The namespace's loopback device (lo)." },
  PHYSICAL: { value: "physical", description: "A device without an IFLA_INFO_KIND: a NIC (or one a driver presents as such)." },
  VETH: { value: "veth", description: "One end of a veth pair." },
  BRIDGE: { value: "bridge", description: "A Linux bridge." },
  MACVLAN: { value: "macvlan", description: "A macvlan or macvtap device on a lower device." },
  VLAN: { value: "vlan", description: "An 802.1Q/802.1ad VLAN device on a lower device." },
  VXLAN: { value: "vxlan", description: "A VXLAN tunnel endpoint." },
  TUNTAP: { value: "tuntap", description: "A tun or tap device, fed by a process." },
  IPVLAN: { value: "ipvlan", description: "An ipvlan or ipvtap device on a lower device." },
  BOND: { value: "bond", description: "A bond (link aggregation)." },
  TEAM: { value: "team", description: "A team device (link aggregation by libteam)." },
  VRF: { value: "vrf", description: "A VRF (an L3 routing domain)." },
  WIREGUARD: { value: "wireguard", description: "A WireGuard tunnel." },
  GENEVE: { value: "geneve", description: "A Geneve tunnel endpoint." },
  GRE: { value: "gre", description: "A GRE tunnel (gre, gretap, ip6gre, ip6gretap, erspan)." },
  IPTUNNEL: { value: "iptunnel", description: "An IP-in-IP tunnel (ipip, sit, ip6tnl)." },
  NETKIT: { value: "netkit", description: "One end of a netkit pair." },
  OTHER: { value: "other", description: "Any other kind the kernel reports (`driverKind` names it: dummy, macsec, xfrm…)." },
});

export const OperStateEnum = closed("OperState", "The operational state (IF_OPER_*, RFC 2863) as `ip link` shows it.", {
  UNKNOWN: { value: "UNKNOWN", description: "The driver does not say (loopback, tun, many virtual devices)." },
  NOT_PRESENT: { value: "NOTPRESENT", description: "A component is missing (hardware removed)." },
  DOWN: { value: "DOWN", description: "Not passing packets." },
  LOWER_LAYER_DOWN: { value: "LOWERLAYERDOWN", description: "Down because a device it sits on is down (a veth whose peer is down, a vlan on a down device)." },
  TESTING: { value: "TESTING", description: "In a test mode." },
  DORMANT: { value: "DORMANT", description: "Up but waiting for an external event (802.1X)." },
  UP: { value: "UP", description: "Passing packets." },
});

/** The model holds IF_OPER_* words; a number the kernel may add some day is answered as UNKNOWN. */
export const operStateOf = (word: string) => (["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"].includes(word) ? word : "UNKNOWN") as "UNKNOWN";

export const AddressFamilyEnum = closed("AddressFamily", "An IP version.", {
  IPV4: { value: "ipv4", description: "IPv4 (AF_INET)." },
  IPV6: { value: "ipv6", description: "IPv6 (AF_INET6)." },
});

export const TransportProtocolEnum = closed("TransportProtocol", "A transport protocol wiresight reads sockets of.", {
  TCP: { value: "tcp", description: "TCP." },
  UDP: { value: "udp", description: "UDP." },
});

export const SocketState = open(
  "SocketState",
  "The kernel's socket state (TCP_* in include/net/tcp_states.h; UDP sockets are CLOSE when unconnected and ESTABLISHED when connected).",
  {
    ESTABLISHED: { value: "ESTABLISHED", description: "Connected." },
    SYN_SENT: { value: "SYN_SENT", description: "Connecting: SYN sent." },
    SYN_RECV: { value: "SYN_RECV", description: "Connecting: SYN received (Fast Open)." },
    FIN_WAIT1: { value: "FIN_WAIT1", description: "Closing: FIN sent." },
    FIN_WAIT2: { value: "FIN_WAIT2", description: "Closing: FIN acknowledged, waiting for the peer's." },
    TIME_WAIT: { value: "TIME_WAIT", description: "Closed, waiting for late packets." },
    CLOSE: { value: "CLOSE", description: "Not connected (an unconnected UDP socket)." },
    CLOSE_WAIT: { value: "CLOSE_WAIT", description: "The peer closed; waiting for the application." },
    LAST_ACK: { value: "LAST_ACK", description: "Closing: waiting for the last acknowledgement." },
    LISTEN: { value: "LISTEN", description: "Listening for connections." },
    CLOSING: { value: "CLOSING", description: "Both sides closing at once." },
    NEW_SYN_RECV: { value: "NEW_SYN_RECV", description: "A connection request not yet accepted." },
    BOUND_INACTIVE: { value: "BOUND_INACTIVE", description: "Bound but neither listening nor connected." },
  },
  "A state this version does not know.",
);

export const SimpleSocketStateEnum = closed("SimpleSocketState", "A socket's state in three words, for filters.", {
  LISTENING: { value: "listening", description: "TCP LISTEN, or UDP bound and unconnected (it takes datagrams from anyone)." },
  CONNECTED: { value: "connected", description: "ESTABLISHED (TCP, or UDP after connect())." },
  OTHER: { value: "other", description: "Any other TCP state (opening, closing, TIME_WAIT…)." },
});

export const RouteType = open(
  "RouteType",
  "What a route does with a packet (RTN_*).",
  {
    UNSPEC: { value: "none", description: "RTN_UNSPEC (`ip route` prints none)." },
    UNICAST: { value: "unicast", description: "Forward through a gateway or an interface." },
    LOCAL: { value: "local", description: "Deliver to this namespace (the local table)." },
    BROADCAST: { value: "broadcast", description: "Deliver as broadcast." },
    ANYCAST: { value: "anycast", description: "Deliver locally as anycast." },
    MULTICAST: { value: "multicast", description: "Multicast routing." },
    BLACKHOLE: { value: "blackhole", description: "Drop silently." },
    UNREACHABLE: { value: "unreachable", description: "Drop with ICMP unreachable." },
    PROHIBIT: { value: "prohibit", description: "Drop with ICMP prohibited." },
    THROW: { value: "throw", description: "Continue the lookup in the next rule's table." },
    NAT: { value: "nat", description: "Stateless NAT (obsolete)." },
    XRESOLVE: { value: "xresolve", description: "Resolve externally (obsolete)." },
  },
  "A type this version does not know.",
);

export const Scope = open(
  "Scope",
  "How far an address or route reaches (RT_SCOPE_*), as `ip` names it.",
  {
    GLOBAL: { value: "global", description: "RT_SCOPE_UNIVERSE: everywhere." },
    SITE: { value: "site", description: "Within the site (IPv6)." },
    LINK: { value: "link", description: "On the link only." },
    HOST: { value: "host", description: "Within this namespace only." },
    NOWHERE: { value: "nowhere", description: "Nowhere (a destination that does not exist)." },
  },
  "A numeric scope `ip` has no name for.",
);

export const RouteProtocol = open(
  "RouteProtocol",
  "Who installed a route (RTPROT_*), as /etc/iproute2/rt_protos names it.",
  {
    UNSPEC: { value: "unspec", description: "Not given." },
    REDIRECT: { value: "redirect", description: "An ICMP redirect." },
    KERNEL: { value: "kernel", description: "The kernel (prefix and local routes of addresses)." },
    BOOT: { value: "boot", description: "`ip route add` without a protocol, or boot scripts." },
    STATIC: { value: "static", description: "An administrator, meant to stay." },
    GATED: { value: "gated", description: "gated." },
    RA: { value: "ra", description: "An IPv6 router advertisement." },
    MRT: { value: "mrt", description: "Merit MRT." },
    ZEBRA: { value: "zebra", description: "Zebra (Quagga, FRR)." },
    BIRD: { value: "bird", description: "BIRD." },
    DNROUTED: { value: "dnrouted", description: "DECnet routing daemon." },
    XORP: { value: "xorp", description: "XORP." },
    NTK: { value: "ntk", description: "Netsukuku." },
    DHCP: { value: "dhcp", description: "A DHCP client." },
    KEEPALIVED: { value: "keepalived", description: "keepalived." },
    BABEL: { value: "babel", description: "Babel." },
    OPENR: { value: "openr", description: "Open/R." },
    BGP: { value: "bgp", description: "BGP (FRR)." },
    ISIS: { value: "isis", description: "IS-IS (FRR)." },
    OSPF: { value: "ospf", description: "OSPF (FRR)." },
    RIP: { value: "rip", description: "RIP (FRR)." },
    EIGRP: { value: "eigrp", description: "EIGRP (FRR)." },
  },
  "A protocol number without a name (`protocolName` holds the number).",
);

export const RoutePreferenceEnum = closed("RoutePreference", "IPv6 router preference (RTA_PREF, RFC 4191).", {
  LOW: { value: "low", description: "Low." },
  MEDIUM: { value: "medium", description: "Medium (the default)." },
  HIGH: { value: "high", description: "High." },
});

export const MacvlanMode = open(
  "MacvlanMode",
  "How a macvlan device forwards between itself and its siblings (MACVLAN_MODE_*).",
  {
    PRIVATE: { value: "private", description: "No traffic between siblings." },
    VEPA: { value: "vepa", description: "Siblings talk through the external switch." },
    BRIDGE: { value: "bridge", description: "Siblings talk directly." },
    PASSTHRU: { value: "passthru", description: "One device takes the lower device over." },
    SOURCE: { value: "source", description: "Frames chosen by source MAC address." },
  },
  "A mode this version does not know.",
);

export const VlanProtocol = open(
  "VlanProtocol",
  "The VLAN tag's EtherType.",
  {
    IEEE_802_1Q: { value: "802.1Q", description: "802.1Q (0x8100)." },
    IEEE_802_1AD: { value: "802.1ad", description: "802.1ad, QinQ (0x88a8)." },
  },
  "Another EtherType.",
);

export const IpvlanMode = open(
  "IpvlanMode",
  "Where an ipvlan device switches (IPVLAN_MODE_*).",
  {
    L2: { value: "l2", description: "At layer 2: the lower device switches by MAC, as for macvlan." },
    L3: { value: "l3", description: "At layer 3: routed by IP address; no broadcast or multicast." },
    L3S: { value: "l3s", description: "Like L3, but incoming packets pass netfilter in the lower device's namespace." },
  },
  "A mode this version does not know.",
);

export const IpvlanFlags = open(
  "IpvlanFlags",
  "How an ipvlan device forwards among its siblings (IPVLAN_F_*).",
  {
    BRIDGE: { value: "bridge", description: "Siblings talk directly (no flag)." },
    PRIVATE: { value: "private", description: "No traffic between siblings." },
    VEPA: { value: "vepa", description: "Siblings talk through the external switch." },
  },
  "A flag combination this version does not know.",
);

export const BondMode = open(
  "BondMode",
  "How a bond uses its members (BOND_MODE_*).",
  {
    BALANCE_RR: { value: "balance-rr", description: "Round robin over all members." },
    ACTIVE_BACKUP: { value: "active-backup", description: "One active member; the others stand by." },
    BALANCE_XOR: { value: "balance-xor", description: "A member per flow, by the transmit hash policy." },
    BROADCAST: { value: "broadcast", description: "Every packet on every member." },
    IEEE_802_3AD: { value: "802.3ad", description: "LACP link aggregation (802.3ad)." },
    BALANCE_TLB: { value: "balance-tlb", description: "Transmit load balancing by member load." },
    BALANCE_ALB: { value: "balance-alb", description: "Transmit and receive load balancing (ARP negotiation)." },
  },
  "A mode this version does not know.",
);

export const BondXmitHashPolicy = open(
  "BondXmitHashPolicy",
  "What a bond hashes to pick a member for a flow (BOND_XMIT_POLICY_*).",
  {
    LAYER2: { value: "layer2", description: "MAC addresses." },
    LAYER3_4: { value: "layer3+4", description: "IP addresses and ports." },
    LAYER2_3: { value: "layer2+3", description: "MAC and IP addresses." },
    ENCAP2_3: { value: "encap2+3", description: "MAC and IP addresses of the inner packet of a tunnel." },
    ENCAP3_4: { value: "encap3+4", description: "IP addresses and ports of the inner packet of a tunnel." },
    VLAN_SRCMAC: { value: "vlan+srcmac", description: "VLAN id and source MAC address." },
  },
  "A policy this version does not know.",
);

export const NetkitMode = open(
  "NetkitMode",
  "What a netkit pair carries (NETKIT_L2, NETKIT_L3).",
  {
    L2: { value: "l2", description: "Ethernet frames." },
    L3: { value: "l3", description: "IP packets." },
  },
  "A mode this version does not know.",
);

export const NetkitPolicy = open(
  "NetkitPolicy",
  "What a netkit device does with packets when no BPF program is attached.",
  {
    FORWARD: { value: "forward", description: "Passes them on (NETKIT_PASS)." },
    BLACKHOLE: { value: "blackhole", description: "Drops them (NETKIT_DROP)." },
  },
  "A policy this version does not know.",
);

export const VfLinkState = open(
  "VfLinkState",
  "An SR-IOV virtual function's link state as its PF sets it (IFLA_VF_LINK_STATE_*).",
  {
    AUTO: { value: "auto", description: "Follows the PF's link." },
    ENABLE: { value: "enable", description: "Always up." },
    DISABLE: { value: "disable", description: "Always down." },
  },
  "A state this version does not know.",
);

export const TuntapModeEnum = closed("TuntapMode", "What a tun/tap device carries.", {
  TUN: { value: "tun", description: "IP packets (layer 3)." },
  TAP: { value: "tap", description: "Ethernet frames (layer 2)." },
});

export const SriovRoleEnum = closed("SriovRole", "A PCI network device's part in SR-IOV.", {
  PF: { value: "pf", description: "A physical function: it has virtual functions (sriov_numvfs > 0)." },
  VF: { value: "vf", description: "A virtual function of a physical function (sysfs physfn)." },
});

export const ReferenceKindEnum = closed("NamespaceReferenceKind", "How a namespace was found.", {
  PROCESS: { value: "process", description: "A process is attached to it." },
  THREAD: { value: "thread", description: "Only a thread of a process is attached to it." },
  BIND_MOUNT: { value: "bindmount", description: "It is bind-mounted (`ip netns add`, container runtimes)." },
  FD: { value: "fd", description: "Only an open file descriptor holds it." },
});

export const TenantKindEnum = closed("TenantKind", "Where a tenant comes from.", {
  PROCESS: { value: "process", description: "A leader of the namespace: a process attached to it whose parent is not." },
  CONTAINER: { value: "container", description: "Such a leader that a container engine names as a container's init process." },
});

export const ContainerGroupKindEnum = closed("ContainerGroupKind", "What ties containers together beyond their engine.", {
  COMPOSE_PROJECT: { value: "compose-project", description: "A Docker Compose or podman-compose project." },
  KUBERNETES_POD: { value: "kubernetes-pod", description: "A Kubernetes pod." },
});

export const ContainerState = open(
  "ContainerState",
  "A container's state as its engine says it (Docker and Podman list running and paused containers only; containerd and CRI-O list every container).",
  {
    RUNNING: { value: "running", description: "Running." },
    PAUSED: { value: "paused", description: "Paused (its processes are frozen)." },
    PAUSING: { value: "pausing", description: "containerd: being paused." },
    CREATED: { value: "created", description: "containerd, CRI-O: created, not started yet." },
    STOPPED: { value: "stopped", description: "containerd: its task has ended, or it has none." },
    EXITED: { value: "exited", description: "CRI-O: its process has ended." },
    UNKNOWN: { value: "unknown", description: "CRI-O: the runtime does not know." },
  },
  "Another word of the engine's.",
);

export const EngineKindEnum = closed("EngineKind", "A container engine wiresight recognises.", {
  DOCKER: { value: "docker", description: "Docker (dockerd)." },
  PODMAN: { value: "podman", description: "Podman (its API service)." },
  CONTAINERD: { value: "containerd", description: "containerd (its gRPC API, every containerd namespace, and its CRI plugin's pods)." },
  CRI_O: { value: "cri-o", description: "CRI-O (the Kubernetes CRI over gRPC: pods and containers)." },
});

export const EngineStatusEnum = closed("EngineStatus", "Whether wiresight could read a container engine.", {
  OK: { value: "ok", description: "The API answered and its containers and networks were read." },
  UNREACHABLE: { value: "unreachable", description: "No listening socket answered the API (see the topology's warnings)." },
  PARTIAL: { value: "partial", description: "The API answered, but reading containers or networks failed (see warnings)." },
  NOT_QUERIED: { value: "not-queried", description: "An engine whose API was not asked: containerd in recordings made before wiresight spoke its gRPC API (every engine it recognises is asked now)." },
});

export const ForwardSourceKindEnum = closed("ForwardSourceKind", "Where a port forwarding was found.", {
  NFT_RULE: { value: "nft-rule", description: "An nf_tables DNAT rule (native nft or iptables-nft)." },
  PROXY: { value: "proxy", description: "A userland proxy process (docker-proxy, rootlessport…)." },
});

export const ForwardingEngineEnum = closed("ForwardingEngine", "The engine a forwarding belongs to, when its rule or process says so.", {
  DOCKER: { value: "docker", description: "Docker." },
  CNI: { value: "cni", description: "A CNI portmap plugin (Podman with CNI, Kubernetes)." },
  NETAVARK: { value: "netavark", description: "Netavark (Podman 4+)." },
  KUBE_PROXY: { value: "kube-proxy", description: "kube-proxy (a Kubernetes service's forwarding; its `service` says which)." },
});

export const PodStateEnum = closed("PodState", "A pod sandbox's state as its CRI runtime says it.", {
  READY: { value: "ready", description: "SANDBOX_READY: its network namespace is set up and its containers can run." },
  NOT_READY: { value: "notready", description: "SANDBOX_NOTREADY: stopped, or not yet (or no longer) set up." },
});

export const ServiceAccessEnum = closed("ServiceAccess", "How a frontend reaches a Kubernetes service.", {
  CLUSTER_IP: { value: "clusterIP", description: "Its ClusterIP." },
  EXTERNAL_IP: { value: "externalIP", description: "One of its external IPs (iptables mode)." },
  LOAD_BALANCER_IP: { value: "loadBalancerIP", description: "Its load balancer's IP (iptables mode)." },
  NODE_PORT: { value: "nodePort", description: "Its NodePort, on any local address." },
  EXTERNAL: { value: "external", description: "An external or load-balancer IP (nftables mode, whose rules do not tell the two apart)." },
});

export const KubeProxyModeEnum = closed("KubeProxyMode", "Which kube-proxy mode wrote a service's rules.", {
  IPTABLES: { value: "iptables", description: "iptables mode (through iptables-nft: KUBE-SERVICES, KUBE-SVC-…, KUBE-SEP-… chains)." },
  NFTABLES: { value: "nftables", description: "nftables mode (the kube-proxy table's service-ips and service-nodeports maps)." },
});

export const ServiceProtocol = open(
  "ServiceProtocol",
  "A Kubernetes service port's protocol.",
  {
    TCP: { value: "tcp", description: "TCP." },
    UDP: { value: "udp", description: "UDP." },
    SCTP: { value: "sctp", description: "SCTP." },
  },
  "A protocol number with no name here.",
);

export const NatRuleFormEnum = closed("NatRuleForm", "How a DNAT rule is written in nf_tables.", {
  NFT: { value: "nft", description: "A native nft dnat expression." },
  XT: { value: "xt", description: "An iptables-nft DNAT target (an xtables blob)." },
});

export const CaptureTargetKindEnum = closed("CaptureTargetKind", "What a capture target is.", {
  NAMESPACE: { value: "namespace", description: "A network namespace." },
  CONTAINER: { value: "container", description: "A container (its namespace)." },
  POD: { value: "pod", description: "A Kubernetes pod (its network namespace, shared by its containers)." },
});

export const HopKindEnum = closed("WhereIsHopKind", "What moved the packet one hop.", {
  ROUTE: { value: "route", description: "The namespace's routing chose a route." },
  BRIDGE: { value: "bridge", description: "A bridge switched the frame to a port." },
  DNAT: { value: "dnat", description: "A forwarding (NAT rule, proxy, kube-proxy service) rewrote the destination." },
});

export const StartKindEnum = closed("WhereIsStartKind", "How `from` was understood.", {
  INITIAL: { value: "initial", description: "The initial (host) namespace." },
  NETNS: { value: "netns", description: "A namespace." },
  INTERFACE: { value: "interface", description: "An interface: the packet leaves through it." },
  ADDRESS: { value: "address", description: "An address: the packet leaves from the namespace that holds it." },
});

export const PathEndEnum = closed("WhereIsEndReason", "Why a path ends where it ends.", {
  DELIVERED: { value: "delivered", description: "A local route (or an address) in the last namespace takes it." },
  BLACKHOLE: { value: "blackhole", description: "A blackhole route drops it." },
  UNREACHABLE: { value: "unreachable", description: "An unreachable route refuses it." },
  PROHIBIT: { value: "prohibit", description: "A prohibit route refuses it." },
  BROADCAST: { value: "broadcast", description: "It is a broadcast." },
  MULTICAST: { value: "multicast", description: "It is a multicast." },
  UNSUPPORTED_ROUTE: { value: "unsupported-route", description: "A route type wiresight does not follow (nat, xresolve, unspec)." },
  NO_ROUTE: { value: "no-route", description: "No route matches." },
  LEAVES: { value: "leaves", description: "It leaves through an interface wiresight does not follow (physical, tun, vxlan, macvlan…)." },
  LINK_DOWN: { value: "link-down", description: "The egress interface, or the veth peer behind it, is administratively down." },
  NO_NEIGHBOUR: { value: "no-neighbour", description: "Nothing behind the link owns the next hop (ARP/ND would go unanswered)." },
  LOOP: { value: "loop", description: "The path comes back to a namespace it passed." },
  HOP_LIMIT: { value: "hop-limit", description: "Too many hops." },
});

export const EntityKindEnum = closed("EntityKind", "The entity kinds the history records (and change rules match).", {
  NAMESPACE: { value: "namespace", description: "A network namespace." },
  INTERFACE: { value: "interface", description: "An interface." },
  ADDRESS: { value: "address", description: "An address." },
  ROUTE: { value: "route", description: "A route." },
  SOCKET: { value: "socket", description: "A socket." },
  PROCESS: { value: "process", description: "A process." },
  PID_NAMESPACE: { value: "PID namespace", description: "A PID namespace." },
  FORWARDED_PORT: { value: "forwarded port", description: "A forwarded port." },
  ENGINE: { value: "engine", description: "A container engine." },
  CONTAINER: { value: "container", description: "A container." },
  CONTAINER_NETWORK: { value: "container network", description: "A container network." },
  POD: { value: "pod", description: "A Kubernetes pod (from a CRI runtime)." },
  SERVICE: { value: "service", description: "A Kubernetes service (from kube-proxy's rules)." },
});

export const ChangeOpEnum = closed("ChangeOp", "What happened to an entity.", {
  ADDED: { value: "added", description: "It appeared." },
  REMOVED: { value: "removed", description: "It went away." },
  CHANGED: { value: "changed", description: "Some of its fields changed." },
});

export const SeverityEnum = closed("Severity", "How urgent an alert is (copied from its rule).", {
  INFO: { value: "info", description: "Worth knowing." },
  WARNING: { value: "warning", description: "Worth looking at." },
  CRITICAL: { value: "critical", description: "Needs someone now." },
});

export const AlertStateEnum = closed("AlertState", "Where an alert is in its life.", {
  PENDING: { value: "pending", description: "The condition holds, but not yet for the rule's `forMs`." },
  FIRING: { value: "firing", description: "The condition has held long enough." },
  RESOLVED: { value: "resolved", description: "The condition stopped holding (or the rule was changed, disabled or deleted)." },
});

export const OrderDirectionEnum = closed("OrderDirection", "Which way a list is sorted.", {
  ASC: { value: "asc", description: "Smallest first." },
  DESC: { value: "desc", description: "Largest first." },
});
