// What the capture tests share: two lab namespaces joined by a veth (the traffic they capture stays
// between them), the packet sockets this process holds in a namespace (ss as the oracle), tshark
// reading a file back, and waiting for a state rather than for a time.

import { sh, type Lab } from "./lab.ts";
import { ensureTool } from "./packages.ts";

export interface VethPair {
  A: string;
  B: string;
  vethA: string;
  vethB: string;
  addrA: string;
  addrB: string;
}

/**
 * Namespaces `<prefix>-a` and `<prefix>-b`, a veth between them holding `<net>.1/24` and
 * `<net>.2/24`, neighbours resolved so that captures see only the traffic the tests make.
 * Installs tshark and ping when missing.
 */
export function vethPair(lab: Lab, net: string): VethPair {
  ensureTool("tshark", "tshark");
  ensureTool("ping", "iputils-ping");
  const p: VethPair = { A: lab.netns("a"), B: lab.netns("b"), vethA: `${lab.prefix}va`, vethB: `${lab.prefix}vb`, addrA: `${net}.1`, addrB: `${net}.2` };
  lab.veth({ ns: p.A, name: p.vethA, cidr: `${p.addrA}/24` }, { ns: p.B, name: p.vethB, cidr: `${p.addrB}/24` });
  sh("ip", ["netns", "exec", p.A, "ping", "-c", "1", "-W", "2", p.addrB]);
  return p;
}

/** `count` pings from namespace `ns` to `to`, 0.2 s apart; returns when the last reply came. */
export function ping(ns: string, to: string, count: number, ...extra: string[]): void {
  sh("ip", ["netns", "exec", ns, "ping", "-c", String(count), "-i", "0.2", "-W", "2", ...extra, to]);
}

/** Packet sockets this process holds in namespace `ns`, by ss run inside it. */
export function ourPacketSockets(ns: string): number {
  return sh("ip", ["netns", "exec", ns, "ss", "-0", "-a", "-p", "-n", "-H"]).split("\n").filter((l) => l.includes(`pid=${process.pid},`)).length;
}

/** tshark's lines for a capture file (empty lines dropped). */
export function tshark(file: string, ...args: string[]): string[] {
  return sh("tshark", ["-r", file, ...args]).split("\n").filter((l) => l.trim() !== "");
}

/** Resolves once `check()` holds; throws after 10 s naming what never became true. */
export async function eventually(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`still not true after 10 s: ${what}`);
    await Bun.sleep(25);
  }
}
