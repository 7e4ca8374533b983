// Open ports: the TCP and UDP sockets of one network namespace, as sock_diag reports them, tied to
// the processes holding them and the interfaces that can carry their traffic.

import type { InterfaceKey, NetnsKey, ProcessKey } from "./keys.ts";

/** `<netns key>/sock:<socket cookie>` — the inet_diag cookie is never reused within a boot. */
export type SocketKey = string;

export function socketKey(netns: NetnsKey, cookie: bigint | string): SocketKey {
  return `${netns}/sock:${cookie}`;
}

/**
 * listening: TCP in LISTEN, or UDP not connected (it takes datagrams from anyone);
 * connected: ESTABLISHED (TCP, or UDP after connect()); other: every other TCP state.
 */
export type SimpleSocketState = "listening" | "connected" | "other";

export interface Socket {
  key: SocketKey;
  netns: NetnsKey;
  /** The inet_diag socket cookie as a decimal string (64-bit). */
  cookie: string;
  family: "ipv4" | "ipv6";
  protocol: "tcp" | "udp";
  localAddress: string;
  localPort: number;
  /** "0.0.0.0" / "::" and port 0 when not connected. */
  remoteAddress: string;
  remotePort: number;
  /** The kernel's TCP_* state name: LISTEN, ESTABLISHED, TIME_WAIT, … (UDP: CLOSE when unconnected). */
  state: string;
  simpleState: SimpleSocketState;
  /** Socket inode (`socket:[N]` in /proc/PID/fd); 0 for TIME_WAIT and SYN_RECV, which have none. */
  inode: number;
  uid: number;
  /** IPV6_V6ONLY, known for IPv6 sockets in LISTEN or CLOSE state; null otherwise. */
  v6only: boolean | null;
  /**
   * An IPv6 wildcard socket with IPV6_V6ONLY off that also serves IPv4 on its port (no IPv4
   * socket of the same protocol listens on that port).
   */
  dualStack: boolean;
  /** SO_BINDTODEVICE: the only interface it takes traffic from. */
  boundInterface: InterfaceKey | null;
  /** The interfaces that can carry it: by bound address; a wildcard means all of the namespace's. */
  interfaces: InterfaceKey[];
  /** Processes with an fd on it (several after fork or fd passing); empty when none is seen. */
  processes: ProcessKey[];
  /** From /etc/services for this port and protocol, where one exists. */
  service: string | null;
  /** The same for the remote port (null when not connected or not listed). */
  remoteService: string | null;
}
