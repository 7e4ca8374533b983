// History keeps signal, not noise: five `wiresight record` runs (the compiled binary, as cron would
// start it) over a quiet lab record no change in it, no kernel thread and no recorder process in
// any revision, and still every process with a part in the network: a namespace's tenant, socket
// owners (in the lab and in the initial namespace), a tun/tap user that is not a tenant, a
// process holding a namespace open. Idle processes (a non-leader sleep in the lab, a sleep in the
// initial namespace) are not recorded. Other programs on this machine may change the host
// meanwhile (and hold the lab's namespaces open): what is asserted is scoped to what this test
// made, plus what must hold everywhere.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Store } from "../../src/store/index.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";

const built = join(import.meta.dir, "../../dist/wiresight");
const root = requireRoot();
const lab = new Lab();
const RECORDINGS = 5;

/** Lines a helper prints, as they come; resolves when `pattern` has matched them all. */
function output(child: ChildProcess, pattern: RegExp, count: number): Promise<RegExpMatchArray[]> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`helper printed only: ${out}`)), 15_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const found = [...out.matchAll(new RegExp(pattern, "g"))];
      if (found.length >= count) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
}

/** Waits until a veth is up with its IPv6 link-local address (the kernel adds it once the link is up). */
async function settled(ns: string, dev: string): Promise<void> {
  for (let i = 0; ; i++) {
    const [link] = JSON.parse(sh("ip", ["-n", ns, "-j", "addr", "show", "dev", dev]));
    if (link.operstate === "UP" && link.addr_info.some((a: { local: string }) => a.local.startsWith("fe80:"))) return;
    if (i > 1000) throw new Error(`${dev} in ${ns} is not up with a link-local address after 10 s`);
    await Bun.sleep(10);
  }
}

/** Waits until `pid` runs `comm` (its exec is done), so recordings do not see the shell before it. */
async function execDone(pid: number, comm: string): Promise<void> {
  for (let i = 0; readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== comm; i++) {
    if (i > 1000) throw new Error(`pid ${pid} is not ${comm} after 10 s`);
    await Bun.sleep(10);
  }
}

/** Python helpers, as files in the lab's directory: each prints its pid once its part is set up. */
const SCRIPTS = {
  "listen.py": `import os, socket, sys, time
s = socket.socket(); s.bind((sys.argv[1], 0)); s.listen()
print('listening', os.getpid(), flush=True); time.sleep(600)`,
  "tap.py": `import fcntl, os, struct, time
fd = os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', b'qtap0', 0x0002 | 0x1000))  # TUNSETIFF, IFF_TAP | IFF_NO_PI
print('tap', os.getpid(), flush=True); time.sleep(600)`,
  "hold.py": `import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
print('holding', os.getpid(), flush=True); time.sleep(600)`,
};

const pids: Record<string, number> = {};
const recorders: number[] = [];
let nsKeys: string[] = [];
let store: Store;
let topologies: Topology[] = [];

beforeAll(async () => {
  if (!root) return;
  if (!existsSync(built)) throw new Error("dist/wiresight is missing: run `npm run build` (npm test does it first)");
  ensureTool("python3", "python3");
  for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(lab.dir, name), text);
  const script = (name: keyof typeof SCRIPTS) => join(lab.dir, name);
  const a = lab.netns("qa");
  const b = lab.netns("qb");
  lab.veth({ ns: a, name: "qa0", cidr: "10.77.0.1/24" }, { ns: b, name: "qb0", cidr: "10.77.0.2/24" });

  // a: its tenant owns a listening socket.
  const listener = lab.spawn("ip", ["netns", "exec", a, "python3", script("listen.py"), "10.77.0.1"]);
  // b: the tenant is a sleep; beside it a tap user and an idle sleep, both its children.
  const tenant = lab.spawn("ip", ["netns", "exec", b, "sh", "-c", `sleep 601 & echo idle $!; python3 ${script("tap.py")} & echo tenant $$; exec sleep 600`]);
  // The initial namespace: a socket owner, a holder of namespace a, an idle sleep.
  const hostListener = lab.spawn("python3", [script("listen.py"), "127.0.0.1"]);
  const holder = lab.spawn("python3", [script("hold.py"), `/run/netns/${a}`]);
  const idle = lab.spawn("sleep", ["602"]);

  const [[l], b3, [h], [o]] = await Promise.all([
    output(listener, /listening (\d+)/, 1),
    output(tenant, /(idle|tap|tenant) (\d+)/, 3),
    output(hostListener, /listening (\d+)/, 1),
    output(holder, /holding (\d+)/, 1),
  ]);
  for (const m of b3) pids[`b-${m[1]}`] = Number(m[2]);
  pids["a-listener"] = Number(l![1]);
  pids["host-listener"] = Number(h![1]);
  pids["host-holder"] = Number(o![1]);
  pids["host-idle"] = idle.pid!;
  await settled(a, "qa0");
  await settled(b, "qb0");
  await execDone(pids["b-tenant"]!, "sleep");
  await execDone(pids["b-idle"]!, "sleep");
  await execDone(pids["host-idle"]!, "sleep");

  const db = join(lab.dir, "history.db");
  for (let i = 0; i < RECORDINGS; i++) {
    const r = spawnSync(built, ["record", "--db", db], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`record failed: ${r.stderr}`);
    recorders.push(r.pid!);
  }
  store = Store.open(db);
  topologies = Array.from({ length: RECORDINGS }, (_, i) => store.at({ revision: i + 1 }));
  nsKeys = [a, b].map((name) => {
    const inode = Number(spawnSync("stat", ["-L", "-c", "%i", `/run/netns/${name}`], { encoding: "utf8" }).stdout.trim());
    return topologies[0]!.namespaces.find((n) => n.inode === inode)!.key;
  });
}, 120_000);

