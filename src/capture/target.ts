// Which network namespace a capture TARGET names, how to open it now, and how to tell later that
// it is gone. Resolution works on a discovery result (discover()), so capture finds namespaces
// exactly the way `ls` and `dump` do.

import { fstatSync, statSync } from "node:fs";
import { closeQuietly, openFile } from "../ffi/index.ts";
import { decodeNodeId } from "../model/node-id.ts";
import type { NetnsReference, NetworkInterface, NetworkNamespace, Topology } from "../model/topology.ts";

/** The target string matched no namespace, or more than one. */
export class TargetError extends Error {
  override name = "TargetError";
}

const NETNS_DIRS = ["/run/netns/", "/var/run/netns/"];

function referencePath(r: NetnsReference): string {
  switch (r.kind) {
    case "process":
      return `/proc/${r.pid}/ns/net`;
    case "thread":
      return `/proc/${r.pid}/task/${r.tid}/ns/net`;
    case "bindmount":
      return `/proc/${r.viaPid}/root${r.path}`;
    case "fd":
      return `/proc/${r.pid}/fd/${r.fd}`;
  }
}

export function describeNamespace(ns: NetworkNamespace): string {
  return `${ns.displayName} (net:[${ns.inode}])`;
}

/**
 * The namespace TARGET names: a namespace inode ("4026532281"), a key ("netns:<boot>:<cookie>"),
 * a path to an nsfs file (a bind mount such as /run/netns/web, /proc/PID/ns/net), a Kubernetes
 * pod (`pod:NAMESPACE/NAME`), an `ip netns` name ("web"), a display name as `wiresight ls` shows
 * it, a container's name, or a GraphQL node id (see nodeIdTarget).
 */
export function resolveTarget(topology: Topology, target: string): NetworkNamespace {
  const all = topology.namespaces;
  let matches: NetworkNamespace[];
  if (/^\d+$/.test(target)) {
    matches = all.filter((ns) => ns.inode === Number(target));
  } else if (target.startsWith("netns:")) {
    matches = all.filter((ns) => ns.key === target);
  } else if (target.startsWith("pod:")) {
    return podTarget(topology, target);
  } else if (target.startsWith("/")) {
    matches = namespacesAtPath(topology, target);
    if (matches.length === 0) {
      throw new TargetError(
        `capture target ${target} is not a namespace path wiresight found: give /run/netns/NAME, /proc/PID/ns/net of a process it lists, or a bind mount 'wiresight ls' shows`,
      );
    }
  } else {
    const bindNames = (ns: NetworkNamespace) =>
      ns.references.filter((r) => r.kind === "bindmount" && NETNS_DIRS.some((d) => r.path === d + target)).length > 0;
    matches = all.filter(bindNames);
    if (matches.length === 0) matches = all.filter((ns) => ns.displayName === target);
    if (matches.length === 0) matches = containerTarget(topology, target);
    // A name wins over an id: an `ip netns` name may happen to decode as one.
    if (matches.length === 0) {
      const byId = nodeIdTarget(topology, target);
      if (byId) matches = [byId.ns];
    }
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new TargetError(`capture target '${target}' is ambiguous: ${matches.map(describeNamespace).join(", ")}; give the inode or key`);
  }
  throw new TargetError(
    `no network namespace matches '${target}' (give an inode, a bind-mount path, an 'ip netns' name, a namespace key, pod:NAMESPACE/NAME or a container name; 'wiresight ls' lists them)`,
  );
}

/** `pod:NAMESPACE/NAME`: the pod's network namespace (a ready pod of a CRI runtime). */
function podTarget(topology: Topology, target: string): NetworkNamespace {
  const m = /^pod:([^/\s]+)\/([^/\s]+)$/.exec(target);
  if (!m) throw new TargetError(`capture target '${target}': a pod is given as pod:NAMESPACE/NAME`);
  const pods = topology.pods.filter((p) => p.namespace === m[1] && p.name === m[2]);
  if (pods.length === 0) {
    const known = topology.pods.map((p) => `pod:${p.namespace}/${p.name}`);
    throw new TargetError(`no pod ${m[1]}/${m[2]}${known.length ? `; pods: ${known.slice(0, 10).join(", ")}${known.length > 10 ? " …" : ""}` : " (no CRI runtime reported any pod)"}`);
  }
  const namespaces = new Set(pods.map((p) => p.netns).filter((k) => k !== null));
  const ns = namespaces.size === 1 ? topology.namespaces.find((n) => namespaces.has(n.key)) : undefined;
  if (!ns) {
    if (namespaces.size > 1) throw new TargetError(`pod ${m[1]}/${m[2]} has ${namespaces.size} sandboxes with namespaces (a restart in progress?); give the namespace's inode or key`);
    throw new TargetError(`pod ${m[1]}/${m[2]} has no network namespace wiresight found (state ${pods[0]!.state})`);
  }
  return ns;
}

