// Firing alerts: listed in the side panel, and marked on the elements they name (an alert's
// subject and entity keys: an interface is its row, a socket or route its namespace's box).

import { esc } from "./html.ts";

export interface AlertItem {
  id: string;
  state: string;
  severity: string;
  ruleName: string;
  message: string;
  subjectKey: string;
  entityKeys: string[];
  firedAt: string | null;
}

/** The map element an alert key shows on: the key itself when drawn, else its namespace (the key's first segment). */
export function alertElement(key: string, drawn: (key: string) => boolean): string | null {
  if (drawn(key)) return key;
  const ns = key.split("/")[0]!;
  return drawn(ns) ? ns : null;
}

export function alertsHtml(alerts: AlertItem[]): string {
  if (alerts.length === 0) return `<p class="empty">no alert is firing</p>`;
  return `<ul class="alerts">${alerts
    .map((a) => `<li class="sev-${esc(a.severity.toLowerCase())}" data-alert="${esc(a.id)}" data-subject="${esc(a.subjectKey)}"><b>${esc(a.ruleName)}</b> <span class="sev">${esc(a.severity.toLowerCase())}</span><br>${esc(a.message)}</li>`)
    .join("")}</ul>`;
}
