// kube-proxy's rules for a set of services, written in the shape kube-proxy itself writes them:
// for iptables mode the `iptables-restore` input of pkg/proxy/iptables (the golden outputs of its
// proxier_test.go: KUBE-SERVICES / KUBE-NODEPORTS frontends with "ns/name:port cluster IP"
// comments, KUBE-SVC-* / KUBE-EXT-* service chains, one KUBE-SEP-* chain per endpoint with its
// DNAT), for nftables mode the `nft -f` input of pkg/proxy/nftables (table ip kube-proxy with the
// service-ips / service-nodeports verdict maps, service-HASH-ns/name/proto/port chains choosing an
// endpoint-HASH-… chain by `numgen random mod N vmap`). Tests load them into a lab namespace.

import { createHash } from "node:crypto";

export interface FakeService {
  namespace: string;
  name: string;
  /** The port's name ("" for an unnamed port). */
  portName: string;
  protocol: "tcp" | "udp";
  clusterIP: string;
  port: number;
  externalIPs?: string[];
  nodePort?: number;
  endpoints: { ip: string; port: number }[];
}

/** kube-proxy's ServicePortName.String(): ns/name:port, or ns/name for an unnamed port. */
export const portName = (s: FakeService) => `${s.namespace}/${s.name}${s.portName ? `:${s.portName}` : ""}`;

/** kube-proxy's chain-name hash: base32 of a SHA-256, first `n` characters. */
function hash(text: string, n: number): string {
  const bytes = createHash("sha256").update(text).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.slice(0, n);
}

const q = (comment: string) => (/\s/.test(comment) ? `"${comment}"` : comment);

