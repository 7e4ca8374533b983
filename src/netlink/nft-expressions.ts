// The expressions of an nf_tables rule (NFTA_RULE_EXPRESSIONS: a list of NFTA_LIST_ELEM, each a
// name and its NFTA_EXPR_DATA). A rule is a little register machine: `payload` and `meta` load
// packet data into registers, `cmp`/`range`/`lookup` test them, `immediate` loads constants and
// `nat` reads its addresses and ports from registers. Data values are given as hex (as
// `nft --debug=netlink` shows them: bytes in packet order). `resolveNatRegisters` replays the
// immediates so that a `nat` expression carries concrete addresses and ports.

import { AttributeSet } from "./attribute-set.ts";
import { parseAttributes } from "./attributes.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { ipAddress } from "./inet.ts";
import { NFPROTO_IPV4, NFPROTO_IPV6, NF_ACCEPT, NF_DROP } from "./uapi/netfilter.ts";
import {
  NFTA_CMP_DATA,
  NFTA_CMP_OP,
  NFTA_CMP_SREG,
  NFTA_COUNTER_BYTES,
  NFTA_COUNTER_PACKETS,
  NFTA_DATA_VALUE,
  NFTA_DATA_VERDICT,
  NFTA_EXPR_DATA,
  NFTA_EXPR_NAME,
  NFTA_IMMEDIATE_DATA,
  NFTA_IMMEDIATE_DREG,
  NFTA_LIST_ELEM,
  NFTA_LOOKUP_DREG,
  NFTA_LOOKUP_FLAGS,
  NFTA_LOOKUP_SET,
  NFTA_LOOKUP_SET_ID,
  NFTA_LOOKUP_SREG,
  NFTA_MATCH_INFO,
  NFTA_MATCH_NAME,
  NFTA_MATCH_REV,
  NFTA_META_DREG,
  NFTA_META_KEY,
  NFTA_META_SREG,
  NFTA_NAT_FAMILY,
  NFTA_NAT_FLAGS,
  NFTA_NAT_REG_ADDR_MAX,
  NFTA_NAT_REG_ADDR_MIN,
  NFTA_NAT_REG_PROTO_MAX,
  NFTA_NAT_REG_PROTO_MIN,
  NFTA_NAT_TYPE,
  NFTA_PAYLOAD_BASE,
  NFTA_PAYLOAD_DREG,
  NFTA_PAYLOAD_LEN,
  NFTA_PAYLOAD_OFFSET,
  NFTA_PAYLOAD_SREG,
  NFTA_RANGE_FROM_DATA,
  NFTA_RANGE_OP,
  NFTA_RANGE_SREG,
  NFTA_RANGE_TO_DATA,
  NFTA_TARGET_INFO,
  NFTA_TARGET_NAME,
  NFTA_TARGET_REV,
  NFTA_VERDICT_CHAIN,
  NFTA_VERDICT_CODE,
  NFT_BREAK,
  NFT_CONTINUE,
  NFT_GOTO,
  NFT_JUMP,
  NFT_NAT_DNAT,
  NFT_NAT_SNAT,
  NFT_REG_4,
  NFT_REG32_00,
  NFT_RETURN,
} from "./uapi/nf_tables.ts";
import { type XtMatch, type XtTarget, decodeXtMatch, decodeXtTarget } from "./xt-compat.ts";

export type NftCmpOp = "eq" | "neq" | "lt" | "lte" | "gt" | "gte";
const CMP_OPS: NftCmpOp[] = ["eq", "neq", "lt", "lte", "gt", "gte"];
const PAYLOAD_BASES = ["ll", "network", "transport", "inner"];
// enum nft_meta_keys, as nft names them
const META_KEYS = [
  "len", "protocol", "priority", "mark", "iif", "oif", "iifname", "oifname", "iiftype", "oiftype",
  "skuid", "skgid", "nftrace", "rtclassid", "secmark", "nfproto", "l4proto", "ibrname", "obrname",
  "pkttype", "cpu", "iifgroup", "oifgroup", "cgroup", "random", "secpath", "iifkind", "oifkind",
  "ibrpvid", "ibrvproto", "time", "day", "hour", "sdif", "sdifname",
];

export interface NftVerdict {
  /** accept, drop, continue, break, jump, goto, return, or the number. */
  kind: string;
  /** jump/goto target. */
  chain?: string;
}

