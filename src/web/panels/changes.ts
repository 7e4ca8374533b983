// The side panel of a diff: every entity added, removed or changed between the two moments, by
// kind, with the fields that changed (before → after). Drawn entities are marked on the map too;
// routes, sockets and processes are listed here only.

import type { EntityChange } from "../graph/diff.ts";
import { esc } from "./html.ts";

const short = (v: unknown) => {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s === undefined ? "—" : s.length > 80 ? `${s.slice(0, 79)}…` : s;
};

/** What a change's entity is called: its name when the version has one, else the key's last part. */
function nameOf(c: EntityChange): string {
  const v = (c.after ?? c.before) as { name?: unknown; address?: unknown; prefixLength?: unknown; destination?: unknown } | undefined;
  if (typeof v?.name === "string") return v.name;
  if (typeof v?.address === "string") return `${v.address}/${v.prefixLength}`;
  if (typeof v?.destination === "string") return `${v.destination}/${v.prefixLength}`;
  return c.key.split("/").at(-1)!;
}

export function changesHtml(changes: EntityChange[], total: number, from: number, to: number): string {
  const byKind = new Map<string, EntityChange[]>();
  for (const c of changes) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);
  const parts = [...byKind].map(
    ([kind, list]) =>
      `<h3>${esc(kind.toLowerCase().replace(/_/g, " "))} <span class="sub">${list.length}</span></h3><ul class="changes">${list
        .map(
          (c) =>
            `<li class="op-${c.op.toLowerCase()}" data-change="${esc(c.key)}"><b>${c.op === "ADDED" ? "+" : c.op === "REMOVED" ? "−" : "~"}</b> ${esc(nameOf(c))}${
              c.fields?.length ? `<ul>${c.fields.map((f) => `<li><code>${esc(f.field)}</code>: ${esc(short(f.before))} → ${esc(short(f.after))}</li>`).join("")}</ul>` : ""
            }</li>`,
        )
        .join("")}</ul>`,
  );
  const more = total > changes.length ? `<p class="empty">${total - changes.length} more not shown</p>` : "";
  return `<h2>Changes <span class="sub">revision ${from} → ${to}: ${total}</span></h2>${parts.join("") || `<p class="empty">nothing changed</p>`}${more}`;
}