afterAll(() => {
  store?.close();
  lab.cleanup();
});

describe.if(root)("five recordings of a quiet lab", () => {
  test("record no change in the lab", () => {
    const ours = new Set(Object.values(pids));
    const inLab = (key: string, v: Record<string, unknown> | undefined) =>
      nsKeys.some((k) => key === k || key.startsWith(`${k}/`) || v?.["netns"] === k) || ours.has(Number(v?.["pid"]));
    // Other programs may hold any namespace open meanwhile (another wiresight's watcher does):
    // their fd references are theirs, not a change this lab made.
    type Version = Record<string, unknown> | undefined;
    const withoutForeignFds = (v: Version) => v && { ...v, references: (v["references"] as { kind: string; pid?: number }[]).filter((r) => r.kind !== "fd" || ours.has(r.pid!)) };
    const foreignOnly = (e: { kind: string; op: string; before?: Version; after?: Version }) =>
      e.kind === "namespace" && e.op === "changed" && Bun.deepEquals(withoutForeignFds(e.before), withoutForeignFds(e.after));
    const changes = store.changes({ revision: 1 }, { revision: RECORDINGS }).filter((e) => inLab(e.key, e.after ?? e.before) && !foreignOnly(e));
    expect(changes).toEqual([]);
  });

  test("no revision holds a kernel thread or a recorder process", () => {
    // Kernel threads are kthreadd's children; this host has some, or the check would be empty.
    const kthreads = readdirSync("/proc").filter((d) => /^\d+$/.test(d) && (() => {
      try {
        return readFileSync(`/proc/${d}/stat`, "utf8").replace(/^.*\) /, "").split(" ")[1] === "2";
      } catch {
        return false;
      }
    })());
    expect(kthreads.length).toBeGreaterThan(0);
    for (const t of topologies) {
      expect(t.processes.filter((p) => p.ppid === 2).map((p) => p.comm)).toEqual([]);
      expect(t.processes.filter((p) => recorders.includes(p.pid)).map((p) => p.comm)).toEqual([]);
    }
  });

  test("every process with a part in the network is recorded, idle ones are not", () => {
    for (const t of topologies) {
      const recorded = new Set(t.processes.map((p) => p.pid));
      for (const name of ["a-listener", "b-tenant", "b-tap", "host-listener", "host-holder"]) expect({ name, recorded: recorded.has(pids[name]!) }).toEqual({ name, recorded: true });
      for (const name of ["b-idle", "host-idle"]) expect({ name, recorded: recorded.has(pids[name]!) }).toEqual({ name, recorded: false });
      const b = t.namespaces.find((n) => n.key === nsKeys[1])!;
      const inB = new Set(t.processes.filter((p) => b.processes.includes(p.key)).map((p) => p.pid));
      expect(inB).toEqual(new Set([pids["b-tenant"]!, pids["b-tap"]!]));
      expect(b.interfaces.find((i) => i.name === "qtap0")?.users).toEqual(t.processes.filter((p) => p.pid === pids["b-tap"]).map((p) => p.key));
    }
  });
});