export interface NftNatResolved {
  addressMin?: string;
  addressMax?: string;
  portMin?: number;
  portMax?: number;
}

export type NftExpression =
  | { type: "payload"; base: string; offset: number; len: number; dreg?: number; sreg?: number }
  | { type: "meta"; key: string; dreg?: number; sreg?: number }
  | { type: "cmp"; sreg: number; op: NftCmpOp; data: string }
  | { type: "range"; sreg: number; op: "eq" | "neq"; from: string; to: string }
  | { type: "immediate"; dreg: number; data?: string; verdict?: NftVerdict }
  | { type: "lookup"; set: string; sreg: number; dreg?: number; setId?: number; invert: boolean }
  | { type: "counter"; packets: bigint; bytes: bigint }
  | {
      type: "nat";
      nat: "snat" | "dnat";
      /** NFPROTO_IPV4 / NFPROTO_IPV6: how long the address registers are. */
      family: number;
      regAddrMin?: number;
      regAddrMax?: number;
      regProtoMin?: number;
      regProtoMax?: number;
      flags: number;
      /** The register contents at this point of the rule, where an `immediate` put them. */
      resolved: NftNatResolved;
    }
  | { type: "match"; match: XtMatch }
  | { type: "target"; target: XtTarget }
  /** Any other expression: its name is enough to say the rule does more than we read. */
  | { type: "other"; name: string };

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function required<T>(v: T | undefined, what: string, offset: number): T {
  if (v === undefined) throw new NetlinkDecodeError(`${what} is missing`, offset);
  return v;
}

/** NFTA_DATA_VALUE inside an nft_data_attributes nest, as hex. */
function dataValue(a: AttributeSet | undefined, what: string, offset: number): string {
  const value = a?.get(NFTA_DATA_VALUE);
  if (!value) throw new NetlinkDecodeError(`${what}: NFTA_DATA_VALUE is missing`, offset);
  return hex(value.data);
}

function verdictName(code: number): string {
  switch (code) {
    case NF_ACCEPT:
      return "accept";
    case NF_DROP:
      return "drop";
    case NFT_CONTINUE:
      return "continue";
    case NFT_BREAK:
      return "break";
    case NFT_JUMP:
      return "jump";
    case NFT_GOTO:
      return "goto";
    case NFT_RETURN:
      return "return";
    default:
      return String(code);
  }
}

/** An NFTA_DATA_VERDICT nest: the verdict and, for jump/goto, the chain. */
export function decodeVerdict(verdict: AttributeSet, offset: number): NftVerdict {
  const code = required(verdict.be32(NFTA_VERDICT_CODE, "NFTA_VERDICT_CODE"), "NFTA_VERDICT_CODE", offset) | 0;
  const v: NftVerdict = { kind: verdictName(code) };
  const chain = verdict.str(NFTA_VERDICT_CHAIN);
  if (chain !== undefined) v.chain = chain;
  return v;
}

/** NFTA_RULE_EXPRESSIONS → expressions, with nat registers resolved. `family` is the rule's. */
export function decodeExpressions(list: Uint8Array, base: number, family: number): NftExpression[] {
  const out: NftExpression[] = [];
  for (const elem of parseAttributes(list, base)) {
    if (elem.type !== NFTA_LIST_ELEM) continue;
    out.push(decodeExpression(new AttributeSet(elem.data, elem.offset + 4), elem.offset, family));
  }
  resolveNatRegisters(out);
  return out;
}

