// tun/tap users against real holders (test/helpers/tap-holder.ts: a small C program attaching
// /dev/net/tun with TUNSETIFF). Two namespaces each end up with a tap of the same name, held by
// different processes that both live in the FIRST namespace (one of the taps was moved and renamed after creation),
// so neither the name nor the holder's own namespace can give the right answer: only the
// device's namespace (TUNGETDEVNETNS) can. A tap nobody holds has no users.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readlinkSync } from "node:fs";
import { discover } from "../../src/discovery/discover.ts";
import { indexTopology } from "../../src/model/index-topology.ts";
import type { NetworkInterface, Topology } from "../../src/model/topology.ts";
import { renderLs } from "../../src/cli/render/ls-tree.ts";
import { makeStyle } from "../../src/cli/render/style.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { holdTap, tapHolderBinary } from "../helpers/tap-holder.ts";

const root = requireRoot();
const lab = new Lab();
let nsA = "";
let nsB = "";
let tap = "";
let other = "";
let idle = "";
let holderA = 0; // lives in A, holds A's tap
let holderMoved = 0; // lives in A, holds the tap now in B under the same name
let holderB = 0; // lives in B, holds B's other tap
let topo: Topology;

let holder = "";
const hold = (ns: string, name: string) => holdTap(lab, holder, ns, name);

beforeAll(async () => {
  if (!root) return;
  try {
    holder = tapHolderBinary(lab);
    nsA = lab.netns("ua");
    nsB = lab.netns("ub");
    tap = `${lab.prefix}t`;
    other = `${lab.prefix}o`;
    idle = `${lab.prefix}i`;
    holderA = await hold(nsA, tap);
    holderMoved = await hold(nsA, `${lab.prefix}m`);
    lab.ip(nsA, "link", "set", `${lab.prefix}m`, "netns", nsB);
    lab.ip(nsB, "link", "set", `${lab.prefix}m`, "name", tap);
    holderB = await hold(nsB, other);
    lab.ip(nsB, "tuntap", "add", "mode", "tap", "name", idle);
    topo = discover();
  } catch (err) {
    lab.cleanup();
    throw err;
  }
});

afterAll(() => lab.cleanup());

const inodeOf = (path: string) => Number(/\[(\d+)\]/.exec(readlinkSync(path))![1]);
function iface(nsName: string, name: string): NetworkInterface {
  const ino = Number(sh("stat", ["-L", "-c", "%i", `/run/netns/${nsName}`]).trim());
  const ns = topo.namespaces.find((n) => n.inode === ino)!;
  const i = ns.interfaces.find((x) => x.name === name);
  if (!i) throw new Error(`${name} not found in ${nsName}`);
  return i;
}
const keyOf = (pid: number) => topo.processes.find((p) => p.pid === pid)!.key;

describe.if(root)("tun/tap users", () => {
  test("the set-up is the hard case: both holders of the same-named taps live in namespace A", () => {
    const a = Number(sh("stat", ["-L", "-c", "%i", `/run/netns/${nsA}`]).trim());
    expect(inodeOf(`/proc/${holderA}/ns/net`)).toBe(a);
    expect(inodeOf(`/proc/${holderMoved}/ns/net`)).toBe(a);
    expect(iface(nsA, tap).kind).toBe("tuntap");
    expect(iface(nsB, tap).kind).toBe("tuntap");
  });

  test("each tap's users are the processes holding that very device", () => {
    expect(iface(nsA, tap).users).toEqual([keyOf(holderA)]);
    expect(iface(nsB, tap).users).toEqual([keyOf(holderMoved)]);
    expect(iface(nsB, other).users).toEqual([keyOf(holderB)]);
  });

  test("a persistent tap nobody holds has no users; other interfaces have none either", () => {
    expect(iface(nsB, idle).users).toEqual([]);
    expect(iface(nsB, "lo").users).toEqual([]);
  });

  test("ls shows the users on the tap lines, as ss does", () => {
    const out = renderLs(indexTopology(topo), { routes: false, tenants: false, style: makeStyle(false) });
    expect(out).toContain(`users:(("tapholder",pid=${holderA}))`);
    expect(out).toContain(`users:(("tapholder",pid=${holderMoved}))`);
    const idleLine = out.split("\n").find((l) => l.includes(` ${idle} `))!;
    expect(idleLine).not.toContain("users:");
  });
});
