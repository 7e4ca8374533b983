// nf_tables over NETLINK_NETFILTER: dump requests for tables, chains and rules, and their
// decoders. Every message starts with struct nfgenmsg (family, version, res_id); the nlmsg_type
// is NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_*. Integers in nf_tables attributes are big-endian.

import { AttributeSet } from "./attribute-set.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { type NetlinkMessage, encodeMessage } from "./message.ts";
import { type NftExpression, decodeExpressions } from "./nft-expressions.ts";
import { NFNETLINK_V0, NFNL_SUBSYS_NFTABLES } from "./uapi/nfnetlink.ts";
import { NFPROTO_UNSPEC } from "./uapi/netfilter.ts";
import {
  NFTA_CHAIN_FLAGS,
  NFTA_CHAIN_HANDLE,
  NFTA_CHAIN_HOOK,
  NFTA_CHAIN_NAME,
  NFTA_CHAIN_POLICY,
  NFTA_CHAIN_TABLE,
  NFTA_CHAIN_TYPE,
  NFTA_CHAIN_USE,
  NFTA_HOOK_DEV,
  NFTA_HOOK_HOOKNUM,
  NFTA_HOOK_PRIORITY,
  NFTA_RULE_CHAIN,
  NFTA_RULE_EXPRESSIONS,
  NFTA_RULE_HANDLE,
  NFTA_RULE_POSITION,
  NFTA_RULE_TABLE,
  NFTA_RULE_USERDATA,
  NFTA_TABLE_FLAGS,
  NFTA_TABLE_HANDLE,
  NFTA_TABLE_NAME,
  NFTA_TABLE_USE,
  NFT_MSG_GETCHAIN,
  NFT_MSG_GETRULE,
  NFT_MSG_GETTABLE,
  NFT_MSG_NEWCHAIN,
  NFT_MSG_NEWRULE,
  NFT_MSG_NEWTABLE,
} from "./uapi/nf_tables.ts";
import { NLMSG_HDRLEN, NLM_F_DUMP, NLM_F_REQUEST } from "./uapi/netlink.ts";

export { type NftExpression, type NftNatResolved, type NftVerdict, type NftCmpOp, registerUnit } from "./nft-expressions.ts";
export { type NatRange, type PortRange, type XtMatch, type XtTarget, decodeXtMatch, decodeXtTarget } from "./xt-compat.ts";

/** nlmsg_type of an nf_tables message. */
export function nftMessageType(msg: number): number {
  return (NFNL_SUBSYS_NFTABLES << 8) | msg;
}

export interface NftTable {
  /** nfgen_family: NFPROTO_IPV4 (ip), NFPROTO_IPV6 (ip6), NFPROTO_INET, NFPROTO_ARP, NFPROTO_BRIDGE, NFPROTO_NETDEV. */
  family: number;
  name: string;
  handle: number;
  flags: number;
  /** Number of chains. */
  use: number;
}

export interface NftChain {
  family: number;
  table: string;
  name: string;
  handle: number;
  /** Base chains only: where the chain is attached. */
  hook?: { hooknum: number; priority: number; device?: string };
  /** Base chains only: filter, nat, route. */
  type?: string;
  /** Base chains only: NF_ACCEPT or NF_DROP. */
  policy?: number;
  flags?: number;
  /** Rules and jumps referring to this chain. */
  use?: number;
}

export interface NftRule {
  family: number;
  table: string;
  chain: string;
  handle: number;
  /** Handle of the rule this one was inserted after, when the kernel reports it. */
  position?: number;
  expressions: NftExpression[];
  /** NFTA_RULE_USERDATA as hex (nft keeps rule comments there as TLVs). */
  userdataHex?: string;
}

const NFGENMSG_LEN = 4;

/** A dump of every table (chain, rule) of one family, NFPROTO_UNSPEC for all families. */
export function buildNftDump(seq: number, what: "tables" | "chains" | "rules", family = NFPROTO_UNSPEC): Uint8Array {
  const msg = what === "tables" ? NFT_MSG_GETTABLE : what === "chains" ? NFT_MSG_GETCHAIN : NFT_MSG_GETRULE;
  const nfgenmsg = new Uint8Array([family, NFNETLINK_V0, 0, 0]); // res_id 0
  return encodeMessage({ type: nftMessageType(msg), flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, nfgenmsg);
}

/** The nfgenmsg family and the attributes of an nf_tables message of type NFT_MSG_`want`. */
export function openNftMessage(msg: NetlinkMessage, want: number, what: string): { family: number; attrs: AttributeSet } {
  if (msg.type !== nftMessageType(want)) {
    throw new NetlinkDecodeError(`${what}: message type ${msg.type} is not ${nftMessageType(want)}`);
  }
  if (msg.payload.length < NFGENMSG_LEN) {
    throw new NetlinkDecodeError(`struct nfgenmsg needs ${NFGENMSG_LEN} bytes, got ${msg.payload.length}`, NLMSG_HDRLEN);
  }
  return { family: msg.payload[0]!, attrs: new AttributeSet(msg.payload.subarray(NFGENMSG_LEN), NLMSG_HDRLEN + NFGENMSG_LEN) };
}

export function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new NetlinkDecodeError(`${what} is missing`, NLMSG_HDRLEN);
  return v;
}

