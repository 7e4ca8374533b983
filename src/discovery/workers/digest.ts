// A digest of one namespace's read, of exactly what its model is built from: a re-read with the
// same digest changes nothing, so a reader answers "unchanged" instead of copying the read back,
// and a full pass over an unchanged host costs the assembling thread next to nothing. Socket
// counters that the model leaves out (queues, timers, retransmits) are left out here too, or
// every namespace with a busy connection would look changed on every pass. In two parts, as a
// read may leave out sockets and rules (after a kernel event): `rest` is null then.

import type { NamespaceRead } from "../assembly.ts";

export interface ReadDigest {
  /** Of links, addresses, routes, driver information. */
  net: string;
  /** Of sockets and nf_tables rules; null when they were not read. */
  rest: string | null;
}

export function digestOf(ns: Pick<NamespaceRead, "key" | "raw" | "rules" | "sets" | "drivers" | "partial">): ReadDigest {
  const { raw } = ns;
  const net = hash([ns.key, raw.links, raw.addresses, raw.routes, raw.interrupted.filter((w) => !/sockets$/.test(w)), [...ns.drivers]]);
  if (ns.partial) return { net, rest: null };
  const sockets = raw.sockets.map((s) => [
    s.protocol,
    s.family,
    s.state,
    s.localAddress,
    s.localPort,
    s.remoteAddress,
    s.remotePort,
    s.boundInterface,
    s.cookie,
    s.inode,
    s.uid,
    s.v6only,
  ]);
  return { net, rest: hash([sockets, raw.interrupted.filter((w) => /sockets$/.test(w)), raw.socketsError, ns.rules, ns.sets]) };
}

/** Whether a read with digest `now` says nothing new against the last one taken in (`before`). */
export function sameRead(now: ReadDigest, before: ReadDigest | undefined): boolean {
  return before !== undefined && now.net === before.net && (now.rest === null || now.rest === before.rest);
}

function hash(value: unknown): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? [...v] : v));
  return Bun.hash(text).toString(36);
}
