// sock_diag answers of one namespace → model Sockets: the state in words and simplified, the
// owning processes (socket inode → PIDs from the one shared /proc/*/fd pass), the interfaces
// that can carry each socket (by bound address), the /etc/services names of both ports, and dual-stack marking.

import { type NetnsKey, type ProcessKey, interfaceKey } from "../../model/keys.ts";
import { type SimpleSocketState, type Socket, socketKey } from "../../model/socket.ts";
import type { NetworkInterface } from "../../model/topology.ts";
import { AF_INET, IPPROTO_TCP, TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN, tcpStateName } from "../../netlink/index.ts";
import { type ServiceTable, serviceName } from "../services.ts";
import type { RawSocket } from "./collect-namespace.ts";

export interface SocketContext {
  netns: NetnsKey;
  interfaces: NetworkInterface[];
  /** Socket inode → the processes with an fd on it. */
  owners: Map<number, ProcessKey[]>;
  services: ServiceTable;
}

export function simpleState(protocol: number, state: number): SimpleSocketState {
  if (protocol === IPPROTO_TCP ? state === TCP_LISTEN : state === TCP_CLOSE) return "listening";
  return state === TCP_ESTABLISHED ? "connected" : "other";
}

const WILDCARDS = new Set(["0.0.0.0", "::", "::ffff:0.0.0.0"]);

export function toSockets(raw: RawSocket[], ctx: SocketContext): Socket[] {
  const all = ctx.interfaces.map((i) => i.key);
  const byAddress = new Map<string, string[]>();
  for (const i of ctx.interfaces)
    for (const a of i.addresses) {
      const list = byAddress.get(a.address);
      if (list) list.push(i.key);
      else byAddress.set(a.address, [i.key]);
    }
  const loopback = ctx.interfaces.filter((i) => i.kind === "loopback").map((i) => i.key);
  const carriers = (address: string): string[] => {
    if (WILDCARDS.has(address)) return all;
    const v4 = address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
    const found = byAddress.get(v4);
    if (found) return [...found];
    // The whole of 127.0.0.0/8 is local (one address on lo, a local route for the /8).
    if (/^127\./.test(v4)) return [...loopback];
    return []; // IP_FREEBIND / ip_nonlocal_bind: an address no interface holds (yet)
  };

  // Ports an IPv4 socket already listens on, per protocol: a dual-stack IPv6 socket on the same
  // port cannot be what serves IPv4 there.
  const v4Listening = new Set<string>();
  for (const s of raw) if (s.family === AF_INET && simpleState(s.protocol, s.state) === "listening") v4Listening.add(`${s.protocol}/${s.localPort}`);

  return raw.map((s) => {
    const protocol = s.protocol === IPPROTO_TCP ? "tcp" : "udp";
    const simple = simpleState(s.protocol, s.state);
    const bound = s.boundInterface ? interfaceKey(ctx.netns, s.boundInterface) : null;
    const dualStack =
      s.family !== AF_INET && s.localAddress === "::" && s.v6only === false && simple === "listening" && !v4Listening.has(`${s.protocol}/${s.localPort}`);
    let interfaces = carriers(s.localAddress);
    if (bound) interfaces = interfaces.filter((k) => k === bound);
    return {
      key: socketKey(ctx.netns, s.cookie),
      netns: ctx.netns,
      cookie: s.cookie.toString(),
      family: s.family === AF_INET ? "ipv4" : "ipv6",
      protocol,
      localAddress: s.localAddress,
      localPort: s.localPort,
      remoteAddress: s.remoteAddress,
      remotePort: s.remotePort,
      state: tcpStateName(s.state),
      simpleState: simple,
      inode: s.inode,
      uid: s.uid,
      v6only: s.v6only ?? null,
      dualStack,
      boundInterface: bound,
      interfaces,
      processes: s.inode ? (ctx.owners.get(s.inode) ?? []) : [],
      service: serviceName(ctx.services, protocol, s.localPort),
      remoteService: s.remotePort > 0 ? serviceName(ctx.services, protocol, s.remotePort) : null,
    } satisfies Socket;
  });
}

/** `socket:[N]` fd targets → inode → owning process keys, from the shared fd table. */
export function socketOwners(byPid: Map<number, Map<number, string>>, keyOf: (pid: number) => ProcessKey | undefined): Map<number, ProcessKey[]> {
  const owners = new Map<number, ProcessKey[]>();
  for (const [pid, fds] of byPid) {
    let key: ProcessKey | undefined;
    for (const target of fds.values()) {
      // "socket:[12345]"
      if (target.charCodeAt(0) !== 115 /* s */ || !target.startsWith("socket:[")) continue;
      const inode = Number(target.slice(8, -1));
      if (!Number.isInteger(inode) || inode <= 0) continue;
      key ??= keyOf(pid);
      if (key === undefined) break;
      const list = owners.get(inode);
      if (!list) owners.set(inode, [key]);
      else if (!list.includes(key)) list.push(key);
    }
  }
  return owners;
}
