// Identity keys. Kernel numbers (namespace inodes, ifindexes, PIDs) are reused, so every key is
// anchored in something that is not: the boot id plus the netns cookie (64 bits, never reused
// within a boot), and for processes the start time. Every stored row and GraphQL ID derives
// from these strings, so their format is part of the storage contract: change it only with a
// migration.

export type NetnsKey = string;
export type InterfaceKey = string;
export type ProcessKey = string;
export type PidnsKey = string;

/** `netns:<boot id>:<cookie>` */
export function netnsKey(bootId: string, cookie: bigint): NetnsKey {
  return `netns:${bootId}:${cookie}`;
}

/** `<netns key>/if:<ifindex>` — an ifindex is unique only within its namespace. */
export function interfaceKey(netns: NetnsKey, ifindex: number): InterfaceKey {
  return `${netns}/if:${ifindex}`;
}

/** An address is identified by where it sits and what it is (an interface can hold many). */
export function addressKey(iface: InterfaceKey, address: string, prefixLength: number): string {
  return `${iface}/addr:${address}/${prefixLength}`;
}

/**
 * The kernel identifies a route by table, family, destination prefix, TOS and priority (metric);
 * IPv6 allows the same prefix with different metrics, and source-specific routes (RTA_SRC) with
 * the same destination, so all of them take part. IPv6 also keeps one route per device for the
 * same prefix and metric (fe80::/64 on every interface, ff00::/8 in table local), so an IPv6
 * route's output interface index is part of its key.
 */
export function routeKey(
  netns: NetnsKey,
  r: {
    family: "ipv4" | "ipv6";
    table: number;
    destination: string;
    prefixLength: number;
    source: string | null;
    sourcePrefixLength: number;
    tos: number;
    priority: number;
    type: string;
    /** The output interface's index, if the route has one (used for IPv6 only). */
    oif?: number | null;
  },
): string {
  const from = r.source === null ? "" : `:from:${r.source}/${r.sourcePrefixLength}`;
  const dev = r.family === "ipv6" && r.oif != null ? `:dev:${r.oif}` : "";
  return `${netns}/route:${r.family}:${r.table}:${r.type}:${r.destination}/${r.prefixLength}${from}:${r.tos}:${r.priority}${dev}`;
}

/** `proc:<boot id>:<pid>:<start time in ticks>` — a PID alone is reused. */
export function processKey(bootId: string, pid: number, startTime: number): ProcessKey {
  return `proc:${bootId}:${pid}:${startTime}`;
}

/**
 * `pidns:<boot id>:<inode>:<start time of its init>` — a PID namespace dies with its init (the
 * kernel kills the rest), so inode plus init start time is never reused within a boot. Without a
 * visible init (its processes are in their last moments) the start time is left out.
 */
export function pidnsKey(bootId: string, inode: number, initStartTime: number | null): PidnsKey {
  return initStartTime === null ? `pidns:${bootId}:${inode}` : `pidns:${bootId}:${inode}:${initStartTime}`;
}
