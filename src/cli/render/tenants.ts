// `wiresight ls -t`: a namespace's tenants, one line each (name, pid, oldest, hostname,
// capabilities), followed by the DNS settings they see. Tenants that see exactly the same
// settings share one block, so a namespace of many processes in one container stays short.

import type { DnsSettings, Tenant } from "../../model/tenants.ts";
import type { Style } from "./style.ts";

/** Kernel capability count this build knows (CAP_CHOWN … CAP_CHECKPOINT_RESTORE). */
const KNOWN_CAPS = 41;
const MAX_HOSTS = 6;

export function tenantLines(tenants: Tenant[], s: Style): string[] {
  const out: string[] = [s.bold("tenants")];
  let previous: string | undefined;
  for (const t of tenants) {
    const parts = [`${s.bold(t.comm)} (${t.pid})`];
    if (t.oldest) parts.push(s.cyan("oldest"));
    if (t.dns.utsHostname !== null) parts.push(`uts ${t.dns.utsHostname}`);
    parts.push(s.dim(capsLabel(t.boundingCapabilities)));
    out.push(`  ${parts.join("  ")}`);
    const dns = JSON.stringify({ ...t.dns, utsHostname: null });
    if (dns === previous) continue; // same settings as the tenant above
    previous = dns;
    out.push(...dnsLines(t.dns, s).map((l) => `    ${l}`));
  }
  return out;
}

function capsLabel(caps: string[] | null): string {
  if (caps === null) return "caps ?";
  if (caps.length === 0) return "caps none";
  if (caps.length >= KNOWN_CAPS) return "caps all";
  return `caps ${caps.length}/${KNOWN_CAPS}`;
}

function dnsLines(d: DnsSettings, s: Style): string[] {
  const out: string[] = [];
  const names: string[] = [];
  if (d.hostname !== null) names.push(`hostname ${d.hostname}`);
  if (d.domainname !== null) names.push(`domainname ${d.domainname}`);
  if (d.utsDomainname !== null && d.utsDomainname !== "(none)") names.push(`nis ${d.utsDomainname}`);
  if (names.length > 0) out.push(names.join(" · "));
  if (d.resolver) {
    const r = d.resolver;
    const parts = [`nameserver ${r.nameservers.length > 0 ? r.nameservers.join(", ") : s.yellow("none")}`];
    if (r.search.length > 0) parts.push(`search ${r.search.join(" ")}`);
    if (r.options.length > 0) parts.push(`options ${r.options.join(" ")}`);
    out.push(`${s.dim("resolv.conf")} ${parts.join(" · ")}`);
  } else {
    out.push(`${s.dim("resolv.conf")} ${s.yellow("absent")}`);
  }
  if (d.hosts && d.hosts.length > 0) {
    const shown = d.hosts.slice(0, MAX_HOSTS).map((h) => `${h.name} ${h.addresses.join(",")}`);
    const more = d.hosts.length > MAX_HOSTS ? ` · +${d.hosts.length - MAX_HOSTS} more` : "";
    out.push(`${s.dim("hosts")} ${shown.join(" · ")}${more}`);
  }
  return out;
}
