// Reads a namespace's nf_tables rules over NETLINK_NETFILTER, from a socket opened inside the
// namespace by the ffi layer (no JS runs while switched). Rules are dumped, and the sets of the
// tables that need them (kube-proxy's maps): chains and tables add nothing a forwarding needs
// (each rule names its table and chain). A namespace
// without nf_tables — the module absent, or no table at all — is simply empty.

import type { NetlinkSocket } from "../../ffi/index.ts";
import {
  NFT_MSG_NEWRULE,
  NFT_MSG_NEWSET,
  NFT_MSG_NEWSETELEM,
  buildNftDump,
  buildNftSetDump,
  buildNftSetElementDump,
  decodeNftRule,
  decodeNftSet,
  decodeNftSetElements,
  nftMessageType,
  type NftRule,
} from "../../netlink/index.ts";
import { NetlinkRequestError, dump } from "../netlink-request.ts";
import type { NftSetWithElements } from "./rule-graph.ts";

/** Errors that mean "no nf_tables here" rather than a failure. */
const ABSENT = new Set(["EPROTONOSUPPORT", "EAFNOSUPPORT", "EOPNOTSUPP", "ENOENT"]);

export interface NftRules {
  rules: NftRule[];
  retries: number;
  interrupted: boolean;
}

/**
 * The rules, over a NETLINK_NETFILTER socket already opened inside the namespace (left open), or
 * from the error opening it gave: one that means "no nf_tables here" is no rules, others throw.
 */
export function collectNftRules(sock: NetlinkSocket | Error): NftRules {
  const none = { rules: [], retries: 0, interrupted: false };
  if (sock instanceof Error) {
    if (ABSENT.has((sock as { code?: string }).code ?? "")) return none;
    throw sock;
  }
  try {
    const wanted = nftMessageType(NFT_MSG_NEWRULE);
    const r = dump(sock, "NFT_MSG_GETRULE", (seq) => buildNftDump(seq, "rules"), (m) => (m.type === wanted ? decodeNftRule(m) : undefined));
    return { rules: r.items, retries: r.retries, interrupted: r.interrupted };
  } catch (err) {
    if (err instanceof NetlinkRequestError && ABSENT.has(err.code)) return none;
    throw err;
  }
}

/**
 * The sets and maps of the given tables with their elements (one element dump per set), over the
 * same socket. Only asked for tables whose rules need them (kube-proxy's verdict maps): a host's
 * other sets may be large and say nothing about forwardings.
 */
export function collectNftSets(sock: NetlinkSocket, tables: { family: number; table: string }[]): { sets: NftSetWithElements[]; interrupted: boolean } {
  if (tables.length === 0) return { sets: [], interrupted: false };
  const wanted = new Set(tables.map((t) => `${t.family}|${t.table}`));
  const setType = nftMessageType(NFT_MSG_NEWSET);
  const all = dump(sock, "NFT_MSG_GETSET", (seq) => buildNftSetDump(seq), (m) => (m.type === setType ? decodeNftSet(m) : undefined));
  let interrupted = all.interrupted;
  const sets: NftSetWithElements[] = [];
  const elemType = nftMessageType(NFT_MSG_NEWSETELEM);
  for (const s of all.items) {
    if (!wanted.has(`${s.family}|${s.table}`)) continue;
    try {
      const r = dump(sock, "NFT_MSG_GETSETELEM", (seq) => buildNftSetElementDump(seq, s.family, s.table, s.name), (m) => (m.type === elemType ? decodeNftSetElements(m) : undefined));
      interrupted ||= r.interrupted;
      sets.push({ ...s, elements: r.items.flatMap((x) => x.elements) });
    } catch (err) {
      // Deleted since the set dump (kube-proxy resyncs): its elements are gone with it.
      if (err instanceof NetlinkRequestError && err.code === "ENOENT") continue;
      throw err;
    }
  }
  return { sets, interrupted };
}
