// The size of everything inside a group, decided before layout: the layout library places the
// groups (namespace boxes) and routes the wires between them; inside a box the rows are a list,
// indented as a tree (a bridge's ports under it). Text is drawn in a monospace font, so its width
// is known without measuring. Pure.

import { stateNote, type WiringGroup, type WiringRow } from "../../model/wiring.ts";

export const FONT_PX = 11;
const CHAR_PX = FONT_PX * 0.62;
export const TITLE_PX = 20;
export const CAPTION_PX = 14;
export const LINE_PX = 14;
export const ROW_GAP_PX = 4;
export const PAD_PX = 8;
const INDENT_PX = 14;
/** The kind badge before a row's name. */
export const BADGE_PX = 27;
/** The badge itself (the rest of BADGE_PX holds the state dot). */
export const BADGE_BOX_PX = 17;
const MIN_WIDTH = 180;
const MAX_WIDTH = 420;
const MAX_ADDRESSES = 2;

/** The lines a row shows: its name (with its state), up to two addresses (then "+N more"), its note. */
function rowText(row: WiringRow): string[] {
  const state = stateNote(row);
  const lines = [state ? `${row.name} (${state})` : row.name, ...row.addresses.slice(0, MAX_ADDRESSES)];
  if (row.addresses.length > MAX_ADDRESSES) lines.push(`+${row.addresses.length - MAX_ADDRESSES} more`);
  if (row.note) lines.push(row.note);
  return lines;
}

export interface RowBox {
  row: WiringRow;
  /** From the group's top. */
  y: number;
  height: number;
  /** From the group's left: where the row's badge starts. */
  x: number;
  lines: string[];
}

export interface GroupBox {
  group: WiringGroup;
  width: number;
  height: number;
  /** Where the rows start, from the group's top. */
  headerHeight: number;
  rows: RowBox[];
  /** Row key → its box. */
  byKey: Map<string, RowBox>;
}

/** The y of a row's wire end: the middle of its first line. */
export function anchorY(r: RowBox): number {
  return r.y + ROW_GAP_PX / 2 + LINE_PX / 2;
}

export function measureGroup(group: WiringGroup): GroupBox {
  const headerHeight = TITLE_PX + (group.caption ? CAPTION_PX : 0) + 2;
  let widest = Math.max(group.name.length, (group.caption ?? "").length) * CHAR_PX;
  let y = headerHeight;
  const rows: RowBox[] = [];
  const byKey = new Map<string, RowBox>();
  for (const row of group.rows) {
    const lines = rowText(row);
    const x = PAD_PX + row.depth * INDENT_PX;
    const height = ROW_GAP_PX + lines.length * LINE_PX;
    const box: RowBox = { row, y, height, x, lines };
    widest = Math.max(widest, x - PAD_PX + BADGE_PX + Math.max(...lines.map((l) => l.length)) * CHAR_PX);
    rows.push(box);
    byKey.set(row.key, box);
    y += height;
  }
  const width = Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, widest + 2 * PAD_PX)));
  return { group, width, height: y + PAD_PX, headerHeight, rows, byKey };
}

/** How many characters of a line fit in a box of `width` starting at `x` (the rest is cut with …). */
export function fitChars(width: number, x: number): number {
  return Math.max(4, Math.floor((width - x - PAD_PX) / CHAR_PX));
}
