// kube-proxy in nftables mode: table `kube-proxy` (family ip, and ip6 for IPv6) holds the verdict
// maps `service-ips` (daddr . l4proto . dport → goto service-… or external-… chain) and
// `service-nodeports` (l4proto . dport → goto external-…); the service chain picks an
// endpoint-… chain through an anonymous `numgen random mod N vmap`, and each endpoint chain
// DNATs. Chains are named `service-HASH-ns/name/proto/port` (and endpoint-HASH-…__addr/port),
// which names the service; an element's comment, where older versions set one, says it too.

import { NFPROTO_IPV4, NFPROTO_IPV6, ipAddress } from "../../netlink/index.ts";
import type { ServiceAccess } from "../../model/kube-services.ts";
import { dnatTarget, familyName } from "./nat-rules.ts";
import type { RuleGraph } from "./rule-graph.ts";
import type { KubeProxyForwarding } from "./kube-proxy.ts";

const TABLE = "kube-proxy";
const PROTOCOLS: Record<number, string> = { 6: "tcp", 17: "udp", 132: "sctp" };
/** service-ULMVA6XW-ns1/svc1/tcp/p80, external-42NFTM6N-ns2/svc2/tcp/p80 */
const CHAIN = /^(service|external)-[A-Z0-9]+-([^/]+)\/([^/]+)\/([^/]+)\/(.*)$/;
/** An element comment of older versions: "ns1/svc1:p80". */
const COMMENT = /^([^/\s]+)\/([^\s:]+)(?::(\S+))?$/;

export function kubeProxyNftables(graph: RuleGraph): KubeProxyForwarding[] {
  const out: KubeProxyForwarding[] = [];
  for (const family of [NFPROTO_IPV4, NFPROTO_IPV6]) {
    const addrLen = family === NFPROTO_IPV4 ? 4 : 16;
    for (const [map, withAddress] of [["service-ips", true], ["service-nodeports", false]] as const) {
      const set = graph.set(family, TABLE, map);
      if (!set) continue;
      for (const e of set.elements) {
        const chain = e.verdict?.chain;
        const key = decodeKey(e.key, withAddress ? addrLen : 0);
        if (!chain || !key) continue;
        const named = CHAIN.exec(chain);
        const commented = e.comment ? COMMENT.exec(e.comment) : null;
        if (!named && !commented) continue;
        const service = {
          namespace: commented?.[1] ?? named![2]!,
          name: commented?.[2] ?? named![3]!,
          port: commented ? (commented[3] ?? "") : named![5]!,
          protocol: key.protocol,
        };
        const access: ServiceAccess = !withAddress ? "nodePort" : named?.[1] === "external" ? "external" : "clusterIP";
        const matched = { protocol: key.protocol, ports: { first: key.port, last: key.port }, nfproto: family };
        for (const { rule, reading } of graph.dnatsFrom(family, TABLE, chain)) {
          out.push({
            candidate: {
              ...dnatTarget(matched, reading.dnat),
              hostAddress: key.address,
              hostPorts: matched.ports,
              source: { kind: "nft-rule", family: familyName(rule.family), table: rule.table, chain: rule.chain, handle: rule.handle, form: reading.dnat.form, engine: "kube-proxy" },
            },
            entry: null,
            service: { ...service, access, proxyMode: "nftables" },
            dnatRule: rule,
          });
        }
      }
    }
  }
  return out;
}

/**
 * A concatenated key: [address .] l4proto . port, each part in its own 4-byte register slot
 * (an IPv6 address takes four), the protocol a byte, the port big-endian.
 */
export function decodeKey(hex: string, addrLen: number): { address: string | null; protocol: string; port: number } | null {
  if (hex.length !== 2 * (addrLen + 8) || !/^[0-9a-f]*$/i.test(hex)) return null;
  const b = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  const proto = b[addrLen]!;
  return {
    address: addrLen === 0 ? null : ipAddress(b.subarray(0, addrLen)),
    protocol: PROTOCOLS[proto] ?? String(proto),
    port: (b[addrLen + 4]! << 8) | b[addrLen + 5]!,
  };
}
