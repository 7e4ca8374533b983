// Forwarded ports from docker-proxy processes. With the userland proxy on, Docker starts one
// docker-proxy per published port and protocol; its command line says everything:
//   docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80
// Go's flag package also accepts --flag, -flag=value and --flag=value, so all four are read.
// A host-port range is one proxy per port (Docker starts them separately), so each is one port.

import type { Process } from "../../model/topology.ts";
import type { ForwardingCandidate } from "./nat-rules.ts";

export function isDockerProxy(p: Pick<Process, "comm" | "cmdline">): boolean {
  const argv0 = p.cmdline[0] ?? "";
  return p.comm === "docker-proxy" || argv0 === "docker-proxy" || argv0.endsWith("/docker-proxy");
}

/** Go-style flags → name → value (the last occurrence wins, as with the flag package). */
export function goFlags(args: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") break;
    const m = /^--?([A-Za-z0-9][\w.-]*)(?:=(.*))?$/s.exec(a);
    if (!m) continue;
    if (m[2] !== undefined) out.set(m[1]!, m[2]);
    else if (i + 1 < args.length && !args[i + 1]!.startsWith("-")) out.set(m[1]!, args[++i]!);
    else out.set(m[1]!, "true"); // a boolean flag such as -use-listen-fd
  }
  return out;
}

function port(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return null;
  const n = Number(text);
  return n <= 0xffff ? n : null;
}

/**
 * The forwarding a docker-proxy command line describes, or null when it is not a docker-proxy
 * or lacks what a forwarding needs (container address and ports). `why` receives the reason
 * for a docker-proxy whose command line cannot be read, so it can become a warning.
 */
export function forwardingFromProxy(p: Process, why?: (message: string) => void): ForwardingCandidate | null {
  if (!isDockerProxy(p)) return null;
  const f = goFlags(p.cmdline.slice(1));
  const hostPort = port(f.get("host-port"));
  const containerPort = port(f.get("container-port"));
  const containerIp = f.get("container-ip");
  if (hostPort === null || containerPort === null || !containerIp) {
    why?.(`docker-proxy pid ${p.pid}: cannot read a forwarding from its command line: ${p.cmdline.join(" ")}`);
    return null;
  }
  const hostIp = f.get("host-ip");
  const anyAddress = hostIp === undefined || hostIp === "0.0.0.0" || hostIp === "::";
  return {
    family: containerIp.includes(":") ? "ipv6" : "ipv4",
    protocol: (f.get("proto") ?? "tcp").toLowerCase(),
    hostAddress: anyAddress ? null : hostIp,
    hostPorts: { first: hostPort, last: hostPort },
    destinationAddress: containerIp,
    destinationAddressLast: null,
    destinationPorts: { first: containerPort, last: containerPort },
    source: { kind: "proxy", process: p.key, pid: p.pid, engine: "docker" },
  };
}
