// What each rule condition finds in a topology (or a revision's change events, or the watcher's
// status): one Finding per subject for which it holds now. Pure functions over their inputs,
// except `ConditionMemory`, which remembers what a single topology cannot say ("was up", "was
// attached") from one evaluation to the next.

import { compileGlob } from "../model/glob.ts";
import type { TopologyIndex } from "../model/index-topology.ts";
import type { NetworkInterface, NetworkNamespace, Socket } from "../model/topology.ts";
import { KINDS, type ChangeEvent } from "../store/index.ts";
import type { WatchStatus } from "../watch/live.ts";
import type { RuleCondition } from "./types.ts";

export interface Finding {
  /** The entity key the alert is about ("discovery" for the watcher's health). */
  subject: string;
  /** The subject first, then what else is involved (namespace, owning processes, network…). */
  entities: string[];
  message: string;
}

export interface EvalInput {
  index: TopologyIndex;
  /** The events of the revision being evaluated; null when re-evaluating without a new revision. */
  events: ChangeEvent[] | null;
  status: WatchStatus | null;
  now: number;
  memory: ConditionMemory;
}

/** Operational states in which an interface passes no traffic. */
const DOWN_OPER_STATES = new Set(["DOWN", "LOWERLAYERDOWN", "NOTPRESENT"]);

export function isRunning(i: Pick<NetworkInterface, "up" | "operState">): boolean {
  return i.up && !DOWN_OPER_STATES.has(i.operState);
}

/**
 * What earlier topologies showed: interfaces seen running, and each container's network
 * attachments. Forgets entities that are gone, so it stays as large as the topology.
 */
export class ConditionMemory {
  readonly seenRunning = new Set<string>();
  /** container key → network key → network name */
  readonly attachments = new Map<string, Map<string, string>>();

  /** Before evaluating a revision: its events say what was up just before (even if never seen by us). */
  learnFromEvents(events: ChangeEvent[]): void {
    for (const e of events) {
      if (e.kind !== "interface" || !e.before) continue;
      const b = e.before as Partial<NetworkInterface>;
      if (typeof b.up === "boolean" && typeof b.operState === "string" && isRunning(b as NetworkInterface)) this.seenRunning.add(e.key);
    }
  }

  /** After evaluating a topology: remember what it shows; forget what it no longer holds. */
  learnFromTopology(index: TopologyIndex): void {
    for (const key of this.seenRunning) if (!index.interfaces.has(key)) this.seenRunning.delete(key);
    for (const i of index.interfaces.values()) if (isRunning(i)) this.seenRunning.add(i.key);
    const present = new Set<string>();
    for (const c of index.topology.containers) {
      present.add(c.key);
      let m = this.attachments.get(c.key);
      if (!m) this.attachments.set(c.key, (m = new Map()));
      for (const a of c.networks) m.set(a.network, a.name);
    }
    for (const key of this.attachments.keys()) if (!present.has(key)) this.attachments.delete(key);
  }
}

/** A glob over names (src/model/glob.ts: linear time, whatever a stored rule holds); no glob matches every name. */
export function globMatcher(glob: string | undefined): (name: string) => boolean {
  return glob === undefined ? () => true : compileGlob(glob);
}

/** The findings of one condition; an empty list when it holds for nothing. */
export function evaluateCondition(c: RuleCondition, input: EvalInput): Finding[] {
  switch (c.type) {
    case "wildcardListener":
      return wildcardListeners(c, input.index);
    case "interfaceDown":
      return interfaces(c, input.index, (i) => !isRunning(i) && input.memory.seenRunning.has(i.key), (i) =>
        !i.up ? "is down (administratively)" : `is down (operational state ${i.operState})`,
      );
    case "promiscuous":
      return interfaces(c, input.index, (i) => i.promiscuous, () => "is in promiscuous mode");
    case "containerLeftBridge":
      return containersLeft(c, input.index, input.memory);
    case "namespaceWithoutTenant":
      return namespacesWithoutTenant(c, input.index);
    case "change":
      return input.events === null ? [] : changes(c, input.events, input.index);
    case "discoveryHealth":
      return input.status === null ? [] : discoveryHealth(c, input.status, input.now);
  }
}

// ---- readable names ------------------------------------------------------------------------

