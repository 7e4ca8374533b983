// The wiring: what the map at `/` draws and `wiresight dump --format dot|mermaid` exports. One
// group per namespace; in it one row per interface, per process holding a tun/tap device, and
// per port the namespace forwards; one wire per relation (veth peers, bridge ports, lower
// devices, vxlan underlays, bond/team/vrf members, tun/tap users, forwarded ports). Made from a
// Topology, or from the part of one the map asks GraphQL for (`WiringTopology` names exactly
// those fields), so the page and the exports agree. Pure: no I/O, nothing but the model.
//
// Within a group, rows are a tree: a bridge's ports, a lower device's uppers, an underlay's vxlan
// devices and a tun device's process sit under it (`parent`, `depth`), in ifindex order. A
// relation inside one namespace is drawn by that tree; a wire with `internal: false` crosses
// namespaces and is the layout's to route.

import type { Container } from "./containers.ts";
import type { ForwardedPort, PortRange } from "./forwarded-ports.ts";
import type { Address, InterfaceKind, InterfaceRelations, NetworkInterface, NetworkNamespace, Process } from "./topology.ts";

export type WiringInterface = Pick<NetworkInterface, "key" | "netns" | "index" | "name" | "kind" | "operState" | "up" | "users"> & {
  addresses: Pick<Address, "address" | "prefixLength">[];
  relations: Pick<InterfaceRelations, "peer" | "bridge" | "master" | "controller" | "underlay">;
  containerNetwork: { name: string } | null;
};

export type WiringNamespace = Pick<NetworkNamespace, "key" | "displayName" | "initial" | "containers"> & { interfaces: WiringInterface[] };

export type WiringContainer = Pick<Container, "key" | "name" | "image" | "groups">;

export type WiringForward = Pick<ForwardedPort, "key" | "netns" | "protocol" | "hostAddress" | "hostPorts" | "destinationAddress" | "destinationPorts" | "destinationInterface">;

/** The part of a Topology the wiring reads. A Topology is one. */
export interface WiringTopology {
  namespaces: WiringNamespace[];
  processes: Pick<Process, "key" | "pid" | "comm" | "netns">[];
  containers: WiringContainer[];
  forwardedPorts: WiringForward[];
}

export type RowType = "interface" | "process" | "forward";

export interface WiringRow {
  /** The interface's key, the process's key, or the forwarded port's key. */
  key: string;
  type: RowType;
  /** What the row says first: `eth0`, `qemu-system-x86 [4242]`, `tcp *:8080`. */
  name: string;
  /** The interface's kind; null for other rows. */
  kind: InterfaceKind | null;
  /** The operational state of an interface (UP, DOWN, …); null for other rows. */
  operState: string | null;
  /** Administratively up (interfaces); true for other rows. */
  up: boolean;
  /** `10.0.0.1/24`, in the order the kernel lists them. */
  addresses: string[];
  /** A second line: a bridge's container network, where a forwarded port goes. */
  note: string | null;
  /** The row it hangs under in its group (a port's bridge…), or null. */
  parent: string | null;
  depth: number;
}

export interface WiringGroup {
  /** The namespace's key. */
  key: string;
  /** Its display name (a container's, an `ip netns` name, the leading process's). */
  name: string;
  /** Its containers (image), pod or compose project; null when it has none. */
  caption: string | null;
  initial: boolean;
  rows: WiringRow[];
}

export type WireKind = "veth" | "bridge" | "lower" | "underlay" | "controller" | "tun" | "forward";

export interface Wire {
  /** Stable across revisions: the kind and both ends (a veth pair's ends in key order). */
  key: string;
  kind: WireKind;
  /** The dependent end: a bridge port, an upper device, a vxlan device, a member, a tun device, a forwarded port; a veth's end in the smaller namespace. */
  from: string;
  /** The end it depends on: the bridge, the lower device, the underlay, the controller, the process, the destination; a veth's other end. */
  to: string;
  /** Both ends in one group (the group's tree draws it). */
  internal: boolean;
}

export interface Wiring {
  groups: WiringGroup[];
  wires: Wire[];
}

