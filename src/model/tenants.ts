// Who lives in a network namespace (its tenants) and how names resolve for them (DNS settings).
// Kept apart from topology.ts, which holds one `tenants` field per namespace and one `users`
// field per interface pointing here.

import type { ContainerKey } from "./containers.ts";
import type { ProcessKey } from "./keys.ts";

/**
 * Where a tenant comes from. "process": a leader of the namespace — a process attached to it
 * whose parent is not (or is not visible). "container": such a leader that a container engine
 * names as the init process of a container. Consumers must expect more kinds.
 */
export type TenantKind = "process" | "container";

export interface Tenant {
  kind: TenantKind;
  process: ProcessKey;
  /** The container whose init process this tenant is (kind "container"); null otherwise. */
  container: ContainerKey | null;
  pid: number;
  comm: string;
  /** The tenant that started first (smallest start time, then PID): the namespace's likely owner. */
  oldest: boolean;
  /** The bounding set (CapBnd of /proc/PID/status) as CAP_* names; null if it could not be read. */
  boundingCapabilities: string[] | null;
  /** Name resolution as this tenant sees it. */
  dns: DnsSettings;
}

/**
 * Each field is null when its source is absent or unreadable (a warning says which); a file that
 * is present but partly malformed gives what could be read from it, plus a warning.
 */
export interface DnsSettings {
  /** uname() nodename in the tenant's UTS namespace. */
  utsHostname: string | null;
  /** uname() domainname (NIS) in the tenant's UTS namespace; "(none)" when unset, as the kernel says. */
  utsDomainname: string | null;
  /** First name in /etc/hostname. */
  hostname: string | null;
  /** First name in /etc/domainname. */
  domainname: string | null;
  /** /etc/hosts: each name with its addresses, in file order. */
  hosts: HostsEntry[] | null;
  /** resolv.conf, as read by the tenant (symlinks resolved inside its root). */
  resolver: ResolverSettings | null;
}

export interface HostsEntry {
  /** A hostname or alias, as written (lookups are case-insensitive; duplicates differing in case are merged). */
  name: string;
  addresses: string[];
}

export interface ResolverSettings {
  nameservers: string[];
  /** The search list ("search", or the older "domain", whichever came last, as glibc reads it). */
  search: string[];
  /** "options" tokens, as written (ndots:2, edns0, …). */
  options: string[];
}
