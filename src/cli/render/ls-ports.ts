// The ports section of `wiresight ls -p`: one line per socket, listening first, in the words
// `ss` users know (addresses as ss prints them, "*" for a dual-stack wildcard), with the names
// and PIDs of the processes holding each socket.

import type { TopologyIndex } from "../../model/index-topology.ts";
import type { NetworkNamespace, Socket } from "../../model/topology.ts";
import type { Style } from "./style.ts";

export interface PortsOptions {
  /** Sockets in every state, or listening ones only. */
  all: boolean;
  /** Protocols to show; empty means both. */
  protocols: ("tcp" | "udp")[];
}

// ss's words for the kernel's states (iproute2 misc/ss.c), UDP's CLOSE being "UNCONN".
const SS_STATE: Record<string, string> = {
  ESTABLISHED: "ESTAB", SYN_SENT: "SYN-SENT", SYN_RECV: "SYN-RECV", FIN_WAIT1: "FIN-WAIT-1", FIN_WAIT2: "FIN-WAIT-2",
  TIME_WAIT: "TIME-WAIT", CLOSE: "UNCONN", CLOSE_WAIT: "CLOSE-WAIT", LAST_ACK: "LAST-ACK", LISTEN: "LISTEN", CLOSING: "CLOSING",
};

export function portLines(ns: NetworkNamespace, index: TopologyIndex, opts: PortsOptions, s: Style): string[] {
  const shown = ns.sockets.filter(
    (k) => (opts.all || k.simpleState === "listening") && (opts.protocols.length === 0 || opts.protocols.includes(k.protocol)),
  );
  if (shown.length === 0) return [];
  const rows = shown.map((k) => {
    const local = endpoint(k, k.localAddress, k.localPort, index) + (k.service ? s.dim(` (${k.service})`) : "");
    const remote = k.simpleState === "listening" ? "" : endpoint(k, k.remoteAddress, k.remotePort, index);
    const owners = k.processes.map((p) => {
      const proc = index.processes.get(p);
      return proc ? `${proc.comm}(${proc.pid})` : p;
    });
    const extra: string[] = [];
    if (k.dualStack) extra.push(s.cyan("dual-stack: also IPv4"));
    if (k.uid !== 0) extra.push(s.dim(`uid ${k.uid}`));
    if (owners.length === 0) extra.push(s.dim(k.inode ? "no process seen" : "no process (kernel-owned)"));
    return { proto: k.protocol + (k.family === "ipv6" ? "6" : ""), state: SS_STATE[k.state] ?? k.state, local, remote, owners: owners.join(","), extra, listening: k.simpleState === "listening" };
  });
  const width = (f: (r: (typeof rows)[number]) => string) => Math.max(...rows.map((r) => visible(f(r)).length));
  const wl = width((r) => r.local);
  const wr = width((r) => r.remote);
  const ws = width((r) => r.state);
  return [
    `  ${s.bold(opts.all ? "sockets" : "listening")}`,
    ...rows.map((r) => {
      const state = r.listening ? s.green(r.state.padEnd(ws)) : r.state.padEnd(ws);
      const remote = wr > 0 ? `  ${padVisible(r.remote, wr)}` : "";
      return `    ${r.proto.padEnd(4)}  ${state}  ${padVisible(r.local, wl)}${remote}  ${s.bold(r.owners)}${r.extra.length ? `  ${r.extra.join("  ")}` : ""}`.trimEnd();
    }),
  ];
}

/** ss's notation: "0.0.0.0:22", "[::1]:53", "*:80" for a dual-stack wildcard, "%eth0" for SO_BINDTODEVICE, "*" for port 0. */
function endpoint(k: Socket, address: string, port: number, index: TopologyIndex): string {
  let a = k.family === "ipv6" ? (address === "::" && k.v6only === false ? "*" : `[${address}]`) : address;
  if (address === k.localAddress && port === k.localPort && k.boundInterface) a += `%${index.interfaces.get(k.boundInterface)?.name ?? "?"}`;
  return `${a}:${port === 0 ? "*" : port}`;
}

const ANSI = /\x1b\[[0-9;]*m/g;
const visible = (t: string) => t.replace(ANSI, "");
const padVisible = (t: string, n: number) => t + " ".repeat(Math.max(0, n - visible(t).length));
