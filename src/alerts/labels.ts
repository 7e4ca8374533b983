// Alertmanager-style labels and fingerprints for alerts: what receivers route, group and
// deduplicate by. Labels name where a finding is in words an operator knows (namespace display
// name, interface and container names); `subject` (the entity key) keeps two findings of one
// rule apart even where the names coincide.

import { createHash } from "node:crypto";
import type { TopologyIndex } from "../model/index-topology.ts";
import type { AlertRule } from "./types.ts";

/** Stable for a rule and subject across every episode (restarts included). */
export function fingerprintOf(ruleId: string, subject: string): string {
  return createHash("sha256").update(`${ruleId}\0${subject}`).digest("hex").slice(0, 16);
}

/** The namespace key an entity key lives in (its own, for a namespace), or null. */
export function namespaceOfKey(index: TopologyIndex, key: string): string | null {
  if (key.startsWith("netns:")) return key.split("/")[0]!;
  const container = index.topology.containers.find((c) => c.key === key);
  if (container) return container.netns;
  return index.processes.get(key)?.netns ?? null;
}

/** alertname, severity, and namespace / interface / container where they apply, and the subject key. */
export function labelsFor(index: TopologyIndex, rule: Pick<AlertRule, "name" | "severity">, subject: string): Record<string, string> {
  const labels: Record<string, string> = { alertname: rule.name, severity: rule.severity };
  const netns = namespaceOfKey(index, subject);
  const ns = netns ? index.namespaces.get(netns) : undefined;
  if (ns) labels.namespace = ns.displayName;
  const iface = index.interfaces.get(subject);
  if (iface) labels.interface = iface.name;
  const container = index.topology.containers.find((c) => c.key === subject) ?? (netns ? index.topology.containers.find((c) => c.netns === netns) : undefined);
  if (container) labels.container = container.name;
  labels.subject = subject;
  return labels;
}