function nsName(index: TopologyIndex, key: string | null): string {
  if (key === null) return "an unknown namespace";
  const ns = index.namespaces.get(key);
  return ns ? `namespace ${ns.displayName}` : `namespace ${key}`;
}

function ifaceName(index: TopologyIndex, i: NetworkInterface): string {
  return `interface ${i.name} in ${nsName(index, i.netns)}`;
}

function processNames(index: TopologyIndex, keys: string[]): string {
  const names = keys.map((k) => {
    const p = index.processes.get(k);
    return p ? `${p.comm}[${p.pid}]` : k;
  });
  return names.length === 0 ? "no process seen" : names.join(", ");
}

function nameOf(index: TopologyIndex, key: string): string {
  const ns = index.namespaces.get(key);
  if (ns) return ns.displayName;
  const i = index.interfaces.get(key);
  if (i) return `${i.name} in ${nsName(index, i.netns)}`;
  const p = index.processes.get(key);
  if (p) return `${p.comm}[${p.pid}]`;
  return key;
}

function endpoint(s: Pick<Socket, "family" | "localAddress" | "localPort">): string {
  return s.family === "ipv6" ? `[${s.localAddress}]:${s.localPort}` : `${s.localAddress}:${s.localPort}`;
}

// ---- conditions ----------------------------------------------------------------------------

/** Every address that means "all of them": IPv4 and IPv6 unspecified, and IPv4's as an IPv6-mapped address. */
const WILDCARDS = new Set(["0.0.0.0", "::", "::ffff:0.0.0.0", "::ffff:0:0"]);

export function isWildcard(address: string): boolean {
  return WILDCARDS.has(address.toLowerCase());
}

function wildcardListeners(c: Extract<RuleCondition, { type: "wildcardListener" }>, index: TopologyIndex): Finding[] {
  const allowed = new Set(c.allowPorts);
  const protocols = new Set(c.protocols ?? ["tcp", "udp"]);
  const out: Finding[] = [];
  for (const ns of index.topology.namespaces)
    for (const s of ns.sockets) {
      // TCP in LISTEN, or UDP bound and unconnected (it takes datagrams from anyone).
      if (s.simpleState !== "listening" || s.localPort === 0 || !isWildcard(s.localAddress)) continue;
      if (!protocols.has(s.protocol) || allowed.has(s.localPort)) continue;
      out.push({
        subject: s.key,
        entities: [s.key, ns.key, ...s.processes],
        message: `${s.protocol} ${endpoint(s)}${s.service ? ` (${s.service})` : ""} ${s.protocol === "tcp" ? "listens" : "is bound"} on every address in ${nsName(index, ns.key)}, owned by ${processNames(index, s.processes)}`,
      });
    }
  return out;
}

function interfaces(
  c: { name?: string; kinds?: string[] },
  index: TopologyIndex,
  holds: (i: NetworkInterface) => boolean,
  what: (i: NetworkInterface) => string,
): Finding[] {
  const nameOk = globMatcher(c.name);
  const kinds = c.kinds ? new Set(c.kinds) : null;
  const out: Finding[] = [];
  for (const i of index.interfaces.values()) {
    if (!nameOk(i.name) || (kinds && !kinds.has(i.kind)) || !holds(i)) continue;
    out.push({ subject: i.key, entities: [i.key, i.netns], message: `${ifaceName(index, i)} ${what(i)}` });
  }
  return out;
}

function containersLeft(c: Extract<RuleCondition, { type: "containerLeftBridge" }>, index: TopologyIndex, memory: ConditionMemory): Finding[] {
  const networkNames = new Map(index.topology.containerNetworks.map((n) => [n.key, n]));
  const counts = (networkKey: string, name: string) => c.network === undefined || c.network === name || c.network === networkKey;
  const out: Finding[] = [];
  for (const container of index.topology.containers) {
    const seen = memory.attachments.get(container.key);
    if (!seen) continue;
    const now = new Set(container.networks.map((a) => a.network));
    const left = [...seen]
      .filter(([key]) => !now.has(key))
      .map(([key, name]): [string, string] => [key, networkNames.get(key)?.name ?? name])
      .filter(([key, name]) => counts(key, name));
    if (left.length === 0) continue;
    out.push({
      subject: container.key,
      entities: [container.key, ...left.map(([key]) => key), ...bridgesOf(left, networkNames)],
      message: `container ${container.name} left ${left.map(([key, name]) => describeNetwork(name, networkNames.get(key)?.bridgeName ?? null)).join(", ")}`,
    });
  }
  return out;
}