/** The nat table as kube-proxy's iptables mode restores it (iptables-restore input). */
export function iptablesRestore(services: FakeService[], clusterCidr: string): string {
  const chains = ["KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"];
  const rules = [
    `-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000`,
    `-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000`,
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE`,
  ];
  const frontends: string[] = [];
  for (const s of services) {
    const name = portName(s);
    const id = hash(name + s.protocol, 16);
    const svc = `KUBE-SVC-${id}`;
    const ext = `KUBE-EXT-${id}`;
    const match = `-m ${s.protocol} -p ${s.protocol}`;
    chains.push(svc);
    frontends.push(`-A KUBE-SERVICES -m comment --comment ${q(`${name} cluster IP`)} ${match} -d ${s.clusterIP} --dport ${s.port} -j ${svc}`);
    const external = (s.externalIPs?.length ?? 0) > 0 || s.nodePort !== undefined;
    if (external) {
      chains.push(ext);
      for (const ip of s.externalIPs ?? []) frontends.push(`-A KUBE-SERVICES -m comment --comment ${q(`${name} external IP`)} ${match} -d ${ip} --dport ${s.port} -j ${ext}`);
      if (s.nodePort !== undefined) rules.push(`-A KUBE-NODEPORTS -m comment --comment ${q(name)} ${match} --dport ${s.nodePort} -j ${ext}`);
      rules.push(`-A ${ext} -m comment --comment ${q(`masquerade traffic for ${name} external destinations`)} -j KUBE-MARK-MASQ`, `-A ${ext} -j ${svc}`);
    }
    rules.push(`-A ${svc} -m comment --comment ${q(`${name} cluster IP`)} ${match} -d ${s.clusterIP} --dport ${s.port} ! -s ${clusterCidr} -j KUBE-MARK-MASQ`);
    s.endpoints.forEach((e, i) => {
      const sep = `KUBE-SEP-${hash(`${name}${s.protocol}${e.ip}:${e.port}`, 16)}`;
      chains.push(sep);
      const left = s.endpoints.length - i;
      const statistic = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : "";
      rules.push(`-A ${svc} -m comment --comment ${q(`${name} -> ${e.ip}:${e.port}`)}${statistic} -j ${sep}`);
      rules.push(`-A ${sep} -m comment --comment ${q(name)} -s ${e.ip} -j KUBE-MARK-MASQ`);
      rules.push(`-A ${sep} -m comment --comment ${q(name)} ${match} -j DNAT --to-destination ${e.ip}:${e.port}`);
    });
  }
  frontends.push(`-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`);
  return ["*nat", ...chains.map((c) => `:${c} - [0:0]`), ...rules, ...frontends, "COMMIT", ""].join("\n");
}

/** `table ip kube-proxy` as kube-proxy's nftables mode writes it (nft -f input). */
export function nftablesScript(services: FakeService[], clusterCidr: string, nodeIPs: string[]): string {
  const t = "ip kube-proxy";
  const out = [
    `add table ${t} { comment "rules for kube-proxy" ; }`,
    `add set ${t} cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }`,
    `add set ${t} nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`,
    `add map ${t} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${t} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
    `add chain ${t} mark-for-masquerade`,
    `add chain ${t} masquerading`,
    `add chain ${t} nat-output { type nat hook output priority -100 ; }`,
    `add chain ${t} nat-postrouting { type nat hook postrouting priority 100 ; }`,
    `add chain ${t} nat-prerouting { type nat hook prerouting priority -100 ; }`,
    `add chain ${t} services`,
    `add rule ${t} mark-for-masquerade mark set mark or 0x4000`,
    `add rule ${t} masquerading mark and 0x4000 == 0 return`,
    `add rule ${t} masquerading mark set mark xor 0x4000`,
    `add rule ${t} masquerading masquerade fully-random`,
    `add rule ${t} nat-output jump services`,
    `add rule ${t} nat-postrouting jump masquerading`,
    `add rule ${t} nat-prerouting jump services`,
    `add rule ${t} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    `add rule ${t} services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`,
    ...nodeIPs.map((ip) => `add element ${t} nodeport-ips { ${ip} }`),
  ];
  for (const s of services) {
    const id = `${s.namespace}/${s.name}/${s.protocol}/${s.portName}`;
    const h = hash(id, 8);
    const svc = `service-${h}-${id}`;
    const ext = `external-${h}-${id}`;
    const eps = s.endpoints.map((e) => `endpoint-${hash(`${id}__${e.ip}/${e.port}`, 8)}-${id}__${e.ip}/${e.port}`);
    // Chains before the rules that name them: nft resolves a jump target as it reads the rule.
    out.push(`add chain ${t} ${svc}`, ...eps.map((e) => `add chain ${t} ${e}`));
    out.push(`add rule ${t} ${svc} ip daddr ${s.clusterIP} ip saddr != ${clusterCidr} jump mark-for-masquerade`);
    out.push(`add rule ${t} ${svc} numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto ${e}`).join(" , ")} }`);
    const external = (s.externalIPs?.length ?? 0) > 0 || s.nodePort !== undefined;
    if (external) {
      out.push(`add chain ${t} ${ext}`, `add rule ${t} ${ext} jump mark-for-masquerade`, `add rule ${t} ${ext} goto ${svc}`);
    }
    s.endpoints.forEach((e, i) => {
      out.push(`add rule ${t} ${eps[i]} ip saddr ${e.ip} jump mark-for-masquerade`);
      out.push(`add rule ${t} ${eps[i]} meta l4proto ${s.protocol} dnat to ${e.ip}:${e.port}`);
    });
    out.push(`add element ${t} cluster-ips { ${s.clusterIP} }`);
    out.push(`add element ${t} service-ips { ${s.clusterIP} . ${s.protocol} . ${s.port} : goto ${svc} }`);
    for (const ip of s.externalIPs ?? []) out.push(`add element ${t} service-ips { ${ip} . ${s.protocol} . ${s.port} : goto ${ext} }`);
    if (s.nodePort !== undefined) out.push(`add element ${t} service-nodeports { ${s.protocol} . ${s.nodePort} : goto ${ext} }`);
  }
  return out.join("\n") + "\n";
}
