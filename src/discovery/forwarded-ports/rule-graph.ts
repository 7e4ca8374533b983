// The rules of one namespace as a graph of chains: which DNAT rules a packet can reach from a
// chain, following jumps and gotos (immediate verdicts) and verdict maps (`vmap`, whose elements
// name the chains). kube-proxy spreads one service over such chains (service → endpoint chains),
// so its forwardings are read by walking them.

import type { NftRule, NftSet, NftSetElement } from "../../netlink/index.ts";
import { NFTNL_UDATA_COMMENT, userdataString } from "../../netlink/index.ts";
import { readRule, type RuleReading } from "./nat-rules.ts";

/** A set or map with its elements, as read from the kernel. */
export type NftSetWithElements = NftSet & { elements: NftSetElement[] };

export interface ReachedDnat {
  rule: NftRule;
  reading: RuleReading & { dnat: NonNullable<RuleReading["dnat"]> };
}

const chainId = (family: number, table: string, chain: string) => `${family}|${table}|${chain}`;

export class RuleGraph {
  readonly #chains = new Map<string, { rule: NftRule; reading: RuleReading }[]>();
  readonly #sets = new Map<string, NftSetWithElements>();

  constructor(rules: NftRule[], sets: NftSetWithElements[] = []) {
    for (const rule of rules) {
      const id = chainId(rule.family, rule.table, rule.chain);
      let list = this.#chains.get(id);
      if (!list) this.#chains.set(id, (list = []));
      list.push({ rule, reading: readRule(rule) });
    }
    for (const s of sets) this.#sets.set(chainId(s.family, s.table, s.name), s);
  }

  /** A chain's rules in order, each with what it matches and does; [] for a chain with no rules. */
  chain(family: number, table: string, chain: string): { rule: NftRule; reading: RuleReading }[] {
    return this.#chains.get(chainId(family, table, chain)) ?? [];
  }

  set(family: number, table: string, name: string): NftSetWithElements | undefined {
    return this.#sets.get(chainId(family, table, name));
  }

  /** Every DNAT rule reachable from `chain` (itself included), each once, in depth-first order. */
  dnatsFrom(family: number, table: string, chain: string): ReachedDnat[] {
    const out: ReachedDnat[] = [];
    const seen = new Set<string>();
    const walk = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      for (const r of this.chain(family, table, name)) {
        if (r.reading.dnat) out.push(r as ReachedDnat);
        for (const target of r.reading.jumps) walk(target);
        for (const map of r.reading.verdictMaps)
          for (const e of this.set(family, table, map)?.elements ?? []) if (e.verdict?.chain && (e.verdict.kind === "jump" || e.verdict.kind === "goto")) walk(e.verdict.chain);
      }
    };
    walk(chain);
    return out;
  }
}

/** A rule's comment: iptables' comment match, or the user data comment nft and iptables-nft write. */
export function ruleComment(rule: NftRule): string | null {
  for (const e of rule.expressions) if (e.type === "match" && e.match.name === "comment" && "comment" in e.match) return e.match.comment;
  if (!rule.userdataHex) return null;
  const bytes = Uint8Array.from(rule.userdataHex.match(/../g) ?? [], (h) => parseInt(h, 16));
  return userdataString(bytes, NFTNL_UDATA_COMMENT) ?? null;
}
