// The layout problem handed to ELK (elkjs, layered algorithm): one node per namespace box, sized
// by geometry.ts, with a port at the row of each end of a wire that leaves the box (the
// dependent end on the box's east side, the end it depends on at the west, so container boxes
// line up left of the host box they hang on); one edge per such wire, routed orthogonally
// around the boxes. Wires inside a box are drawn by its tree, not by ELK. And back: ELK's answer
// as box positions and wire polylines. Pure.

import type { Wire } from "../../model/wiring.ts";
import { anchorY, type GroupBox } from "./geometry.ts";

export interface ElkPort {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  layoutOptions: Record<string, string>;
}
export interface ElkNode {
  id: string;
  width: number;
  height: number;
  x?: number;
  y?: number;
  ports?: ElkPort[];
  layoutOptions?: Record<string, string>;
}
export interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
  sections?: { startPoint: Point; endPoint: Point; bendPoints?: Point[] }[];
}
export interface ElkGraph {
  id: string;
  layoutOptions: Record<string, string>;
  children: ElkNode[];
  edges: ElkEdge[];
  width?: number;
  height?: number;
}
export interface Point {
  x: number;
  y: number;
}

/**
 * Boxes come with fixed sizes and ports with fixed positions and no labels, so ELK's node micro
 * layout (sizing nodes, placing labels) has nothing to do and is off.
 */
const ROOT_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.edgeRouting": "ORTHOGONAL",
  "elk.omitNodeMicroLayout": "true",
  "elk.spacing.nodeNode": "24",
  "elk.spacing.edgeEdge": "6",
  "elk.spacing.edgeNode": "12",
  "elk.spacing.componentComponent": "40",
  "elk.layered.spacing.nodeNodeBetweenLayers": "56",
  "elk.layered.spacing.edgeNodeBetweenLayers": "16",
  "elk.separateConnectedComponents": "true",
  "elk.aspectRatio": "1.6",
  "elk.padding": "[top=20,left=20,bottom=20,right=20]",
};

const FROM = "\u241f>"; // a separator no key contains
const TO = "\u241f<";

export function portId(wire: Wire, end: "from" | "to"): string {
  return `${wire.key}${end === "from" ? FROM : TO}`;
}

/** The wires ELK routes: both ends drawn, in different boxes. */
export function externalWires(wires: readonly Wire[], boxes: ReadonlyMap<string, GroupBox>, groupOf: ReadonlyMap<string, string>): Wire[] {
  return wires.filter((w) => {
    const a = groupOf.get(w.from);
    const b = groupOf.get(w.to);
    return a !== undefined && b !== undefined && a !== b && boxes.has(a) && boxes.has(b);
  });
}

export function elkGraph(boxes: ReadonlyMap<string, GroupBox>, wires: readonly Wire[], groupOf: ReadonlyMap<string, string>): ElkGraph {
  const nodes = new Map<string, ElkNode>();
  for (const [key, box] of boxes) nodes.set(key, { id: key, width: box.width, height: box.height, ports: [], layoutOptions: { "elk.portConstraints": "FIXED_POS" } });
  const edges: ElkEdge[] = [];
  for (const w of wires) {
    const [from, to] = [groupOf.get(w.from)!, groupOf.get(w.to)!];
    const fromBox = boxes.get(from)!.byKey.get(w.from)!;
    const toBox = boxes.get(to)!.byKey.get(w.to)!;
    nodes.get(from)!.ports!.push({ id: portId(w, "from"), x: boxes.get(from)!.width, y: anchorY(fromBox), width: 0, height: 0, layoutOptions: { "elk.port.side": "EAST" } });
    nodes.get(to)!.ports!.push({ id: portId(w, "to"), x: 0, y: anchorY(toBox), width: 0, height: 0, layoutOptions: { "elk.port.side": "WEST" } });
    edges.push({ id: w.key, sources: [portId(w, "from")], targets: [portId(w, "to")] });
  }
  return { id: "root", layoutOptions: ROOT_OPTIONS, children: [...nodes.values()], edges };
}

export interface Placement {
  /** Group key → its box's top-left corner. */
  groups: Map<string, Point>;
  /** Wire key → its route, from the `from` end to the `to` end. */
  wires: Map<string, Point[]>;
  width: number;
  height: number;
}

export function placement(laidOut: ElkGraph): Placement {
  const groups = new Map<string, Point>();
  for (const n of laidOut.children) groups.set(n.id, { x: n.x ?? 0, y: n.y ?? 0 });
  const wires = new Map<string, Point[]>();
  for (const e of laidOut.edges) {
    const s = e.sections?.[0];
    if (s) wires.set(e.id, [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
  }
  return { groups, wires, width: laidOut.width ?? 0, height: laidOut.height ?? 0 };
}