function decodeExpression(e: AttributeSet, offset: number, family: number): NftExpression {
  const name = required(e.str(NFTA_EXPR_NAME), "NFTA_EXPR_NAME", offset);
  const d = e.nested(NFTA_EXPR_DATA) ?? new AttributeSet(new Uint8Array(0), offset);
  const reg = (t: number, what: string) => d.be32(t, what);
  const need = (t: number, what: string) => required(d.be32(t, what), what, offset);
  switch (name) {
    case "payload": {
      const base = need(NFTA_PAYLOAD_BASE, "NFTA_PAYLOAD_BASE");
      return compactExpr({
        type: "payload",
        base: PAYLOAD_BASES[base] ?? String(base),
        offset: need(NFTA_PAYLOAD_OFFSET, "NFTA_PAYLOAD_OFFSET"),
        len: need(NFTA_PAYLOAD_LEN, "NFTA_PAYLOAD_LEN"),
        dreg: reg(NFTA_PAYLOAD_DREG, "NFTA_PAYLOAD_DREG"),
        sreg: reg(NFTA_PAYLOAD_SREG, "NFTA_PAYLOAD_SREG"),
      });
    }
    case "meta": {
      const key = need(NFTA_META_KEY, "NFTA_META_KEY");
      return compactExpr({
        type: "meta",
        key: META_KEYS[key] ?? String(key),
        dreg: reg(NFTA_META_DREG, "NFTA_META_DREG"),
        sreg: reg(NFTA_META_SREG, "NFTA_META_SREG"),
      });
    }
    case "cmp": {
      const op = need(NFTA_CMP_OP, "NFTA_CMP_OP");
      return {
        type: "cmp",
        sreg: need(NFTA_CMP_SREG, "NFTA_CMP_SREG"),
        op: CMP_OPS[op] ?? throwBad(`cmp op ${op}`, offset),
        data: dataValue(d.nested(NFTA_CMP_DATA), "cmp", offset),
      };
    }
    case "range": {
      const op = need(NFTA_RANGE_OP, "NFTA_RANGE_OP");
      if (op > 1) throwBad(`range op ${op}`, offset);
      return {
        type: "range",
        sreg: need(NFTA_RANGE_SREG, "NFTA_RANGE_SREG"),
        op: op === 0 ? "eq" : "neq",
        from: dataValue(d.nested(NFTA_RANGE_FROM_DATA), "range from", offset),
        to: dataValue(d.nested(NFTA_RANGE_TO_DATA), "range to", offset),
      };
    }
    case "immediate": {
      const dreg = need(NFTA_IMMEDIATE_DREG, "NFTA_IMMEDIATE_DREG");
      const data = d.nested(NFTA_IMMEDIATE_DATA);
      if (!data) throw new NetlinkDecodeError("NFTA_IMMEDIATE_DATA is missing", offset);
      const verdict = data.nested(NFTA_DATA_VERDICT);
      if (verdict) return { type: "immediate", dreg, verdict: decodeVerdict(verdict, offset) };
      return { type: "immediate", dreg, data: dataValue(data, "immediate", offset) };
    }
    case "lookup": {
      const flags = d.be32(NFTA_LOOKUP_FLAGS, "NFTA_LOOKUP_FLAGS") ?? 0;
      return compactExpr({
        type: "lookup",
        set: required(d.str(NFTA_LOOKUP_SET), "NFTA_LOOKUP_SET", offset),
        sreg: need(NFTA_LOOKUP_SREG, "NFTA_LOOKUP_SREG"),
        dreg: reg(NFTA_LOOKUP_DREG, "NFTA_LOOKUP_DREG"),
        setId: reg(NFTA_LOOKUP_SET_ID, "NFTA_LOOKUP_SET_ID"),
        invert: (flags & 1) !== 0, // NFT_LOOKUP_F_INV
      });
    }
    case "counter":
      return {
        type: "counter",
        packets: d.be64(NFTA_COUNTER_PACKETS, "NFTA_COUNTER_PACKETS") ?? 0n,
        bytes: d.be64(NFTA_COUNTER_BYTES, "NFTA_COUNTER_BYTES") ?? 0n,
      };
    case "nat": {
      const t = need(NFTA_NAT_TYPE, "NFTA_NAT_TYPE");
      if (t !== NFT_NAT_SNAT && t !== NFT_NAT_DNAT) throwBad(`nat type ${t}`, offset);
      return compactExpr({
        type: "nat",
        nat: t === NFT_NAT_DNAT ? "dnat" : "snat",
        family: need(NFTA_NAT_FAMILY, "NFTA_NAT_FAMILY"),
        regAddrMin: reg(NFTA_NAT_REG_ADDR_MIN, "NFTA_NAT_REG_ADDR_MIN"),
        regAddrMax: reg(NFTA_NAT_REG_ADDR_MAX, "NFTA_NAT_REG_ADDR_MAX"),
        regProtoMin: reg(NFTA_NAT_REG_PROTO_MIN, "NFTA_NAT_REG_PROTO_MIN"),
        regProtoMax: reg(NFTA_NAT_REG_PROTO_MAX, "NFTA_NAT_REG_PROTO_MAX"),
        flags: d.be32(NFTA_NAT_FLAGS, "NFTA_NAT_FLAGS") ?? 0,
        resolved: {},
      });
    }
    case "match": {
      const info = d.get(NFTA_MATCH_INFO);
      return {
        type: "match",
        match: decodeXtMatch(
          required(d.str(NFTA_MATCH_NAME), "NFTA_MATCH_NAME", offset),
          need(NFTA_MATCH_REV, "NFTA_MATCH_REV"),
          info?.data ?? new Uint8Array(0),
          info ? info.offset + 4 : offset,
        ),
      };
    }
    case "target": {
      const info = d.get(NFTA_TARGET_INFO);
      return {
        type: "target",
        target: decodeXtTarget(
          required(d.str(NFTA_TARGET_NAME), "NFTA_TARGET_NAME", offset),
          need(NFTA_TARGET_REV, "NFTA_TARGET_REV"),
          info?.data ?? new Uint8Array(0),
          family,
          info ? info.offset + 4 : offset,
        ),
      };
    }
    default:
      return { type: "other", name };
  }
}

