// What a resolved alert says: what became right, not what was wrong ("interface eth0 in
// namespace web is running again", not "… is down"). Worded from the condition, the alert's
// labels and whether its subject is still there; the firing message goes to the description.

import type { TopologyIndex } from "../model/index-topology.ts";
import type { Alert, RuleCondition } from "./types.ts";

/** Why an alert was resolved other than its condition ceasing to hold. */
export type ResolveReason = "condition" | "rule changed" | "rule disabled" | "rule deleted";

function where(a: Alert): string {
  const ns = a.labels.namespace ? ` in namespace ${a.labels.namespace}` : "";
  if (a.labels.interface) return `interface ${a.labels.interface}${ns}`;
  if (a.subject.includes("/sock:")) return `the socket${ns}`;
  if (a.labels.container && a.subject.startsWith("container:")) return `container ${a.labels.container}`;
  if (a.labels.namespace && a.subject.startsWith("netns:") && !a.subject.includes("/")) return `namespace ${a.labels.namespace}`;
  return a.subject;
}

export function resolvedMessage(c: RuleCondition, a: Alert, index: TopologyIndex, reason: ResolveReason): string {
  if (reason !== "condition") return `no longer checked (${reason}): ${where(a)}`;
  const subject = where(a);
  const iface = index.interfaces.get(a.subject);
  switch (c.type) {
    case "interfaceDown":
      return iface ? `${subject} is running again (operational state ${iface.operState})` : `${subject} is gone`;
    case "promiscuous":
      return iface ? `${subject} left promiscuous mode` : `${subject} is gone`;
    case "wildcardListener": {
      const endpoint = a.message.split(/ (?:listens|is bound)/)[0]!;
      const ns = a.labels.namespace ? ` in namespace ${a.labels.namespace}` : "";
      return `${endpoint}${ns} no longer listens on every address`;
    }
    case "containerLeftBridge": {
      const container = index.topology.containers.find((x) => x.key === a.subject);
      return container ? `${subject} is attached to its networks again` : `${subject} is gone`;
    }
    case "namespaceWithoutTenant": {
      const ns = index.namespaces.get(a.subject);
      return ns ? `${subject} has a tenant or a container now` : `${subject} is gone`;
    }
    case "change":
      // A change is momentary: it fired and resolved at the revision that made it.
      return `${a.message} (reported once, at revision ${a.revision ?? "?"})`;
    case "discoveryHealth":
      return "discovery succeeds again";
  }
}
