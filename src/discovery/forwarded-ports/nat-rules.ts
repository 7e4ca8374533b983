// Forwarded ports from decoded nf_tables rules: every rule that ends in a destination NAT —
// a native `dnat` expression or the xt `DNAT` target iptables-nft writes — becomes a forwarding,
// with what the rule matches (protocol, destination address and port) read from its compare
// expressions. Docker (chain DOCKER, tables named docker*), CNI portmap (chains CNI-DN-*) and
// netavark (chains NETAVARK-DN-*, table netavark) are recognised by their names; other DNAT
// rules are forwardings all the same, with no engine.

import type { ForwardSource, ForwardedPort, ForwardingEngine, PortRange } from "../../model/forwarded-ports.ts";
import {
  NFPROTO_INET,
  NFPROTO_IPV4,
  NFPROTO_IPV6,
  type NftExpression,
  NFT_REG_VERDICT,
  type NftRule,
  ipAddress,
} from "../../netlink/index.ts";

/** A forwarding as one source saw it, before merging (see merge.ts). */
export type ForwardingCandidate = Pick<
  ForwardedPort,
  "family" | "protocol" | "hostAddress" | "hostPorts" | "destinationAddress" | "destinationAddressLast" | "destinationPorts"
> & { source: ForwardSource; service?: ForwardedPort["service"] };

const PROTOCOLS: Record<number, string> = { 6: "tcp", 17: "udp", 33: "dccp", 132: "sctp", 136: "udplite" };

export function familyName(family: number): string {
  switch (family) {
    case NFPROTO_IPV4:
      return "ip";
    case NFPROTO_IPV6:
      return "ip6";
    case NFPROTO_INET:
      return "inet";
    default:
      return String(family);
  }
}

export function engineOf(table: string, chain: string): ForwardingEngine | null {
  if (chain === "DOCKER" || table.startsWith("docker")) return "docker";
  if (chain.startsWith("CNI-DN-")) return "cni";
  if (chain.startsWith("NETAVARK-DN-") || table === "netavark") return "netavark";
  return null;
}

const bytesOf = (hex: string): number[] => hex.match(/../g)?.map((h) => parseInt(h, 16)) ?? [];
const be16 = (hex: string): number | null => {
  const b = bytesOf(hex);
  return b.length === 2 ? (b[0]! << 8) | b[1]! : null;
};

/** What a register holds while the rule is read: a packet field we know how to name. */
type Field = "l4proto" | "nfproto" | "dport" | "daddr4" | "daddr6" | "other";

function fieldOf(e: NftExpression): Field {
  if (e.type === "meta") return e.key === "l4proto" ? "l4proto" : e.key === "nfproto" ? "nfproto" : "other";
  if (e.type === "payload") {
    if (e.base === "transport" && e.offset === 2 && e.len === 2) return "dport";
    // IPv4 protocol (offset 9) is what older iptables-nft loads instead of meta l4proto
    if (e.base === "network" && e.offset === 9 && e.len === 1) return "l4proto";
    if (e.base === "network" && e.offset === 16 && e.len === 4) return "daddr4";
    if (e.base === "network" && e.offset === 24 && e.len === 16) return "daddr6";
  }
  return "other";
}

/** What one rule matches and does, as far as forwardings care. */
export interface RuleReading {
  protocol: string | null;
  /** The destination address it matches (`ip daddr X`, `-d X`). */
  hostAddress: string | null;
  /** The destination ports it matches; null for any. */
  ports: PortRange | null;
  nfproto: number | null;
  dnat: { family: number; addressMin?: string; addressMax?: string; portMin?: number; portMax?: number; form: "nft" | "xt" } | null;
  /** Chains it jumps or goes to (immediate verdicts). */
  jumps: string[];
  /** Sets it looks up into the verdict register: verdict maps (`vmap`), whose elements name chains. */
  verdictMaps: string[];
}