function handle(a: AttributeSet, type: number, what: string): number | undefined {
  const v = a.be64(type, what);
  // Handles count up from 1 per table; beyond 2^53 would take centuries of rule churn.
  return v === undefined ? undefined : Number(v);
}

export function decodeNftTable(msg: NetlinkMessage): NftTable {
  const { family, attrs } = openNftMessage(msg, NFT_MSG_NEWTABLE, "decodeNftTable");
  return {
    family,
    name: need(attrs.str(NFTA_TABLE_NAME), "NFTA_TABLE_NAME"),
    handle: need(handle(attrs, NFTA_TABLE_HANDLE, "NFTA_TABLE_HANDLE"), "NFTA_TABLE_HANDLE"),
    flags: attrs.be32(NFTA_TABLE_FLAGS, "NFTA_TABLE_FLAGS") ?? 0,
    use: attrs.be32(NFTA_TABLE_USE, "NFTA_TABLE_USE") ?? 0,
  };
}

export function decodeNftChain(msg: NetlinkMessage): NftChain {
  const { family, attrs } = openNftMessage(msg, NFT_MSG_NEWCHAIN, "decodeNftChain");
  const chain: NftChain = {
    family,
    table: need(attrs.str(NFTA_CHAIN_TABLE), "NFTA_CHAIN_TABLE"),
    name: need(attrs.str(NFTA_CHAIN_NAME), "NFTA_CHAIN_NAME"),
    handle: need(handle(attrs, NFTA_CHAIN_HANDLE, "NFTA_CHAIN_HANDLE"), "NFTA_CHAIN_HANDLE"),
  };
  const hook = attrs.nested(NFTA_CHAIN_HOOK);
  if (hook) {
    chain.hook = {
      hooknum: need(hook.be32(NFTA_HOOK_HOOKNUM, "NFTA_HOOK_HOOKNUM"), "NFTA_HOOK_HOOKNUM"),
      priority: need(hook.be32(NFTA_HOOK_PRIORITY, "NFTA_HOOK_PRIORITY"), "NFTA_HOOK_PRIORITY") | 0, // signed
    };
    const dev = hook.str(NFTA_HOOK_DEV);
    if (dev !== undefined) chain.hook.device = dev;
  }
  const type = attrs.str(NFTA_CHAIN_TYPE);
  const policy = attrs.be32(NFTA_CHAIN_POLICY, "NFTA_CHAIN_POLICY");
  const flags = attrs.be32(NFTA_CHAIN_FLAGS, "NFTA_CHAIN_FLAGS");
  const use = attrs.be32(NFTA_CHAIN_USE, "NFTA_CHAIN_USE");
  if (type !== undefined) chain.type = type;
  if (policy !== undefined) chain.policy = policy;
  if (flags !== undefined) chain.flags = flags;
  if (use !== undefined) chain.use = use;
  return chain;
}

export function decodeNftRule(msg: NetlinkMessage): NftRule {
  const { family, attrs } = openNftMessage(msg, NFT_MSG_NEWRULE, "decodeNftRule");
  const list = attrs.get(NFTA_RULE_EXPRESSIONS);
  const rule: NftRule = {
    family,
    table: need(attrs.str(NFTA_RULE_TABLE), "NFTA_RULE_TABLE"),
    chain: need(attrs.str(NFTA_RULE_CHAIN), "NFTA_RULE_CHAIN"),
    handle: need(handle(attrs, NFTA_RULE_HANDLE, "NFTA_RULE_HANDLE"), "NFTA_RULE_HANDLE"),
    expressions: list ? decodeExpressions(list.data, list.offset + 4, family) : [],
  };
  const position = handle(attrs, NFTA_RULE_POSITION, "NFTA_RULE_POSITION");
  if (position !== undefined) rule.position = position;
  const userdata = attrs.get(NFTA_RULE_USERDATA);
  if (userdata) rule.userdataHex = Array.from(userdata.data, (x) => x.toString(16).padStart(2, "0")).join("");
  return rule;
}
