// A digest of one namespace's read, of exactly what its model is built from: a re-read with the
// same digest changes nothing, so a reader answers "unchanged" instead of copying the read back,
// and a full pass over an unchanged host costs the assembling thread next to nothing. Socket
// counters that the model leaves out (queues, timers, retransmits) are left out here too, or
// every namespace with a busy connection would look changed on every pass.

import type { NamespaceRead } from "../assembly.ts";

export function digestOf(ns: Pick<NamespaceRead, "key" | "raw" | "rules" | "drivers">): string {
  const { raw } = ns;
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
  const text = JSON.stringify(
    [ns.key, raw.links, raw.addresses, raw.routes, sockets, raw.interrupted, raw.socketsError, ns.rules, [...ns.drivers]],
    (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? [...v] : v),
  );
  return Bun.hash(text).toString(36);
}
