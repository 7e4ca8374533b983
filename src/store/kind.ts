// What the store needs to know about an entity kind: how to take its entities out of a Topology
// (identity key, parent key, attributes) and how to put them back when rebuilding one. The store
// itself is generic over kinds; registry.ts lists them.

import type { NetworkNamespace, Process, Topology } from "../model/topology.ts";
import type { VersionTable } from "./schema.ts";

export type Attrs = Record<string, unknown>;

export interface Entity {
  key: string;
  /** The key of the entity it belongs to (its namespace, its interface…), null for roots. */
  parent: string | null;
  /**
   * The entity without its children (they are entities of their own kinds). Fields named `$…`
   * are the kind's own bookkeeping: stored and given back to `restore`, never shown in diffs.
   */
  attrs: Attrs;
}

/** A Topology being reassembled, with every restored object findable by kind and key. */
export interface Rebuild {
  topology: Topology;
  put(kind: string, key: string, value: object): void;
  /** The object restored for `key`; throws if it is missing (the store would be inconsistent). */
  get<T>(kind: string, key: string): T;
}

/** The Topology's top-level lists, each recorded as a kind of its own. */
export type TopLevelList = "processes" | "pidNamespaces" | "forwardedPorts" | "engines" | "containers" | "containerNetworks" | "pods" | "services";

/** What enumerating one namespace's entities may need from the rest of the Topology. */
export interface EnumerateContext {
  /** The processes whose `netns` is this namespace, by PID. */
  processesIn(netns: string): Process[];
}

export interface Kind {
  /** Singular name, as diff output shows it ("interface"). */
  name: string;
  table: VersionTable;
  enumerate(topology: Topology): Iterable<Entity>;
  /**
   * Where its entities live, so that a recording told which namespaces and lists may have changed
   * compares only those: inside a namespace (every key then starts with the namespace's key and
   * "/"), enumerated per namespace — `onlyByRead` when they change only with what a netlink read
   * of the namespace says (addresses, routes), not with what else the model takes in; or in one
   * of the top-level lists.
   */
  place: { inNamespace(ns: NetworkNamespace, ctx: EnumerateContext): Iterable<Entity>; onlyByRead?: true } | { list: TopLevelList };
  /**
   * Puts one entity back. Kinds are restored in registry order, so a parent kind comes first and
   * `rebuild.get(parentKind, parent)` finds the object to attach to.
   */
  restore(attrs: Attrs, parent: string | null, rebuild: Rebuild): void;
  /** After every kind is restored (and the Topology sorted): fill in what is derived from other kinds. */
  finish?(rebuild: Rebuild): void;
  /**
   * Fields that change without anything changing (a DHCP lease's remaining lifetime counts down):
   * not compared, so they do not make a new version; a version keeps their first value.
   */
  volatile?: string[];
  /**
   * A short human description for diff output. `nameOf` turns any key into a readable name
   * (a namespace's display name, "eth0 in <namespace>" for an interface).
   */
  describe(attrs: Attrs, nameOf: (key: string) => string): string;
}

/** `attrs` without some fields, for entities whose children are stored as their own kinds. */
export function without<T extends object>(value: T, ...fields: (keyof T)[]): Attrs {
  const out = { ...value } as Attrs;
  for (const f of fields) delete out[f as string];
  return out;
}
