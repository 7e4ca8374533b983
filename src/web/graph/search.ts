// The search box: which groups and rows match what the user typed (a name, an address, a
// container or image, part of any of them, any case), and whether it is an IP address to ask
// whereIs about. Pure.

import type { Wiring } from "../../model/wiring.ts";

/** The keys of the groups and rows whose text holds `text` (case-insensitive); empty for blank text. */
export function matching(w: Wiring, text: string): Set<string> {
  const q = text.trim().toLowerCase();
  const hits = new Set<string>();
  if (q === "") return hits;
  const has = (s: string | null) => s !== null && s.toLowerCase().includes(q);
  for (const g of w.groups) {
    if (has(g.name) || has(g.caption)) hits.add(g.key);
    for (const r of g.rows) if (has(r.name) || has(r.note) || r.addresses.some(has)) hits.add(r.key);
  }
  return hits;
}

/** An IPv4 or IPv6 address (no prefix length): what whereIs takes. */
export function isIpAddress(text: string): boolean {
  const t = text.trim();
  if (/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(t)) return true;
  if (!t.includes(":") || !/^[0-9a-fA-F:.]+$/.test(t)) return false;
  try {
    return new URL(`http://[${t}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}
