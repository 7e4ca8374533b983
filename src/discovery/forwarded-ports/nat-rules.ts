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
  type NftRule,
  ipAddress,
} from "../../netlink/index.ts";

/** A forwarding as one source saw it, before merging (see merge.ts). */
export type ForwardingCandidate = Pick<
  ForwardedPort,
  "family" | "protocol" | "hostAddress" | "hostPorts" | "destinationAddress" | "destinationAddressLast" | "destinationPorts"
> & { source: ForwardSource };

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

/** The forwarding a rule sets up, or null when the rule does no destination NAT we can read. */
export function forwardingFromRule(rule: NftRule): ForwardingCandidate | null {
  const regs = new Map<number, Field>();
  let protocol: string | null = null;
  let hostAddress: string | null = null;
  let nfproto: number | null = null;
  let first: number | null = null;
  let last: number | null = null;
  let dnat: { family: number; addressMin?: string; addressMax?: string; portMin?: number; portMax?: number; form: "nft" | "xt" } | null = null;

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
      default:
        break;
    }
  }
  if (!dnat || dnat.addressMin === undefined) return null;
  const family = dnat.family === NFPROTO_IPV6 || nfproto === NFPROTO_IPV6 ? "ipv6" : "ipv4";
  const hostPorts = first !== null || last !== null ? { first: first ?? 0, last: last ?? 0xffff } : null;
  const destinationPorts = dnat.portMin !== undefined ? { first: dnat.portMin, last: dnat.portMax ?? dnat.portMin } : hostPorts;
  return {
    family,
    protocol,
    hostAddress,
    hostPorts,
    destinationAddress: dnat.addressMin,
    destinationAddressLast: dnat.addressMax !== undefined && dnat.addressMax !== dnat.addressMin ? dnat.addressMax : null,
    destinationPorts,
    source: {
      kind: "nft-rule",
      family: familyName(rule.family),
      table: rule.table,
      chain: rule.chain,
      handle: rule.handle,
      form: dnat.form,
      engine: engineOf(rule.table, rule.chain),
    },
  };
}