/** The namespaces of the running containers with this exact name (all engines). */
function containerTarget(topology: Topology, name: string): NetworkNamespace[] {
  const keys = new Set(topology.containers.filter((c) => c.name === name && c.netns !== null).map((c) => c.netns!));
  return topology.namespaces.filter((ns) => keys.has(ns.key));
}

/**
 * The namespaces a path names, by what discovery found, without looking at the path itself: a
 * server resolves targets for clients as root, and a stat() of any path they send would tell
 * them which files exist. Paths: a bind mount discovery saw (/run/netns/NAME, also as
 * /var/run/netns/NAME), /proc/PID/ns/net and /proc/PID/task/TID/ns/net of a process it listed.
 */
function namespacesAtPath(topology: Topology, path: string): NetworkNamespace[] {
  const proc = /^\/proc\/(\d+)(?:\/task\/(\d+))?\/ns\/net$/.exec(path);
  if (proc) {
    const pid = Number(proc[2] ?? proc[1]);
    const key = topology.processes.find((p) => p.pid === pid)?.netns;
    if (key) return topology.namespaces.filter((ns) => ns.key === key);
    // A thread of its own namespace is a reference, not a process in the list.
    return topology.namespaces.filter((ns) => ns.references.some((r) => (r.kind === "thread" && r.tid === pid) || (r.kind === "process" && r.pid === pid)));
  }
  const alias = (p: string) => p.replace(/^\/var\/run\//, "/run/");
  return topology.namespaces.filter((ns) => ns.references.some((r) => r.kind === "bindmount" && alias(r.path) === alias(path)));
}

/**
 * The namespace a GraphQL node id (model/node-id.ts) leads to: the namespace's own id, an
 * interface's (its namespace, and the interface), a container's or a process's (the namespace it
 * runs in). Found by the identity key alone, whatever type name the schema gives the entity, so
 * every interface kind works. Null when `id` is not an id or names nothing in this topology.
 */
export function nodeIdTarget(topology: Topology, id: string): { ns: NetworkNamespace; iface?: NetworkInterface } | null {
  const decoded = decodeNodeId(id);
  if (!decoded) return null;
  const { key } = decoded;
  const byKey = (k: string | null) => (k === null ? undefined : topology.namespaces.find((ns) => ns.key === k));
  const ns = byKey(key);
  if (ns) return { ns };
  for (const n of topology.namespaces) {
    const iface = n.interfaces.find((i) => i.key === key);
    if (iface) return { ns: n, iface };
  }
  const owner = topology.containers.find((c) => c.key === key) ?? topology.pods.find((p) => p.key === key) ?? topology.processes.find((p) => p.key === key);
  const ownerNs = owner ? byKey(owner.netns) : undefined;
  return ownerNs ? { ns: ownerNs } : null;
}

/**
 * Open the namespace through the first of its references that still leads to it (checked by
 * inode: a PID or path may have been reused since discovery). The caller closes the fd.
 */
export function openNamespace(ns: NetworkNamespace): number {
  const tried: string[] = [];
  for (const r of ns.references) {
    const path = referencePath(r);
    let fd: number;
    try {
      fd = openFile(path);
    } catch (e) {
      tried.push(`${path}: ${(e as Error).message}`);
      continue;
    }
    if (fstatSync(fd).ino === ns.inode) return fd;
    closeQuietly(fd);
    tried.push(`${path}: now a different namespace`);
  }
  throw new TargetError(`network namespace ${describeNamespace(ns)} is gone or cannot be opened${tried.length ? `: ${tried.join("; ")}` : ""}`);
}

/**
 * A check that the namespace still exists for anyone but us: true while at least one reference
 * known at discovery (a process, a bind mount, another process's fd) still leads to it. Our own
 * capture sockets keep a deleted namespace alive, so the kernel alone would never tell us.
 * Our own fds are not references; our own process is (the namespace lives as long as we do).
 */
export function aliveCheck(ns: NetworkNamespace): () => boolean {
  const paths = ns.references.filter((r) => !(r.kind === "fd" && r.pid === process.pid)).map(referencePath);
  return () =>
    paths.some((p) => {
      try {
        const st = statSync(p);
        return st.ino === ns.inode && st.dev === ns.dev;
      } catch {
        return false;
      }
    });
}

/** The interfaces to capture on: the named ones (in the order given), or all of them. */
export function selectInterfaces(ns: NetworkNamespace, names: string[]): NetworkInterface[] {
  if (names.length === 0) return ns.interfaces;
  const out: NetworkInterface[] = [];
  for (const name of names) {
    const i = ns.interfaces.find((x) => x.name === name);
    if (!i) {
      throw new TargetError(
        `no interface '${name}' in ${describeNamespace(ns)}; it has: ${ns.interfaces.map((x) => x.name).join(", ") || "none"}`,
      );
    }
    if (!out.includes(i)) out.push(i);
  }
  return out;
}

