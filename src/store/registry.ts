// The entity kinds the store records, in restore order (a kind after the kind it attaches to).
// Adding a kind to the Topology means one entry here plus a migration (`npm run db:generate`
// creates its table from the entry); record, at, diff, changes and retention are generic.

import type { Address, NetworkInterface, NetworkNamespace, Process, Route, Socket, Topology, VirtualFunction } from "../model/topology.ts";
import { without, type EnumerateContext, type Kind, type TopLevelList } from "./kind.ts";
import { versionTable } from "./schema.ts";

/**
 * Marks a namespace whose `processes` and process references were left out because they repeat
 * what each process's `netns` says: the value is where the process references go back into
 * `references`. Storing them would make a new namespace version whenever a process starts or
 * ends; they are left out only when rebuilding gives them back exactly.
 */
const DERIVED = "$processesAt";

/** A kind whose entities live inside namespaces: enumerate() walks every namespace. */
function inNamespaces(
  name: string,
  table: string,
  inNamespace: (ns: NetworkNamespace, ctx: EnumerateContext) => Iterable<{ key: string; parent: string | null; attrs: Record<string, unknown> }>,
  onlyByRead = false,
) {
  return {
    name,
    table: versionTable(table),
    *enumerate(t: Topology) {
      const ctx = enumerateContext(t);
      for (const ns of t.namespaces) yield* inNamespace(ns, ctx);
    },
    place: onlyByRead ? { inNamespace, onlyByRead: true as const } : { inNamespace },
  };
}

/** The context enumerating needs, made once per Topology. */
export function enumerateContext(t: Topology): EnumerateContext {
  let derived: Map<string, Process[]> | null = null;
  return { processesIn: (netns) => (derived ??= processesByNetns(t)).get(netns) ?? [] };
}

const namespace: Kind = {
  ...inNamespaces("namespace", "namespaces", function* (ns, ctx) {
    const attrs = without(ns, "interfaces", "routes", "sockets");
    const at = derivableAt(ns, ctx.processesIn(ns.key));
    if (at !== null) {
      delete attrs.processes;
      attrs.references = ns.references.filter((r) => r.kind !== "process");
      attrs[DERIVED] = at;
    }
    yield { key: ns.key, parent: null, attrs };
  }),
  restore(attrs, _parent, r) {
    const ns = { ...attrs, interfaces: [], routes: [], sockets: [] } as unknown as NetworkNamespace;
    r.topology.namespaces.push(ns);
    r.put("namespace", ns.key, ns);
  },
  finish(r) {
    const derived = processesByNetns(r.topology);
    for (const ns of r.topology.namespaces) {
      const held = ns as unknown as Record<string, unknown>;
      const at = held[DERIVED];
      if (typeof at !== "number") continue;
      delete held[DERIVED];
      const procs = derived.get(ns.key) ?? [];
      ns.processes = procs.map((p) => p.key);
      ns.references = [...ns.references.slice(0, at), ...procs.map((p) => ({ kind: "process" as const, pid: p.pid })), ...ns.references.slice(at)];
    }
  },
  describe: (a, nameOf) => `namespace ${nameOf(a.key as string)}`,
};

const networkInterface: Kind = {
  ...inNamespaces("interface", "interfaces", function* (ns) {
    for (const i of ns.interfaces) yield { key: i.key, parent: ns.key, attrs: without(i, "addresses") };
  }),
  restore(attrs, parent, r) {
    const iface = { ...attrs, addresses: [] } as unknown as NetworkInterface;
    // Recorded before SR-IOV was discovered: neither role nor PF/VF relations are known.
    const recorded = attrs as { relations: Partial<NetworkInterface["relations"]>; details: Record<string, unknown> };
    iface.relations = { ...iface.relations, pf: recorded.relations.pf ?? null, vfs: recorded.relations.vfs ?? [] };
    // Recorded before VF settings were read: none known.
    if (iface.details.kind === "physical")
      iface.details = {
        ...iface.details,
        sriov: (recorded.details.sriov as "pf" | "vf" | null | undefined) ?? null,
        numVfs: (recorded.details.numVfs as number | null | undefined) ?? null,
        virtualFunctions: (recorded.details.virtualFunctions as VirtualFunction[] | null | undefined) ?? null,
      };
    r.get<NetworkNamespace>("namespace", parent!).interfaces.push(iface);
    r.put("interface", iface.key, iface);
  },
  describe: (a, nameOf) => `interface ${a.name} in ${nameOf(a.netns as string)}`,
};

const address: Kind = {
  ...inNamespaces(
    "address",
    "addresses",
    function* (ns) {
      for (const i of ns.interfaces) for (const a of i.addresses) yield { key: a.key, parent: i.key, attrs: { ...a } };
    },
    true,
  ),
  restore(attrs, parent, r) {
    r.get<NetworkInterface>("interface", parent!).addresses.push(attrs as unknown as Address);
  },
  volatile: ["preferredLifetime", "validLifetime"],
  describe: (a, nameOf) => `address ${a.address}/${a.prefixLength} on ${nameOf(a.interface as string)}`,
};

