// Reads a namespace's nf_tables rules over NETLINK_NETFILTER, from a socket opened inside the
// namespace by the ffi layer (no JS runs while switched). Only rules are dumped: chains and
// tables add nothing a forwarding needs (each rule names its table and chain). A namespace
// without nf_tables — the module absent, or no table at all — is simply empty.

import type { NetlinkSocket } from "../../ffi/index.ts";
import {
  NFT_MSG_NEWRULE,
  buildNftDump,
  decodeNftRule,
  nftMessageType,
  type NftRule,
} from "../../netlink/index.ts";
import { NetlinkRequestError, dump } from "../netlink-request.ts";

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
