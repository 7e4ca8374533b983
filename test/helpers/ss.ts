// `ss -tuanepH` as an oracle: its lines parsed into comparable records. ss prints an IPv6
// wildcard that is not v6-only as "*", IPv6 addresses in brackets, "%dev" for SO_BINDTODEVICE,
// port 0 as "*", and the socket cookie as sk:<hex>.

import { sh } from "./lab.ts";

export interface SsSocket {
  netid: string;
  state: string;
  recvq: number;
  sendq: number;
  local: { address: string; port: number; device: string | null };
  peer: { address: string; port: number };
  inode: number;
  cookie: bigint;
  uid: number;
  v6only: boolean | null;
  /** From users:(("name",pid=N,fd=M),…); empty without -p or when no owner is seen. */
  pids: number[];
}

export function endpoint(text: string): { address: string; port: number; device: string | null } {
  const colon = text.lastIndexOf(":");
  let address = text.slice(0, colon);
  const port = text.slice(colon + 1);
  let device: string | null = null;
  const pct = address.lastIndexOf("%");
  if (pct >= 0) {
    device = address.slice(pct + 1);
    address = address.slice(0, pct);
  }
  if (address.startsWith("[")) address = address.slice(1, -1);
  return { address, port: port === "*" ? 0 : Number(port), device };
}

export function parseSsLine(line: string): SsSocket {
  const f = line.trim().split(/\s+/);
  const field = (name: string) => f.find((w) => w.startsWith(`${name}:`))?.slice(name.length + 1);
  const v6only = field("v6only");
  const users = /users:\((.*?)\)\s/.exec(`${line} `)?.[1] ?? "";
  const peer = endpoint(f[5]!);
  return {
    netid: f[0]!,
    state: f[1]!,
    recvq: Number(f[2]),
    sendq: Number(f[3]),
    local: endpoint(f[4]!),
    peer: { address: peer.address, port: peer.port },
    inode: Number(field("ino")),
    cookie: BigInt(`0x${field("sk")}`),
    uid: Number(field("uid") ?? 0),
    v6only: v6only === undefined ? null : v6only === "1",
    pids: [...new Set([...users.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b),
  };
}

/** Every TCP and UDP socket of a namespace (by `ip netns` name), with owners, as ss sees them. */
export function ssIn(netns: string): SsSocket[] {
  return sh("ip", ["netns", "exec", netns, "ss", "-tuanepH"]).split("\n").filter((l) => l.trim() !== "").map(parseSsLine);
}

/** ss's words for the kernel's state names (iproute2 misc/ss.c sstate_name[]). */
export const SS_STATE: Record<string, string> = {
  ESTABLISHED: "ESTAB", SYN_SENT: "SYN-SENT", SYN_RECV: "SYN-RECV", FIN_WAIT1: "FIN-WAIT-1", FIN_WAIT2: "FIN-WAIT-2",
  TIME_WAIT: "TIME-WAIT", CLOSE: "UNCONN", CLOSE_WAIT: "CLOSE-WAIT", LAST_ACK: "LAST-ACK", LISTEN: "LISTEN", CLOSING: "CLOSING",
};