function bridgesOf(left: [string, string][], networks: Map<string, { bridge: string | null }>): string[] {
  return left.map(([key]) => networks.get(key)?.bridge).filter((b): b is string => typeof b === "string");
}

function describeNetwork(name: string, bridge: string | null): string {
  return bridge ? `network ${name} (bridge ${bridge})` : `network ${name}`;
}

function namespacesWithoutTenant(c: Extract<RuleCondition, { type: "namespaceWithoutTenant" }>, index: TopologyIndex): Finding[] {
  const out: Finding[] = [];
  for (const ns of index.topology.namespaces) {
    if (ns.initial || ns.tenants.length > 0 || ns.containers.length > 0) continue;
    const mounts = ns.references.filter((r) => r.kind === "bindmount");
    if (c.ignoreBindMounted && mounts.length > 0) continue;
    out.push({ subject: ns.key, entities: [ns.key], message: `namespace ${ns.displayName} has no tenant and no container (${heldBy(ns)})` });
  }
  return out;
}

function heldBy(ns: NetworkNamespace): string {
  const r = ns.references[0];
  if (!r) return "held by nothing seen";
  switch (r.kind) {
    case "bindmount":
      return `bind-mounted at ${r.path}`;
    case "fd":
      return `held open by fd ${r.fd} of pid ${r.pid}`;
    case "thread":
      return `entered by thread ${r.tid} of pid ${r.pid}`;
    case "process":
      return `entered by pid ${r.pid}`;
  }
}

function changes(c: Extract<RuleCondition, { type: "change" }>, events: ChangeEvent[], index: TopologyIndex): Finding[] {
  const kinds = new Set(c.kinds);
  const ops = c.ops ? new Set(c.ops) : null;
  const byKey = new Map<string, Finding>();
  const describe = new Map(KINDS.map((k) => [k.name, k.describe]));
  for (const e of events) {
    if (!kinds.has(e.kind) || (ops && !ops.has(e.op))) continue;
    const touched = e.fields?.map((f) => f.field) ?? [];
    if (c.fields) {
      // Only a change can touch fields; an added or removed entity touches none.
      if (e.op !== "changed" || !touched.some((f) => c.fields!.some((want) => f === want || f.startsWith(`${want}.`)))) continue;
    }
    if (byKey.has(e.key)) continue;
    const attrs = (e.after ?? e.before)!;
    const what = describe.get(e.kind)?.(attrs, (k) => nameOf(index, k)) ?? `${e.kind} ${e.key}`;
    const detail = e.op === "changed" ? ` (${e.fields!.map((f) => `${f.field}: ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`).join("; ")})` : "";
    const parent = typeof attrs.netns === "string" ? [attrs.netns] : [];
    byKey.set(e.key, { subject: e.key, entities: [e.key, ...parent], message: `${what} ${e.op}${detail}` });
  }
  return [...byKey.values()];
}

function discoveryHealth(c: Extract<RuleCondition, { type: "discoveryHealth" }>, s: WatchStatus, now: number): Finding[] {
  const problems: string[] = [];
  if (s.consecutiveFailures > 0)
    problems.push(`discovery failed ${s.consecutiveFailures} time(s) in a row${s.lastError ? `, last at ${s.lastError.at}: ${s.lastError.message}` : ""}`);
  const last = Date.parse(s.lastSuccessAt ?? s.startedAt);
  if (!Number.isNaN(last) && now - last > c.stalledAfterMs)
    problems.push(
      s.lastSuccessAt
        ? `no discovery succeeded since ${s.lastSuccessAt} (${Math.round((now - last) / 1000)} s, limit ${Math.round(c.stalledAfterMs / 1000)} s)`
        : `no discovery succeeded since the watcher started at ${s.startedAt} (${Math.round((now - last) / 1000)} s)`,
    );
  return problems.length === 0 ? [] : [{ subject: "discovery", entities: ["discovery"], message: problems.join("; ") }];
}