const route: Kind = {
  ...inNamespaces(
    "route",
    "routes",
    function* (ns) {
      for (const rt of ns.routes) yield { key: rt.key, parent: ns.key, attrs: { ...rt } };
    },
    true,
  ),
  restore(attrs, parent, r) {
    r.get<NetworkNamespace>("namespace", parent!).routes.push(attrs as unknown as Route);
  },
  describe: (a, nameOf) => {
    const via = a.gateway ? ` via ${a.gateway}` : "";
    return `route ${a.destination === "default" ? "default" : `${a.destination}/${a.prefixLength}`}${via} table ${a.tableName} in ${nameOf(a.netns as string)}`;
  },
};

/**
 * A top-level list of the Topology as a kind, whose entities are restored by appending.
 * `added`: fields added to the entity after recordings began, with the value that means "none"
 * or "not known"; a version recorded before lacks them and is given that value when restored, so
 * every restored object has every field (a containerd engine recorded before wiresight asked its
 * API has no containerd namespaces and no CRI).
 */
function listKind<F extends TopLevelList>(
  name: string,
  table: string,
  field: F,
  parentOf: (entity: Topology[F][number]) => string | null,
  describe: Kind["describe"],
  added: () => Partial<Topology[F][number]> = () => ({}),
): Kind {
  return {
    name,
    table: versionTable(table),
    *enumerate(t) {
      for (const e of t[field] as Topology[F][number][]) yield { key: e.key, parent: parentOf(e), attrs: { ...e } };
    },
    place: { list: field },
    restore(attrs, _parent, r) {
      (r.topology[field] as unknown[]).push({ ...added(), ...attrs });
    },
    describe,
  };
}

const processKind = listKind("process", "processes", "processes", (p) => p.netns, (a) => `process ${a.pid} (${a.comm})`, () => ({
  pidns: null,
  scheduling: null,
  cpuAffinity: null,
}));
const pidNamespace = listKind("PID namespace", "pid_namespaces", "pidNamespaces", (n) => n.parent, (a) => `PID namespace pid:[${a.inode}]`);

// Sockets are their own kind (not namespace fields): a connection opening or closing then makes
// one socket version, not a new version of the whole namespace.
const socket: Kind = {
  ...inNamespaces("socket", "sockets", function* (ns) {
    for (const so of ns.sockets) yield { key: so.key, parent: ns.key, attrs: { ...so } };
  }),
  restore(attrs, parent, r) {
    r.get<NetworkNamespace>("namespace", parent!).sockets.push({ remoteService: null, ...attrs } as unknown as Socket);
  },
  describe: (a, nameOf) => `${a.protocol} socket ${a.localAddress}:${a.localPort} (${a.state}) in ${nameOf(a.netns as string)}`,
};

const forwardedPort = listKind(
  "forwarded port",
  "forwarded_ports",
  "forwardedPorts",
  (p) => p.netns,
  (a, nameOf) => `forwarded port ${a.protocol ?? "any"} → ${a.destinationAddress} in ${nameOf(a.netns as string)}`,
  () => ({ service: null }),
);
const engine = listKind("engine", "engines", "engines", () => null, (a) => `engine ${a.kind} (pid ${a.pid})`, () => ({ containerdNamespaces: [], cri: false, engineId: null, version: null }));
const container: Kind = {
  ...listKind("container", "containers", "containers", (c) => c.engine, (a) => `container ${a.name}`, () => ({ containerdNamespace: null, pod: null })),
  restore(attrs, _parent, r) {
    // Recorded before containerd and pods (no namespace, no pod) or before network aliases were
    // read (none known).
    const networks = (attrs.networks as Record<string, unknown>[]).map((n) => ({ aliases: [], ...n }));
    r.topology.containers.push({ containerdNamespace: null, pod: null, ...attrs, networks } as unknown as Topology["containers"][number]);
  },
};
const containerNetwork = listKind("container network", "container_networks", "containerNetworks", (n) => n.engine, (a) => `container network ${a.name}`, () => ({ cni: null }));
const pod = listKind("pod", "pods", "pods", (p) => p.engine, (a) => `pod ${a.namespace}/${a.name}`);
const service = listKind("service", "services", "services", (s) => s.netns, (a, nameOf) => `service ${a.namespace}/${a.name}:${a.port} in ${nameOf(a.netns as string)}`);

export const KINDS: readonly Kind[] = [
  namespace,
  networkInterface,
  address,
  route,
  socket,
  processKind,
  pidNamespace,
  forwardedPort,
  engine,
  container,
  containerNetwork,
  pod,
  service,
];

function processesByNetns(t: Topology): Map<string, Process[]> {
  const m = new Map<string, Process[]>();
  for (const p of t.processes) {
    if (p.netns === null) continue;
    const list = m.get(p.netns);
    if (list) list.push(p);
    else m.set(p.netns, [p]);
  }
  return m;
}

/**
 * Where the process references sit in `references`, if they and `processes` are exactly what the
 * namespace's processes give (one contiguous block, in the same order); else null.
 */
function derivableAt(ns: NetworkNamespace, procs: Process[]): number | null {
  if (ns.processes.length !== procs.length || ns.processes.some((k, i) => k !== procs[i]!.key)) return null;
  const first = ns.references.findIndex((r) => r.kind === "process");
  const at = first < 0 ? 0 : first;
  for (const [i, p] of procs.entries()) {
    const ref = ns.references[at + i];
    if (ref?.kind !== "process" || ref.pid !== p.pid) return null;
  }
  if (ns.references.filter((r) => r.kind === "process").length !== procs.length) return null;
  return at;
}