const WIRE_LABELS: Record<WireKind, string> = {
  veth: "veth",
  bridge: "bridge port",
  lower: "lower device",
  underlay: "underlay",
  controller: "member",
  tun: "tun/tap user",
  forward: "forwarded port",
};

/** How a wire of this kind is named for people (legends, exports). */
export function wireLabel(kind: WireKind): string {
  return WIRE_LABELS[kind];
}

/** An interface's state worth saying: down, or an operational state other than up (UNKNOWN is what lo and tun devices report when fine). */
export function stateNote(row: WiringRow): string | null {
  if (row.type !== "interface") return null;
  if (!row.up) return "down";
  return row.operState === null || row.operState === "UP" || row.operState === "UNKNOWN" ? null : row.operState.toLowerCase();
}

/** What a row's box says: its name, kind and state, then its addresses or note, one per line. */
export function rowLines(row: WiringRow): string[] {
  const state = stateNote(row);
  const head = row.type === "interface" ? `${row.name} (${row.kind}${state ? `, ${state}` : ""})` : row.name;
  return [head, ...row.addresses, ...(row.note ? [row.note] : [])];
}

/** A group's title: its name (marked when it is the host's), then its caption. */
export function groupTitle(g: { name: string; caption: string | null; initial: boolean }): string {
  return [g.initial ? `${g.name} (host)` : g.name, ...(g.caption ? [g.caption] : [])].join("\n");
}

/** A group's caption: its containers' names and images, its pod or compose project. */
function captionOf(ns: WiringNamespace, containers: Map<string, WiringContainer>): string | null {
  const parts: string[] = [];
  for (const key of ns.containers) {
    const c = containers.get(key);
    if (!c) continue;
    const pod = c.groups.find((g) => g.kind === "kubernetes-pod");
    const project = c.groups.find((g) => g.kind === "compose-project");
    const where = pod && pod.kind === "kubernetes-pod" ? `pod ${pod.namespace}/${pod.name}` : project ? `compose ${project.name}` : null;
    const text = [c.name === ns.displayName ? null : c.name, c.image, where].filter((x) => x !== null).join(" · ");
    if (!parts.includes(text)) parts.push(text);
  }
  return parts.length > 0 ? parts.join("; ") : null;
}

