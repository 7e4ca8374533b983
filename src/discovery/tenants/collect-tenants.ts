// Tenants of every network namespace: its leaders (leaders.ts), each with its bounding
// capabilities and DNS settings (read-dns.ts). Runs in every discovery, so everything that can be
// shared is read once: DNS files per mount namespace + root, UTS names per UTS namespace; the
// only per-tenant reads are /proc/PID/status, two ns links and an O_PATH open of its root.

import { readFileSync } from "node:fs";
import { processKey } from "../../model/keys.ts";
import type { Tenant } from "../../model/tenants.ts";
import { CAPABILITY_NAMES, decodeCapabilityMask } from "../procfs/capabilities.ts";
import { describeErrno, errnoCode, isVanished } from "../procfs/errors.ts";
import type { ProcessInfo } from "../procfs/processes.ts";
import { DnsReader } from "./read-dns.ts";
import { compareTenants, namespaceLeaders } from "./leaders.ts";

export interface TenantStats {
  tenants: number;
  /** Distinct (mount namespace, root) file sets read. */
  dnsFileSets: number;
  /** Distinct UTS namespaces entered. */
  utsNamespaces: number;
}

/** The CapBnd line of a /proc/PID/status text, or null. */
export function parseCapBnd(status: string): string | null {
  return /^CapBnd:\s*([0-9a-fA-F]+)\s*$/m.exec(status)?.[1] ?? null;
}

const CAP_ORDER = new Map(CAPABILITY_NAMES.map((name, bit) => [name, bit]));
function capOrder(name: string): number {
  return CAP_ORDER.get(name) ?? Number(name.slice(4));
}

/**
 * Tenants per namespace, in the order of `memberships` (each the set of PIDs whose main thread is
 * attached to that namespace). `warn(i, message)` reports a problem about namespace i.
 */
export function collectTenants(
  memberships: Set<number>[],
  processes: Map<number, ProcessInfo>,
  bootId: string,
  procRoot: string,
  warn: (namespace: number, message: string) => void,
): { tenants: Tenant[][]; stats: TenantStats } {
  let current = 0;
  const dns = new DnsReader(procRoot, (m) => warn(current, m));
  const result: Tenant[][] = [];
  let count = 0;
  for (const [i, members] of memberships.entries()) {
    current = i;
    const found: (Tenant & { startTime: number })[] = [];
    for (const pid of namespaceLeaders(members, processes)) {
      const p = processes.get(pid)!;
      let caps: string[] | null = null;
      try {
        const hex = parseCapBnd(readFileSync(`${procRoot}/${pid}/status`, "utf8"));
        if (hex === null) warn(i, `pid ${pid} (${p.comm}): no CapBnd line in status; bounding capabilities unknown`);
        else caps = [...decodeCapabilityMask(hex)].sort((a, b) => capOrder(a) - capOrder(b));
      } catch (err) {
        if (isVanished(err)) continue;
        const code = errnoCode(err);
        warn(i, `pid ${pid} (${p.comm}): cannot read status: ${code} (${describeErrno(code)}); bounding capabilities unknown`);
      }
      const settings = dns.read(pid, p.comm);
      if (settings === null) continue; // exited meanwhile
      found.push({
        kind: "process",
        process: processKey(bootId, pid, p.startTime),
        container: null,
        pid,
        comm: p.comm,
        oldest: false,
        boundingCapabilities: caps,
        dns: settings,
        startTime: p.startTime,
      });
    }
    found.sort(compareTenants);
    if (found[0]) found[0].oldest = true;
    count += found.length;
    result.push(found.map(({ startTime: _, ...t }) => t));
  }
  return { tenants: result, stats: { tenants: count, dnsFileSets: dns.fileReads, utsNamespaces: dns.utsReads } };
}
