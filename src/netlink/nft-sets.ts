// nf_tables sets and maps: the dump of every set (NFT_MSG_GETSET) and of one set's elements
// (NFT_MSG_GETSETELEM, which the kernel answers only for a named table and set, in the table's
// family). A map's element carries data: a verdict (a verdict map, `vmap`: jump/goto a chain) or
// a value. Keys and values are hex, bytes in the order the kernel holds them: a concatenation
// (`ipv4_addr . inet_proto . inet_service`) puts each part in its own 4-byte register slot.

import { AttributeSet } from "./attribute-set.ts";
import { concat, encodeAttribute, parseAttributes } from "./attributes.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { type NetlinkMessage, encodeMessage } from "./message.ts";
import { type NftVerdict, decodeVerdict } from "./nft-expressions.ts";
import { need, openNftMessage } from "./nftables.ts";
import { NFNETLINK_V0, NFNL_SUBSYS_NFTABLES } from "./uapi/nfnetlink.ts";
import { NFPROTO_UNSPEC } from "./uapi/netfilter.ts";
import {
  NFTA_DATA_VALUE,
  NFTA_DATA_VERDICT,
  NFTA_LIST_ELEM,
  NFTA_SET_DATA_LEN,
  NFTA_SET_DATA_TYPE,
  NFTA_SET_ELEM_DATA,
  NFTA_SET_ELEM_FLAGS,
  NFTA_SET_ELEM_KEY,
  NFTA_SET_ELEM_KEY_END,
  NFTA_SET_ELEM_LIST_ELEMENTS,
  NFTA_SET_ELEM_LIST_SET,
  NFTA_SET_ELEM_LIST_TABLE,
  NFTA_SET_ELEM_USERDATA,
  NFTA_SET_FLAGS,
  NFTA_SET_HANDLE,
  NFTA_SET_KEY_LEN,
  NFTA_SET_KEY_TYPE,
  NFTA_SET_NAME,
  NFTA_SET_TABLE,
  NFTA_SET_USERDATA,
  NFT_MSG_GETSET,
  NFT_MSG_GETSETELEM,
  NFT_MSG_NEWSET,
  NFT_MSG_NEWSETELEM,
} from "./uapi/nf_tables.ts";
import { NLM_F_DUMP, NLM_F_REQUEST } from "./uapi/netlink.ts";


export interface NftSet {
  family: number;
  table: string;
  name: string;
  handle: number;
  /** NFT_SET_* flags: anonymous, constant, interval, map, concat… */
  flags: number;
  /** nft's datatype number of the key (a concatenation packs 6 bits per part). */
  keyType: number;
  keyLength: number;
  /** Maps only: the data type (0xffffff00 is a verdict) and length. */
  dataType?: number;
  dataLength?: number;
  /** The set's comment, when it has one. */
  comment?: string;
}

export interface NftSetElement {
  /** Hex. */
  key: string;
  /** Interval sets: the last key of the range (NFTA_SET_ELEM_KEY_END). */
  keyEnd?: string;
  /** Verdict maps. */
  verdict?: NftVerdict;
  /** Value maps, as hex. */
  value?: string;
  /** NFT_SET_ELEM_* flags (interval end). */
  flags: number;
  comment?: string;
}

/**
 * libnftnl's user data TLV types (not kernel UAPI: the kernel stores user data opaquely):
 * NFTNL_UDATA_RULE_COMMENT and NFTNL_UDATA_SET_ELEM_COMMENT, where nft and iptables-nft keep a
 * rule's or an element's comment; NFTNL_UDATA_SET_COMMENT among a set's own user data.
 */
export const NFTNL_UDATA_COMMENT = 0;
const NFTNL_UDATA_SET_COMMENT = 3;

function nfgenmsg(family: number): Uint8Array {
  return new Uint8Array([family, NFNETLINK_V0, 0, 0]);
}