/** Reads a rule's compare expressions (protocol, destination address and port), its DNAT and its jumps. */
export function readRule(rule: NftRule): RuleReading {
  const regs = new Map<number, Field>();
  let protocol: string | null = null;
  let hostAddress: string | null = null;
  let nfproto: number | null = null;
  let first: number | null = null;
  let last: number | null = null;
  let dnat: RuleReading["dnat"] = null;
  const jumps: string[] = [];
  const verdictMaps: string[] = [];

  for (const e of rule.expressions) {
    switch (e.type) {
      case "payload":
      case "meta":
        if (e.dreg !== undefined) regs.set(e.dreg, fieldOf(e));
        break;
      case "cmp": {
        const field = regs.get(e.sreg);
        const value = bytesOf(e.data);
        if (field === "dport") {
          const port = be16(e.data);
          if (port === null) break;
          if (e.op === "eq") first = last = port;
          else if (e.op === "gte") first = port;
          else if (e.op === "gt") first = port + 1;
          else if (e.op === "lte") last = port;
          else if (e.op === "lt") last = port - 1;
        } else if (e.op === "eq") {
          if (field === "l4proto" && value.length === 1) protocol = PROTOCOLS[value[0]!] ?? String(value[0]);
          else if (field === "nfproto" && value.length === 1) nfproto = value[0]!;
          else if ((field === "daddr4" && value.length === 4) || (field === "daddr6" && value.length === 16))
            hostAddress = ipAddress(Uint8Array.from(value));
        }
        break;
      }
      case "range":
        if (regs.get(e.sreg) === "dport" && e.op === "eq") {
          first = be16(e.from);
          last = be16(e.to);
        }
        break;
      case "match":
        if ((e.match.name === "tcp" || e.match.name === "udp") && "destinationPorts" in e.match) {
          protocol ??= e.match.name;
          const d = e.match.destinationPorts;
          if (!e.match.invertDestinationPorts && !(d.first === 0 && d.last === 0xffff)) {
            first = d.first;
            last = d.last;
          }
        }
        break;
      case "nat":
        if (e.nat === "dnat" && e.resolved.addressMin !== undefined) dnat = { family: e.family, ...e.resolved, form: "nft" };
        break;
      case "target":
        if (e.target.name === "DNAT" && "ranges" in e.target) {
          const r = e.target.ranges[0];
          if (r?.addressMin !== undefined) {
            const family = rule.family === NFPROTO_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
            dnat = { family, addressMin: r.addressMin, addressMax: r.addressMax, portMin: r.portMin, portMax: r.portMax, form: "xt" };
          }
        }
        break;
      case "immediate":
        if (e.verdict?.chain !== undefined && (e.verdict.kind === "jump" || e.verdict.kind === "goto")) jumps.push(e.verdict.chain);
        break;
      case "lookup":
        if (e.dreg === NFT_REG_VERDICT) verdictMaps.push(e.set);
        break;
      default:
        break;
    }
  }
  const ports = first !== null || last !== null ? { first: first ?? 0, last: last ?? 0xffff } : null;
  return { protocol, hostAddress, ports, nfproto, dnat, jumps, verdictMaps };
}

/** The forwarding a rule sets up, or null when the rule does no destination NAT we can read. */
export function forwardingFromRule(rule: NftRule): ForwardingCandidate | null {
  const r = readRule(rule);
  if (!r.dnat || r.dnat.addressMin === undefined) return null;
  return { ...dnatTarget(r, r.dnat), hostAddress: r.hostAddress, hostPorts: r.ports, source: ruleSource(rule, r.dnat.form, engineOf(rule.table, rule.chain)) };
}

/** Where a rule's DNAT sends what `matched` (the same rule, or the one that jumped to it) matches. */
export function dnatTarget(
  matched: Pick<RuleReading, "protocol" | "ports" | "nfproto">,
  dnat: NonNullable<RuleReading["dnat"]>,
): Pick<ForwardingCandidate, "family" | "protocol" | "destinationAddress" | "destinationAddressLast" | "destinationPorts"> {
  return {
    family: dnat.family === NFPROTO_IPV6 || matched.nfproto === NFPROTO_IPV6 ? "ipv6" : "ipv4",
    protocol: matched.protocol,
    destinationAddress: dnat.addressMin!,
    destinationAddressLast: dnat.addressMax !== undefined && dnat.addressMax !== dnat.addressMin ? dnat.addressMax : null,
    destinationPorts: dnat.portMin !== undefined ? { first: dnat.portMin, last: dnat.portMax ?? dnat.portMin } : matched.ports,
  };
}

export function ruleSource(rule: NftRule, form: "nft" | "xt", engine: ForwardingEngine | null): ForwardSource {
  return { kind: "nft-rule", family: familyName(rule.family), table: rule.table, chain: rule.chain, handle: rule.handle, form, engine };
}