function throwBad(what: string, offset: number): never {
  throw new NetlinkDecodeError(`unknown ${what}`, offset);
}

/** Drops keys whose value is undefined (absent optional registers). */
function compactExpr<T extends object>(o: T): T {
  const out = {} as T;
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/**
 * Index of a register in 4-byte units of the register file, as the kernel's
 * nft_parse_register() computes it: NFT_REG_1..4 (16 bytes each) sit after the 16-byte verdict
 * register; NFT_REG32_00.. count 4-byte units from the same place. null for an invalid number.
 */
export function registerUnit(reg: number): number | null {
  if (reg >= 1 && reg <= NFT_REG_4) return reg * 4;
  if (reg >= NFT_REG32_00 && reg < NFT_REG32_00 + 16) return reg - NFT_REG32_00 + 4;
  return null;
}

/**
 * Replays the rule's register writes: an `immediate` stores its bytes, any other expression
 * with a destination register makes those units unknown (packet data). Each `nat` then gets the
 * addresses and ports its registers hold at that point, where they are constants. A nat whose
 * registers come from a map lookup stays unresolved (the answer depends on the packet).
 */
export function resolveNatRegisters(expressions: NftExpression[]): void {
  const units = new Map<number, number[]>(); // unit index → its 4 bytes
  const store = (reg: number, bytes: number[] | null, len: number) => {
    const start = registerUnit(reg);
    if (start === null) return;
    for (let i = 0; i * 4 < len; i++) {
      if (bytes === null) units.delete(start + i);
      else units.set(start + i, [0, 1, 2, 3].map((k) => bytes[i * 4 + k] ?? 0));
    }
  };
  const load = (reg: number | undefined, len: number): Uint8Array | null => {
    if (reg === undefined) return null;
    const start = registerUnit(reg);
    if (start === null) return null;
    const out = new Uint8Array(len);
    for (let i = 0; i * 4 < len; i++) {
      const u = units.get(start + i);
      if (!u) return null;
      for (let k = 0; k < 4 && i * 4 + k < len; k++) out[i * 4 + k] = u[k]!;
    }
    return out;
  };
  for (const e of expressions) {
    switch (e.type) {
      case "immediate":
        if (e.data !== undefined) {
          const bytes = e.data.match(/../g)?.map((h) => parseInt(h, 16)) ?? [];
          store(e.dreg, bytes, bytes.length);
        }
        break;
      case "payload":
        if (e.dreg !== undefined) store(e.dreg, null, e.len);
        break;
      case "meta":
      case "lookup":
        if (e.dreg !== undefined) store(e.dreg, null, 16);
        break;
      case "nat": {
        const alen = e.family === NFPROTO_IPV6 ? 16 : e.family === NFPROTO_IPV4 ? 4 : 0;
        if (alen) {
          const min = load(e.regAddrMin, alen);
          const max = load(e.regAddrMax ?? e.regAddrMin, alen);
          if (min) e.resolved.addressMin = ipAddress(min);
          if (max) e.resolved.addressMax = ipAddress(max);
        }
        const pmin = load(e.regProtoMin, 2);
        const pmax = load(e.regProtoMax ?? e.regProtoMin, 2);
        if (pmin) e.resolved.portMin = (pmin[0]! << 8) | pmin[1]!; // __be16 in the register
        if (pmax) e.resolved.portMax = (pmax[0]! << 8) | pmax[1]!;
        break;
      }
      default:
        break;
    }
  }
}
