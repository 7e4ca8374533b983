// Draws a laid-out wiring as SVG markup, built as one string (thousands of elements are set at
// once, far faster than one DOM call each). Every group, row and wire carries its key in a data
// attribute (data-group, data-row, data-wire + data-from/data-to), which is how the page finds
// them again for highlights, and how tests and users' scripts read what is drawn.

import type { Wire } from "../../model/wiring.ts";
import type { Mark } from "../graph/diff.ts";
import type { Placement } from "../layout/elk-graph.ts";
import { anchorY, BADGE_BOX_PX, BADGE_PX, CAPTION_PX, fitChars, FONT_PX, LINE_PX, PAD_PX, ROW_GAP_PX, TITLE_PX, type GroupBox, type RowBox } from "../layout/geometry.ts";

const BADGES: Record<string, string> = {
  loopback: "lo",
  physical: "ph",
  veth: "ve",
  bridge: "br",
  macvlan: "mv",
  vlan: "vl",
  vxlan: "vx",
  tuntap: "tt",
  other: "··",
  process: "pr",
  forward: "fw",
};

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cut(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, Math.max(1, chars - 1))}…`;
}

function markClass(marks: ReadonlyMap<string, Mark>, key: string): string {
  const m = marks.get(key);
  return m ? ` mark-${m}` : "";
}

function rowMarkup(box: GroupBox, r: RowBox, marks: ReadonlyMap<string, Mark>): string {
  const row = r.row;
  const kind = row.type === "interface" ? row.kind! : row.type;
  const state = row.type !== "interface" ? "none" : !row.up ? "down" : row.operState === "UP" ? "up" : row.operState === "UNKNOWN" ? "unknown" : "down";
  const chars = fitChars(box.width, r.x + BADGE_PX);
  const lines = r.lines
    .map((l, i) => `<text class="${i === 0 ? "name" : "detail"}" x="${BADGE_PX}" y="${ROW_GAP_PX / 2 + LINE_PX * i + FONT_PX}">${escapeXml(cut(l, chars))}</text>`)
    .join("");
  return (
    `<g class="row kind-${kind} state-${state}${markClass(marks, row.key)}" data-row="${escapeXml(row.key)}" data-type="${row.type}" data-kind="${kind}" data-name="${escapeXml(row.name)}" transform="translate(${r.x},${r.y})">` +
    `<rect class="row-bg" x="-3" y="1" width="${box.width - r.x - PAD_PX + 6}" height="${r.height - 1}" rx="3"/>` +
    `<rect class="badge" x="0" y="${ROW_GAP_PX / 2 + 1}" width="${BADGE_BOX_PX}" height="${LINE_PX - 2}" rx="3"/>` +
    `<text class="badge-text" x="${BADGE_BOX_PX / 2}" y="${ROW_GAP_PX / 2 + FONT_PX - 1}">${BADGES[kind] ?? "··"}</text>` +
    `<circle class="state" cx="${(BADGE_BOX_PX + BADGE_PX) / 2}" cy="${ROW_GAP_PX / 2 + LINE_PX / 2}" r="2.5"/>` +
    `${lines}<title>${escapeXml(r.lines.join("\n"))}</title></g>`
  );
}

/** A wire inside one box: an elbow from the parent row down to the child (the tree), or a bracket on the box's right edge. */
function internalWireMarkup(box: GroupBox, w: Wire, marks: ReadonlyMap<string, Mark>): string {
  const a = box.byKey.get(w.from);
  const b = box.byKey.get(w.to);
  if (!a || !b) return "";
  const attrs = `class="wire internal kind-${w.kind}${markClass(marks, w.key)}" data-wire="${w.kind}" data-key="${escapeXml(w.key)}" data-from="${escapeXml(w.from)}" data-to="${escapeXml(w.to)}"`;
  const [parent, child] = a.row.parent === w.to ? [b, a] : b.row.parent === w.from ? [a, b] : [null, null];
  if (parent && child) {
    const x = parent.x + BADGE_BOX_PX / 2;
    return `<path ${attrs} d="M${x},${parent.y + ROW_GAP_PX / 2 + LINE_PX - 1}V${anchorY(child)}H${child.x}"/>`;
  }
  const right = box.width - 3;
  return `<path ${attrs} d="M${right - 6},${anchorY(a)}H${right}V${anchorY(b)}H${right - 6}"/>`;
}

export interface Scene {
  boxes: Map<string, GroupBox>;
  place: Placement;
  /** Every wire shown; those between boxes are routed in `place`. */
  wires: readonly Wire[];
  groupOf: ReadonlyMap<string, string>;
  marks: ReadonlyMap<string, Mark>;
}

export function sceneMarkup(s: Scene): string {
  const out: string[] = [];
  const byGroup = new Map<string, Wire[]>();
  for (const w of s.wires) {
    const g = s.groupOf.get(w.from);
    if (g !== undefined && g === s.groupOf.get(w.to)) byGroup.set(g, [...(byGroup.get(g) ?? []), w]);
  }
  for (const [key, box] of s.boxes) {
    const at = s.place.groups.get(key);
    if (!at) continue;
    const g = box.group;
    out.push(
      `<g class="group${g.initial ? " initial" : ""}${markClass(s.marks, key)}" data-group="${escapeXml(key)}" data-name="${escapeXml(g.name)}" transform="translate(${at.x},${at.y})">`,
      `<rect class="box" width="${box.width}" height="${box.height}" rx="6"/>`,
      `<text class="title" x="${PAD_PX}" y="${TITLE_PX - 6}">${escapeXml(cut(g.initial ? `${g.name} (host)` : g.name, fitChars(box.width, 0)))}</text>`,
    );
    if (g.caption) out.push(`<text class="caption" x="${PAD_PX}" y="${TITLE_PX + CAPTION_PX - 5}">${escapeXml(cut(g.caption, fitChars(box.width, 0)))}</text>`);
    for (const w of byGroup.get(key) ?? []) out.push(internalWireMarkup(box, w, s.marks));
    for (const r of box.rows) out.push(rowMarkup(box, r, s.marks));
    out.push("</g>");
  }
  for (const w of s.wires) {
    const points = s.place.wires.get(w.key);
    if (!points) continue;
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${Math.round(p.x * 10) / 10},${Math.round(p.y * 10) / 10}`).join("");
    out.push(`<path class="wire kind-${w.kind}${markClass(s.marks, w.key)}" data-wire="${w.kind}" data-key="${escapeXml(w.key)}" data-from="${escapeXml(w.from)}" data-to="${escapeXml(w.to)}" d="${d}"/>`);
  }
  return out.join("");
}
