// What the watcher keeps up to date piece by piece — namespaces re-read one at a time after
// kernel events, relations recomputed only around what changed — must be what a discovery from
// scratch sees: after a series of changes across namespaces (veth pairs made and deleted, a
// bridge and its ports, a macvlan moved to another namespace while its lower device stays, a
// vxlan over a veth, addresses and routes), the lab's namespaces in the live topology equal
// those of a fresh discover(), field for field — a listening socket read by a full pass included,
// though the re-reads after kernel events read links, addresses and routes only.

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { discover } from "../../src/discovery/discover.ts";
import type { NetworkNamespace, Topology } from "../../src/model/topology.ts";
import { Store } from "../../src/store/index.ts";
import { Watcher } from "../../src/watch/watcher.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { tempDir } from "../store/helpers.ts";

setDefaultTimeout(120_000); // generous: waits for the kernel and the loop, never measures them
const root = requireRoot();
const lab = new Lab();
const tmp = tempDir();
let store: Store;
let watcher: Watcher;
const names: string[] = [];

beforeAll(async () => {
  if (!root) return;
  store = Store.open(tmp.db);
  // Only kernel events and mount changes may bring what follows in: no periodic pass.
  watcher = await Watcher.start({ store, withEngines: false, fullPassEveryMs: 3_600_000, namespaceRescanEveryMs: 3_600_000 });
});

afterAll(async () => {
  await watcher?.stop();
  store?.close();
  lab.cleanup();
  tmp.cleanup();
});

const inodeOf = (name: string) => Number(sh("stat", ["-L", "-c", "%i", `/run/netns/${name}`]).trim());

/** The lab's namespaces, without what other programs on the host may change in them meanwhile. */
function labOf(t: Topology): NetworkNamespace[] {
  const inodes = new Set(names.map(inodeOf));
  return structuredClone(t.namespaces.filter((n) => inodes.has(n.inode))).map((n) => ({ ...n, references: [] }));
}

/** PIDs of the processes a topology lists in the lab's namespaces. */
function processesIn(t: Topology): number[] {
  const keys = new Set(t.namespaces.filter((n) => names.map(inodeOf).includes(n.inode)).map((n) => n.key));
  return t.processes.filter((p) => p.netns !== null && keys.has(p.netns)).map((p) => p.pid);
}

/** Waits until the live topology stops changing (no revision for a while). */
async function settled(): Promise<void> {
  let last = watcher.current().revision;
  for (let quiet = 0; quiet < 10; ) {
    await Bun.sleep(100);
    const now = watcher.current().revision;
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

describe.if(root)("incremental assembly", () => {
  test("after changes across namespaces, the live topology is what a fresh discovery sees", async () => {
    const [hub, a, b, c] = ["hub", "a", "b", "c"].map((s) => lab.netns(s)) as [string, string, string, string];
    names.push(hub, a, b, c);
    // A listener in a: sockets send no events, a full pass reads them; kernel events in a later
    // re-read its links, addresses and routes only, and its socket must stay.
    const listener = lab.spawn("ip", ["netns", "exec", a, "python3", "-c", "import socket, time\ns = socket.socket(); s.bind(('0.0.0.0', 7071)); s.listen()\nprint('ready', flush=True)\ntime.sleep(600)"]);
    await lab.waitFor(listener, "ready");
    // A shell in a with a child that has no part in the network: the shell is a tenant, the
    // sleep is listed nowhere (as a fresh discovery lists it: model/network-processes.ts).
    const shell = lab.spawn("ip", ["netns", "exec", a, "sh", "-c", "sleep 600 & echo ready; wait"]);
    await lab.waitFor(shell, "ready");
    const sleeper = Number(sh("pgrep", ["-P", String(shell.pid)]).trim());
    await settled();
    await watcher.discoverNow();
    lab.ip(hub, "link", "add", "br0", "type", "bridge");
    lab.ip(hub, "link", "set", "br0", "up");
    for (const [ns, port] of [[a, "pa"], [b, "pb"]] as const) {
      lab.ip(hub, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
      lab.ip(hub, "link", "set", port, "master", "br0", "up");
      lab.ip(ns, "link", "set", "eth0", "up");
    }
    lab.ip(a, "addr", "add", "10.91.0.2/24", "dev", "eth0");
    lab.ip(a, "route", "add", "10.92.0.0/16", "via", "10.91.0.1");
    lab.ip(a, "link", "add", "vx0", "type", "vxlan", "id", "7", "dev", "eth0", "remote", "10.91.0.3", "dstport", "4789");
    // A macvlan made in the hub over its own veth, then moved to c: its lower device stays behind.
    lab.ip(hub, "link", "add", "q0", "type", "veth", "peer", "name", "q1");
    lab.ip(hub, "link", "add", "mvx", "link", "q0", "type", "macvlan", "mode", "bridge");
    lab.ip(hub, "link", "set", "mvx", "netns", c);
    // A pair made and deleted again, and a port removed from the bridge.
    lab.ip(hub, "link", "add", "tmp0", "type", "veth", "peer", "name", "tmp1", "netns", c);
    lab.ip(hub, "link", "del", "tmp0");
    lab.ip(hub, "link", "set", "pb", "nomaster");
    lab.ip(b, "addr", "add", "10.91.0.3/24", "dev", "eth0");
    await settled();

    const liveTopology = watcher.current().topology;
    const freshTopology = discover();
    const live = labOf(liveTopology);
    const fresh = labOf(freshTopology);
    expect(live.map((n) => n.displayName)).toEqual(fresh.map((n) => n.displayName));
    expect(live).toEqual(fresh);
    // And it is the wiring we made: relations both ways, across namespaces.
    const iface = (ns: string, name: string) => live.find((n) => n.displayName === ns)!.interfaces.find((i) => i.name === name)!;
    expect(iface(hub, "br0").relations.ports).toEqual([iface(hub, "pa").key]);
    expect(iface(b, "eth0").relations.peer).toBe(iface(hub, "pb").key);
    expect(iface(c, "mvx").relations.master).toBe(iface(hub, "q0").key);
    expect(iface(hub, "q0").relations.slaves).toEqual([iface(c, "mvx").key]);
    expect(iface(a, "vx0").relations.underlay).toBe(iface(a, "eth0").key);
    expect(live.find((n) => n.displayName === c)!.interfaces.map((i) => i.name).sort()).toEqual(["lo", "mvx"]);
    expect(live.find((n) => n.displayName === a)!.sockets.map((x) => x.localPort)).toEqual([7071]);
    // The processes it lists in the lab are the fresh discovery's: the tenants, not the idle sleep.
    expect(processesIn(liveTopology)).toEqual(processesIn(freshTopology));
    expect(processesIn(liveTopology)).toContain(shell.pid!);
    expect(processesIn(liveTopology)).not.toContain(sleeper);
    expect(live.find((n) => n.displayName === a)!.processes.length).toBe(2); // the listener and the shell
  });
});