/** A dump of every set of every table (NFPROTO_UNSPEC), anonymous ones included. */
export function buildNftSetDump(seq: number, family = NFPROTO_UNSPEC): Uint8Array {
  return encodeMessage({ type: (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSET, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, nfgenmsg(family));
}

/** A dump of one set's elements; `family` must be its table's. */
export function buildNftSetElementDump(seq: number, family: number, table: string, set: string): Uint8Array {
  const payload = concat(nfgenmsg(family), encodeAttribute(NFTA_SET_ELEM_LIST_TABLE, cstring(table)), encodeAttribute(NFTA_SET_ELEM_LIST_SET, cstring(set)));
  return encodeMessage({ type: (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSETELEM, flags: NLM_F_REQUEST | NLM_F_DUMP, seq }, payload);
}

export function decodeNftSet(msg: NetlinkMessage): NftSet {
  const { family, attrs } = openNftMessage(msg, NFT_MSG_NEWSET, "decodeNftSet");
  const set: NftSet = {
    family,
    table: need(attrs.str(NFTA_SET_TABLE), "NFTA_SET_TABLE"),
    name: need(attrs.str(NFTA_SET_NAME), "NFTA_SET_NAME"),
    handle: Number(attrs.be64(NFTA_SET_HANDLE, "NFTA_SET_HANDLE") ?? 0n),
    flags: attrs.be32(NFTA_SET_FLAGS, "NFTA_SET_FLAGS") ?? 0,
    keyType: attrs.be32(NFTA_SET_KEY_TYPE, "NFTA_SET_KEY_TYPE") ?? 0,
    keyLength: need(attrs.be32(NFTA_SET_KEY_LEN, "NFTA_SET_KEY_LEN"), "NFTA_SET_KEY_LEN"),
  };
  const dataType = attrs.be32(NFTA_SET_DATA_TYPE, "NFTA_SET_DATA_TYPE");
  const dataLength = attrs.be32(NFTA_SET_DATA_LEN, "NFTA_SET_DATA_LEN");
  if (dataType !== undefined) set.dataType = dataType;
  if (dataLength !== undefined) set.dataLength = dataLength;
  const ud = attrs.get(NFTA_SET_USERDATA);
  const comment = ud ? userdataString(ud.data, NFTNL_UDATA_SET_COMMENT) : undefined;
  if (comment !== undefined) set.comment = comment;
  return set;
}

/** One NFT_MSG_NEWSETELEM answer: the set it belongs to and (some of) its elements. */
export function decodeNftSetElements(msg: NetlinkMessage): { family: number; table: string; set: string; elements: NftSetElement[] } {
  const { family, attrs } = openNftMessage(msg, NFT_MSG_NEWSETELEM, "decodeNftSetElements");
  const list = attrs.get(NFTA_SET_ELEM_LIST_ELEMENTS);
  const elements: NftSetElement[] = [];
  if (list)
    for (const a of parseAttributes(list.data, list.offset + 4)) {
      if (a.type !== NFTA_LIST_ELEM) continue;
      const e = new AttributeSet(a.data, a.offset + 4);
      const el: NftSetElement = { key: dataHex(e.nested(NFTA_SET_ELEM_KEY), "NFTA_SET_ELEM_KEY", a.offset), flags: e.be32(NFTA_SET_ELEM_FLAGS, "NFTA_SET_ELEM_FLAGS") ?? 0 };
      const end = e.nested(NFTA_SET_ELEM_KEY_END);
      if (end) el.keyEnd = dataHex(end, "NFTA_SET_ELEM_KEY_END", a.offset);
      const data = e.nested(NFTA_SET_ELEM_DATA);
      const verdict = data?.nested(NFTA_DATA_VERDICT);
      if (verdict) el.verdict = decodeVerdict(verdict, a.offset);
      else if (data) el.value = dataHex(data, "NFTA_SET_ELEM_DATA", a.offset);
      const ud = e.get(NFTA_SET_ELEM_USERDATA);
      const comment = ud ? userdataString(ud.data, NFTNL_UDATA_COMMENT) : undefined;
      if (comment !== undefined) el.comment = comment;
      elements.push(el);
    }
  return {
    family,
    table: need(attrs.str(NFTA_SET_ELEM_LIST_TABLE), "NFTA_SET_ELEM_LIST_TABLE"),
    set: need(attrs.str(NFTA_SET_ELEM_LIST_SET), "NFTA_SET_ELEM_LIST_SET"),
    elements,
  };
}

function dataHex(a: AttributeSet | undefined, what: string, offset: number): string {
  const v = a?.get(NFTA_DATA_VALUE);
  if (!v) throw new NetlinkDecodeError(`${what}: NFTA_DATA_VALUE is missing`, offset);
  return Array.from(v.data, (x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * A string among libnftnl user data TLVs (1-byte type, 1-byte length, value): what nft and
 * iptables-nft store comments as. Undefined when absent or malformed.
 */
export function userdataString(data: Uint8Array, type: number): string | undefined {
  for (let o = 0; o + 2 <= data.length; ) {
    const t = data[o]!;
    const len = data[o + 1]!;
    if (o + 2 + len > data.length) return undefined;
    if (t === type) {
      const v = data.subarray(o + 2, o + 2 + len);
      const nul = v.indexOf(0);
      return new TextDecoder().decode(nul >= 0 ? v.subarray(0, nul) : v);
    }
    o += 2 + len;
  }
  return undefined;
}

function cstring(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}
