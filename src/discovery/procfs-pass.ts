// The procfs half of a discovery, in one call: processes, the one fd pass, every network
// namespace (procfs + nsfs), and what derives from those tables alone — socket owners, tun/tap
// users (asked of the kernel per fd), tenants with their DNS files and UTS names, container
// engines and their API sockets, PID namespaces, the host's capabilities, names, kernel, OS and
// CPUs, /etc/services. The result is
// plain data (Maps and arrays of plain objects): it crosses from a reader Worker to the thread
// that assembles by structured clone, and leaves the big fd table behind.

import { readFileSync } from "node:fs";
import { tunAttachment } from "../ffi/index.ts";
import { processKey, type ProcessKey } from "../model/keys.ts";
import type { Tenant } from "../model/tenants.ts";
import type { OsRelease, Warning } from "../model/topology.ts";
import { findEngines, type EngineCandidate } from "./engines/find-engines.ts";
import { socketOwners } from "./network/sockets.ts";
import { readBootId } from "./procfs/boot.ts";
import { readCpusOnline, readHostOsRelease, readKernelVersion } from "./procfs/host-info.ts";
import { collectPidNamespaces, type PidNamespaces } from "./procfs/pid-namespaces.ts";
import { readEffectiveCapabilities } from "./procfs/capabilities.ts";
import { readFdTable, scanNetworkNamespaces, type InitialMethod, type NetnsCandidate } from "./procfs/namespaces.ts";
import { readProcesses, type ProcessInfo } from "./procfs/processes.ts";
import { readTunFds } from "./procfs/tun-fds.ts";
import { readServices, type ServiceTable } from "./services.ts";
import { collectTenants, type TenantStats } from "./tenants/collect-tenants.ts";

export interface ProcfsPassOptions {
  procRoot?: string;
  servicesPath?: string;
  /** Look for container engines (their API sockets need the fd table). Default true. */
  engines?: boolean;
}

/** A tun/tap fd and where the kernel says its device lives. */
export interface TunUse {
  pid: number;
  fd: number;
  /** The device name (the kernel's, else fdinfo's). */
  name: string;
  /** Inode of the device's namespace; null when the kernel could not say (`why`). */
  netnsInode: number | null;
  why: string;
}

export interface ProcfsPass {
  procRoot: string;
  bootId: string;
  processes: Map<number, ProcessInfo>;
  /** Initial namespace first, then by inode. */
  candidates: NetnsCandidate[];
  initialMethod: InitialMethod;
  /** procfs warnings (subject "procfs"), in the order they were found. */
  warnings: Warning[];
  /** Socket inode → the processes holding an fd on it. */
  socketOwners: Map<number, ProcessKey[]>;
  tunUses: TunUse[];
  /** Tenants per candidate (same order as `candidates`), with what reading them warned about. */
  tenants: { tenants: Tenant[]; warnings: string[] }[];
  tenantStats: TenantStats;
  engines: EngineCandidate[];
  /** Warnings of the engine search (subject engine:…). */
  engineWarnings: Warning[];
  host: { caps: Set<string>; hostname: string; kernelRelease: string; kernelVersion: string | null; os: OsRelease | null; cpusOnline: [number, number][] | null };
  /** The PID namespaces the processes live in, and each process's. */
  pidNamespaces: PidNamespaces;
  services: ServiceTable;
  /** /etc/services problems (subject "services"). */
  serviceWarnings: Warning[];
}

/**
 * Runs the whole procfs half. Our own process's fds on namespaces are left out of the scan: the
 * only ones wiresight ever holds are a reader's for the instant of a switch (and each thread's
 * fd of its own namespace), and counting them would keep a deleted namespace alive in our eyes.
 */
export function runProcfsPass(options: ProcfsPassOptions = {}): ProcfsPass {
  const procRoot = options.procRoot ?? "/proc";
  const bootId = readBootId(procRoot);
  const procWarnings: string[] = [];
  const processes = readProcesses(procRoot, procWarnings);
  const fdTable = readFdTable(processes, procRoot, procWarnings);
  const own = fdTable.byPid.get(process.pid);
  if (own) for (const [fd, target] of own) if (target.startsWith("net:[")) own.delete(fd);
  const scan = scanNetworkNamespaces(processes, { procRoot, fdTable });
  const warnings = [...procWarnings, ...scan.warnings].map((message) => ({ subject: "procfs", message }));

  const owners = socketOwners(fdTable.byPid, (pid) => {
    const p = processes.get(pid);
    return p && processKey(bootId, pid, p.startTime);
  });

  const tunWarnings: string[] = [];
  const tunUses = tunUsesOf(readTunFds(fdTable, procRoot, tunWarnings));
  for (const m of tunWarnings) warnings.push({ subject: "procfs", message: m });

  const memberships = scan.namespaces.map((c) => new Set(c.references.flatMap((r) => (r.kind === "process" ? [r.pid] : []))));
  const tenants = scan.namespaces.map(() => ({ tenants: [] as Tenant[], warnings: [] as string[] }));
  const collected = collectTenants(memberships, processes, bootId, procRoot, (i, m) => tenants[i]!.warnings.push(m));
  collected.tenants.forEach((t, i) => (tenants[i]!.tenants = t));

  const engineWarnings: Warning[] = [];
  const engines = options.engines === false ? [] : findEngines(processes, fdTable, procRoot, (subject, message) => engineWarnings.push({ subject, message }));

  const serviceWarnings: Warning[] = [];
  const services = readServices(options.servicesPath, (m) => serviceWarnings.push({ subject: "services", message: m }));

  return {
    procRoot,
    bootId,
    processes,
    candidates: scan.namespaces,
    initialMethod: scan.initialMethod,
    warnings,
    socketOwners: owners,
    tunUses,
    tenants,
    tenantStats: collected.stats,
    engines,
    engineWarnings,
    host: {
      caps: readEffectiveCapabilities(procRoot),
      hostname: readTrimmed(`${procRoot}/sys/kernel/hostname`),
      kernelRelease: readTrimmed(`${procRoot}/sys/kernel/osrelease`),
      kernelVersion: readKernelVersion(procRoot),
      os: readHostOsRelease(procRoot, (m) => warnings.push({ subject: "procfs", message: m })),
      cpusOnline: readCpusOnline(),
    },
    pidNamespaces: collectPidNamespaces(processes, bootId, procRoot, (m) => warnings.push({ subject: "procfs", message: m })),
    services,
    serviceWarnings,
  };
}

/**
 * Where each attached tun/tap fd's device lives, asked of the kernel (src/ffi/tun.ts says why
 * neither the holder's namespace nor the name can be trusted). An fd gone meanwhile is left out.
 */
function tunUsesOf(fds: { pid: number; fd: number; iff: string }[]): TunUse[] {
  const out: TunUse[] = [];
  for (const f of fds) {
    try {
      const att = tunAttachment(f.pid, f.fd);
      if (att === null) continue; // detached since fdinfo was read
      out.push({ pid: f.pid, fd: f.fd, name: att.name, netnsInode: att.netnsInode, why: att.netnsInode === null ? (att.netnsError?.message ?? "no namespace") : "" });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ESRCH" || code === "EBADF") continue; // the process or the fd went away
      out.push({ pid: f.pid, fd: f.fd, name: f.iff, netnsInode: null, why: (err as Error).message });
    }
  }
  return out;
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}
