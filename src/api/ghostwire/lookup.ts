// What the mapping needs to find again (interfaces, processes, containers, engines by key), and
// Ghostwire's document-internal ids. Ghostwire builds its ids from kernel numbers that are unique
// within one discovery: "netns-<inode>", "nif-<netns inode>-<ifindex>", "cont-<PID>" for every
// containee with a process (a container's init or a stand-alone leader), "bmnt-<netns inode>"
// for a namespace nothing runs in, "pidns-<inode>", "group-<n>". We make the same.

import type { Container, ContainerEngine } from "../../model/containers.ts";
import type { NetworkInterface, NetworkNamespace, Process, Topology } from "../../model/topology.ts";

export const netnsId = (ns: NetworkNamespace) => `netns-${ns.inode}`;
export const nifId = (ns: NetworkNamespace, i: NetworkInterface) => `nif-${ns.inode}-${i.index}`;
export const containeeId = (pid: number) => `cont-${pid}`;
export const bindmountId = (ns: NetworkNamespace) => `bmnt-${ns.inode}`;
export const pidnsId = (inode: number) => `pidns-${inode}`;

/** kthreadd (PID 2, no parent) leads the host's namespace; Ghostwire leaves it out "to not bedazzle users". */
export function isKthreadd(p: { pid: number; ppid: number } | undefined): boolean {
  return p !== undefined && p.pid === 2 && p.ppid === 0;
}

export class Lookup {
  readonly interfaces = new Map<string, { ns: NetworkNamespace; iface: NetworkInterface }>();
  readonly processes: Map<string, Process>;
  readonly byPid: Map<number, Process>;
  readonly containers: Map<string, Container>;
  readonly engines: Map<string, ContainerEngine>;
  readonly pidnsInode: Map<string, number>;
  /** The processes that are a container's init (their containee is the container, not a process). */
  private readonly containerInits: Set<string>;
  /** Per namespace key: the process keys of its tenants (leaders), as Ghostwire's leaders. */
  private readonly leaders = new Map<string, Set<string>>();
  /** "protocol/port" → the /etc/services name discovery gave some socket on that port. */
  private readonly services = new Map<string, string>();

  constructor(readonly topology: Topology) {
    for (const ns of topology.namespaces) {
      for (const iface of ns.interfaces) this.interfaces.set(iface.key, { ns, iface });
      this.leaders.set(ns.key, new Set(ns.tenants.map((t) => t.process)));
      for (const so of ns.sockets) {
        if (so.service !== null) this.services.set(`${so.protocol}/${so.localPort}`, so.service);
        if (so.remoteService !== null) this.services.set(`${so.protocol}/${so.remotePort}`, so.remoteService);
      }
    }
    this.processes = new Map(topology.processes.map((p) => [p.key, p]));
    this.byPid = new Map(topology.processes.map((p) => [p.pid, p]));
    this.containers = new Map(topology.containers.map((c) => [c.key, c]));
    this.engines = new Map(topology.engines.map((e) => [e.key, e]));
    this.pidnsInode = new Map(topology.pidNamespaces.map((n) => [n.key, n.inode]));
    this.containerInits = new Set(topology.containers.flatMap((c) => (c.process ? [c.process] : [])));
  }

  /**
   * The service name of a port, as far as the topology knows it: a Topology carries /etc/services
   * names on its sockets only, so a port no socket uses stays "" (Ghostwire's word for unknown).
   */
  serviceName(protocol: string, port: number): string {
    return this.services.get(`${protocol}/${port}`) ?? "";
  }

  ref(key: string | null): { idref: string; name: string; index: number } | null {
    const hit = key === null ? undefined : this.interfaces.get(key);
    return hit ? { idref: nifId(hit.ns, hit.iface), name: hit.iface.name, index: hit.iface.index } : null;
  }

  refs(keys: string[]): { idref: string; name: string; index: number }[] {
    return keys.map((k) => this.ref(k)).filter((r) => r !== null);
  }

  /**
   * The containee a process belongs to, as Ghostwire's owners say it: the process itself or its
   * nearest ancestor that is a leader of the process's network namespace; undefined when no such
   * leader exists (Ghostwire would point at the process itself, which no containee has as id).
   */
  private leaderOf(proc: Process): Process | undefined {
    const leaders = proc.netns === null ? undefined : this.leaders.get(proc.netns);
    if (!leaders) return undefined;
    const seen = new Set<number>();
    for (let p: Process | undefined = proc; p && !seen.has(p.pid); p = this.byPid.get(p.ppid)) {
      seen.add(p.pid);
      if (leaders.has(p.key)) return isKthreadd(p) ? undefined : p;
    }
    return undefined;
  }

  /**
   * A process as an owner: `{pid, cmdline, container-idref}`. `shellSafe`: see SHELLS; used where
   * the UI draws the containee's icon by calling it (forwarded ports).
   */
  owner(key: string, shellSafe = false): { pid: number; cmdline: string; "container-idref"?: string } | null {
    const p = this.processes.get(key);
    if (!p) return null;
    const o: { pid: number; cmdline: string; "container-idref"?: string } = { pid: p.pid, cmdline: p.cmdline.join(" ") };
    const leader = this.leaderOf(p);
    if (leader && !(shellSafe && SHELLS.has(leader.comm) && !this.containerInits.has(leader.key))) o["container-idref"] = containeeId(leader.pid);
    return o;
  }
}

/**
 * The Ghostwire UI (webui at 4e966f7) draws a forwarded port's owner with its containee's icon by
 * calling the icon as a function; for a stand-alone process named after a shell (`sh(42)`,
 * `bash(7)`…) that icon is a component object and the whole page goes blank ("… is not a
 * function") — with Ghostwire's own data too. For those owners the containee is left out there:
 * the UI then shows the process alone.
 */
const SHELLS = new Set(["ash", "bash", "csh", "dash", "fish", "ksh", "sh", "tsh", "zsh"]);
