// The filters of the top-level lists, checked against the topology they read: a namespace or
// container that is not there, or an address that does not parse, is an error that says so,
// not an empty answer that looks like "nothing matches".

import { decodeNodeId } from "../model/node-id.ts";
import { compileGlob, GlobError } from "../model/glob.ts";
import { formatIp, parseIp, IpParseError } from "../model/ip.ts";
import type { Pod } from "../model/containers.ts";
import type { NetworkNamespace } from "../model/topology.ts";
import { badInput } from "./errors.ts";
import type { SchemaIndex } from "./topology-index.ts";

/** A namespace given as its key, its node id, or its display name (when that is unique). */
export function findNamespace(index: SchemaIndex, given: string): NetworkNamespace {
  const decoded = decodeNodeId(given);
  const key = decoded?.typename === "NetworkNamespace" ? decoded.key : given;
  const byKey = index.namespaces.get(key);
  if (byKey) return byKey;
  const named = index.topology.namespaces.filter((n) => n.displayName === given);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw badInput(`${named.length} namespaces are named '${given}'; give its key or id instead`);
  throw badInput(`no namespace '${given}' in this topology (give a namespace key, node id or display name)`);
}

/** A container given as its key, node id, name, or (a prefix of at least 12 digits of) its id; its namespace key. */
export function containerNetns(index: SchemaIndex, given: string): string | null {
  const decoded = decodeNodeId(given);
  const key = decoded?.typename === "Container" ? decoded.key : given;
  const found =
    index.containers.get(key) ??
    index.topology.containers.find((c) => c.name === given) ??
    (given.length >= 12 ? index.topology.containers.find((c) => c.id.startsWith(given)) : undefined);
  if (!found) throw badInput(`no container '${given}' in this topology (give its name, id, key or node id)`);
  return found.netns;
}

/** A pod given as NAMESPACE/NAME (or `pod:NAMESPACE/NAME`, as capture takes it), its key, or node id: exactly one. */
export function findPod(index: SchemaIndex, given: string, arg = "pod"): Pod {
  const decoded = decodeNodeId(given);
  const byKey = index.pods.get(decoded?.typename === "Pod" ? decoded.key : given);
  if (byKey) return byKey;
  const m = /^(?:pod:)?([^/]+)\/([^/]+)$/.exec(given);
  const found = m ? index.topology.pods.filter((p) => p.namespace === m[1] && p.name === m[2]) : [];
  if (found.length === 1) return found[0]!;
  if (found.length > 1) throw badInput(`${arg}: ${found.length} pods are ${given} (a pod recreated, or two runtimes); give its key or id`);
  throw badInput(`${arg}: no pod '${given}' in this topology (give NAMESPACE/NAME, a pod key or node id)`);
}

/** An IP address in canonical text form, or a clear error. */
export function canonicalIp(given: string, arg: string): string {
  try {
    return formatIp(parseIp(given));
  } catch (err) {
    if (err instanceof IpParseError) throw badInput(`${arg}: ${err.message}`);
    throw err;
  }
}

/** How filter descriptions say what a name filter takes. */
export const GLOB = "exact, or a glob (`*` any run of characters, `?` one character)";

/** A name filter: exact, or a glob (`*`, `?`, `[a-z]`; src/model/glob.ts), matched in linear time. */
export function nameMatcher(pattern: string, arg = "name"): (name: string) => boolean {
  try {
    return compileGlob(pattern);
  } catch (err) {
    if (err instanceof GlobError) throw badInput(`${arg}: ${err.message}`);
    throw err;
  }
}

export function checkPort(port: number, arg = "port"): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw badInput(`${arg} must be between 0 and 65535, not ${port}`);
  return port;
}