function ports(r: PortRange | null): string {
  return r === null ? "*" : r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`;
}

function hostPart(address: string | null): string {
  if (address === null) return "*";
  return address.includes(":") ? `[${address}]` : address;
}

/** `tcp *:8080` and `→ 172.17.0.2:80`. */
function forwardText(p: WiringForward): { name: string; note: string } {
  const dest = p.destinationPorts ?? p.hostPorts;
  return { name: `${p.protocol ?? "any"} ${hostPart(p.hostAddress)}:${ports(p.hostPorts)}`, note: `→ ${hostPart(p.destinationAddress)}:${ports(dest)}` };
}

/** The relations that put an interface under another one, strongest first: the tree uses the first whose end is in the same namespace. */
const TREE_RELATIONS = ["bridge", "controller", "master", "underlay"] as const;
const RELATION_WIRE: Record<(typeof TREE_RELATIONS)[number], WireKind> = { bridge: "bridge", controller: "controller", master: "lower", underlay: "underlay" };

export function wiringOf(t: WiringTopology): Wiring {
  const containers = new Map(t.containers.map((c) => [c.key, c]));
  const netnsOf = new Map<string, string>(); // row key → group key
  const interfaceCount = new Map<string, number>();
  for (const ns of t.namespaces) {
    interfaceCount.set(ns.key, ns.interfaces.length);
    for (const i of ns.interfaces) netnsOf.set(i.key, ns.key);
  }
  const processes = new Map(t.processes.map((p) => [p.key, p]));

  const wires: Wire[] = [];
  const seen = new Set<string>();
  const addWire = (kind: WireKind, from: string, to: string, key = `${kind}:${from}>${to}`) => {
    if (seen.has(key) || !netnsOf.has(from) || !netnsOf.has(to)) return;
    seen.add(key);
    wires.push({ key, kind, from, to, internal: netnsOf.get(from) === netnsOf.get(to) });
  };

  // Rows of processes using tun/tap devices: in the process's namespace, else beside the device.
  const processRows = new Map<string, WiringRow[]>();
  const processRowGroup = new Map<string, string>();
  for (const ns of t.namespaces) {
    for (const i of ns.interfaces) {
      for (const user of i.users) {
        if (processRowGroup.has(user)) continue;
        const p = processes.get(user);
        const group = p?.netns && interfaceCount.has(p.netns) ? p.netns : ns.key;
        processRowGroup.set(user, group);
        netnsOf.set(user, group);
        const row: WiringRow = { key: user, type: "process", name: p ? `${p.comm} [${p.pid}]` : user, kind: null, operState: null, up: true, addresses: [], note: null, parent: null, depth: 0 };
        processRows.set(group, [...(processRows.get(group) ?? []), row]);
      }
    }
  }
  const forwardRows = new Map<string, WiringRow[]>();
  for (const p of t.forwardedPorts) {
    if (!interfaceCount.has(p.netns)) continue;
    netnsOf.set(p.key, p.netns);
    const { name, note } = forwardText(p);
    forwardRows.set(p.netns, [...(forwardRows.get(p.netns) ?? []), { key: p.key, type: "forward", name, kind: null, operState: null, up: true, addresses: [], note, parent: null, depth: 0 }]);
  }

  const groups: WiringGroup[] = [];
  for (const ns of t.namespaces) {
    const rows = new Map<string, WiringRow>();
    const children = new Map<string, string[]>();
    const parentOf = new Map<string, string>();
    for (const i of ns.interfaces) {
      const note = i.containerNetwork ? `network ${i.containerNetwork.name}` : null;
      rows.set(i.key, {
        key: i.key,
        type: "interface",
        name: i.name,
        kind: i.kind,
        operState: i.operState,
        up: i.up,
        addresses: i.addresses.map((a) => `${a.address}/${a.prefixLength}`),
        note,
        parent: null,
        depth: 0,
      });
      for (const rel of TREE_RELATIONS) {
        const other = i.relations[rel];
        if (other === null) continue;
        addWire(RELATION_WIRE[rel], i.key, other);
        if (!parentOf.has(i.key) && netnsOf.get(other) === ns.key) parentOf.set(i.key, other);
      }
      if (i.relations.peer !== null && netnsOf.has(i.relations.peer)) {
        const [a, b] = [i.key, i.relations.peer].sort();
        // From the end in the namespace with fewer interfaces (a container's eth0 towards the host).
        const mine = interfaceCount.get(ns.key)!;
        const theirs = interfaceCount.get(netnsOf.get(i.relations.peer)!)!;
        const fromMe = mine < theirs || (mine === theirs && i.key === a);
        addWire("veth", fromMe ? i.key : i.relations.peer, fromMe ? i.relations.peer : i.key, `veth:${a}|${b}`);
      }
      for (const user of i.users) {
        addWire("tun", i.key, user);
        if (processRowGroup.get(user) === ns.key && !parentOf.has(user)) parentOf.set(user, i.key);
      }
    }
    for (const r of processRows.get(ns.key) ?? []) rows.set(r.key, r);
    for (const r of forwardRows.get(ns.key) ?? []) rows.set(r.key, r);
    // A parent chain that loops (never from the kernel) is cut where it closes.
    for (const [child, parent] of parentOf) {
      let p: string | undefined = parent;
      let loops = false;
      for (let hops = 0; p !== undefined; hops++, p = parentOf.get(p)) {
        if (p === child || hops > rows.size) {
          loops = true;
          break;
        }
      }
      if (loops) parentOf.delete(child);
      else children.set(parent, [...(children.get(parent) ?? []), child]);
    }
    const ordered: WiringRow[] = [];
    const place = (key: string, depth: number, parent: string | null) => {
      const row = rows.get(key)!;
      ordered.push({ ...row, parent, depth });
      for (const c of children.get(key) ?? []) place(c, depth + 1, key);
    };
    for (const key of rows.keys()) if (!parentOf.has(key)) place(key, 0, null);
    groups.push({ key: ns.key, name: ns.displayName, caption: captionOf(ns, containers), initial: ns.initial, rows: ordered });
  }
  for (const p of t.forwardedPorts) if (p.destinationInterface !== null && netnsOf.has(p.key)) addWire("forward", p.key, p.destinationInterface);
  return { groups, wires };
}
