// The watch loop against the real kernel: changes made with iproute2 in lab namespaces arrive
// as revision batches (checked against `ip -j`), deleted namespaces are released so the kernel
// really destroys them (and the veth ends they held), a namespace vanishing mid-read is a warning,
// discoverNow records, and no recorded revision is empty. Timeouts are generous; nothing here
// asserts a duration.

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readlinkSync } from "node:fs";
import { Store } from "../../src/store/index.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Watcher } from "../../src/watch/watcher.ts";
import type { RevisionBatch } from "../../src/watch/live.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { tempDir } from "../store/helpers.ts";
import { namespaceHolders } from "../helpers/mount-holders.ts";

setDefaultTimeout(90_000); // generous: these wait for the kernel and the loop, never measure them
const root = requireRoot();
const lab = new Lab();
const tmp = tempDir();
let store: Store;
let watcher: Watcher;
const batches: RevisionBatch[] = [];

const inodeOf = (path: string) => Number(sh("stat", ["-L", "-c", "%i", path]).trim());
const nsOf = (t: Topology, name: string) => t.namespaces.find((n) => n.inode === inodeOf(`/run/netns/${name}`));

/** Resolves with the first batch (already published or to come) that satisfies `match`. */
function waitForBatch(from: number, match: (b: RevisionBatch) => boolean, what: string, timeoutMs = 30_000): Promise<RevisionBatch> {
  return new Promise((resolve, reject) => {
    const found = batches.slice(from).find(match);
    if (found) return resolve(found);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no batch with ${what} within ${timeoutMs} ms; got causes ${JSON.stringify(batches.slice(from).map((b) => b.cause))}`));
    }, timeoutMs);
    const off = watcher.subscribe((b) => {
      if (!match(b)) return;
      clearTimeout(timer);
      off();
      resolve(b);
    });
  });
}

/** Polls until `check` holds (for conditions on the kernel, which has no batch to wait for). */
async function eventually(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

function ipLinks(ns: string): { ifindex: number; ifname: string }[] {
  return JSON.parse(lab.ip(ns, "-j", "link", "show"));
}

beforeAll(async () => {
  if (!root) return;
  store = Store.open(tmp.db);
  // Long periods: what these tests see must come from events, not from a periodic pass.
  watcher = await Watcher.start({ store, withEngines: false, fullPassEveryMs: 600_000, namespaceRescanEveryMs: 600_000 });
  watcher.subscribe((b) => batches.push(b));
});

afterAll(async () => {
  await watcher?.stop();
  store?.close();
  lab.cleanup();
  tmp.cleanup();
});

describe.if(root)("the watch loop", () => {
  let a = "";
  let b = "";
  let aKey = "";
  let bKey = "";

  test("the first discovery is recorded with cause start; current() is that revision", () => {
    const { topology, revision } = watcher.current();
    expect(revision).toBe(store.latest()!);
    expect(store.history(1)[0]!.revision).toBe(revision);
    expect(topology.namespaces.length).toBeGreaterThan(0);
    expect(watcher.status().namespacesWatched).toBe(topology.namespaces.length);
  });

  test("new namespaces appear (mount change → procfs rescan), without a full pass", async () => {
    const from = batches.length;
    a = lab.netns("a");
    b = lab.netns("b");
    await waitForBatch(from, () => nsOf(watcher.current().topology, a) !== undefined && nsOf(watcher.current().topology, b) !== undefined, "both namespaces");
    aKey = nsOf(watcher.current().topology, a)!.key;
    bKey = nsOf(watcher.current().topology, b)!.key;
    const appeared = batches.slice(from).flatMap((x) => (x.cause.kind === "namespaces" ? x.cause.appeared : []));
    expect(appeared).toContain(aKey);
    expect(appeared).toContain(bKey);
    expect(batches.slice(from).some((x) => x.cause.kind === "periodic" || x.cause.kind === "request")).toBe(false);
    expect(batches.slice(from).some((x) => x.events.some((e) => e.kind === "namespace" && e.op === "added" && e.key === aKey))).toBe(true);
  });

  test("ip link add (veth across namespaces) → a batch with both interfaces added, as ip -j shows them", async () => {
    const from = batches.length;
    lab.ip(a, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b);
    const va = ipLinks(a).find((l) => l.ifname === "va")!;
    const vb = ipLinks(b).find((l) => l.ifname === "vb")!;
    const keyA = `${aKey}/if:${va.ifindex}`;
    const keyB = `${bKey}/if:${vb.ifindex}`;
    const added = (key: string) => (x: RevisionBatch) => x.events.some((e) => e.kind === "interface" && e.op === "added" && e.key === key);
    const batch = await waitForBatch(from, added(keyA), `${keyA} added`);
    expect(batch.cause.kind).toBe("netlink");
    await waitForBatch(from, added(keyB), `${keyB} added`);
    const ifaceA = nsOf(watcher.current().topology, a)!.interfaces.find((i) => i.key === keyA)!;
    expect(ifaceA.name).toBe("va");
    expect(ifaceA.relations.peer).toBe(keyB); // NSID resolved across the two namespaces
    for (const x of batches.slice(from)) for (const e of x.events) expect(e.revision).toBe(x.revision);
  });

  test("ip addr add → address added; ip link del → interfaces removed", async () => {
    let from = batches.length;
    lab.ip(a, "addr", "add", "192.0.2.7/24", "dev", "va");
    await waitForBatch(from, (x) => x.events.some((e) => e.kind === "address" && e.op === "added" && e.after?.address === "192.0.2.7"), "address 192.0.2.7 added");
    const va = nsOf(watcher.current().topology, a)!.interfaces.find((i) => i.name === "va")!;
    expect(va.addresses.map((x) => x.address)).toContain("192.0.2.7");

    from = batches.length;
    lab.ip(a, "link", "add", "vx", "type", "veth", "peer", "name", "vy");
    const vx = ipLinks(a).find((l) => l.ifname === "vx")!;
    await waitForBatch(from, (x) => x.events.some((e) => e.op === "added" && e.key === `${aKey}/if:${vx.ifindex}`), "vx added");
    from = batches.length;
    lab.ip(a, "link", "del", "vx");
    const removed = await waitForBatch(from, (x) => x.events.some((e) => e.op === "removed" && e.key === `${aKey}/if:${vx.ifindex}`), "vx removed");
    expect(removed.cause).toEqual({ kind: "netlink", namespaces: [aKey] });
    expect(nsOf(watcher.current().topology, a)!.interfaces.some((i) => i.name === "vx" || i.name === "vy")).toBe(false);
  });

  test("an event re-read that finds nothing changed records nothing (no empty revision, ever)", async () => {
    const before = store.latest();
    const passesBefore = watcher.status().lastSuccessAt;
    // Two changes that cancel out, in one ip process: one debounced re-read sees the old state.
    sh("ip", ["-n", a, "-batch", "-"], { input: "link set va mtu 1400\nlink set va mtu 1500\n" });
    await eventually(() => watcher.status().lastSuccessAt !== passesBefore, "a pass after the events");
    await Bun.sleep(200); // let any re-read still in its debounce window run too
    expect(batches.some((x) => x.cause.kind === "netlink" && x.revision > (before ?? 0) && x.events.some((e) => e.key.startsWith(`${aKey}/`)))).toBe(false);
    // Whatever else changed on this busy host was a real change: every revision has events.
    for (const s of store.history(1000)) expect(s.added + s.removed + s.changed).toBeGreaterThan(0);
  });

  test("ip netns del of a namespace whose veth peer is elsewhere: released, destroyed, peer gone everywhere", async () => {
    const from = batches.length;
    const vb = ipLinks(b).find((l) => l.ifname === "vb")!;
    const inode = inodeOf(`/run/netns/${a}`);
    sh("ip", ["netns", "del", a]);
    lab.forgetNetns(a);
    // Another program on a shared machine (an older wiresight) may hold the namespace: then it is
    // rightly not gone, and there is nothing of ours to check.
    const vanished = (x: RevisionBatch) => x.cause.kind === "namespaces" && x.cause.vanished.includes(aKey);
    await eventually(() => batches.slice(from).some(vanished) || namespaceHolders(inode).some((pid) => pid !== process.pid), `${aKey} to vanish`);
    if (!batches.slice(from).some(vanished)) {
      console.warn(`${a} is held by another program here (pid ${namespaceHolders(inode).join(", ")}): not gone, not checked`);
      return;
    }
    const gone = await waitForBatch(from, vanished, `${aKey} vanished`);
    expect(gone.events.some((e) => e.kind === "namespace" && e.op === "removed" && e.key === aKey)).toBe(true);
    // Only our socket and fd held it: now that they are closed, the kernel destroys it, and
    // with it the veth pair — so the peer leaves namespace b, in the kernel and in the watcher.
    await eventually(() => !ipLinks(b).some((l) => l.ifname === "vb"), "vb to leave namespace b in the kernel");
    await waitForBatch(from, (x) => x.events.some((e) => e.op === "removed" && e.key === `${bKey}/if:${vb.ifindex}`), "vb removed");
    expect(nsOf(watcher.current().topology, b)!.interfaces.some((i) => i.name === "vb")).toBe(false);
    expect(watcher.current().topology.namespaces.some((n) => n.key === aKey)).toBe(false);
  });

  test("discoverNow records a full pass (or reports that nothing changed) and current() follows", async () => {
    const batch = await watcher.discoverNow();
    if (batch) {
      expect(batch.cause).toEqual({ kind: "request" });
      // Kernel events elsewhere on the host may be recorded right after it (their own lane).
      expect(batch.revision).toBeLessThanOrEqual(store.latest()!);
      expect(store.history(1000).some((s) => s.revision === batch.revision)).toBe(true);
    }
    expect(watcher.current().revision).toBe(store.latest()!);
    expect(nsOf(watcher.current().topology, b)).toBeDefined();
    // Concurrent requests are coalesced into passes that never overlap; all of them resolve.
    const results = await Promise.all([watcher.discoverNow(), watcher.discoverNow(), watcher.discoverNow()]);
    expect(results.length).toBe(3);
    expect(watcher.status().consecutiveFailures).toBe(0);
  });

  test("a namespace vanishing between the procfs scan and its opening is a warning, not a crash", async () => {
    const holder = lab.spawn("unshare", ["--net", "sh", "-c", "echo ready; exec sleep 600"]);
    await lab.waitFor(holder, "ready", { exec: "sleep" });
    const doomed = inodeOf(`/proc/${holder.pid}/ns/net`);
    let killed = false;
    const store2 = Store.open(`${tmp.dir}/vanish.db`);
    const w = await Watcher.start({
      store: store2,
      withEngines: false,
      beforeNamespace: (c) => {
        if (c.inode !== doomed || killed) return;
        process.kill(holder.pid!, "SIGKILL");
        // Until it is reaped it is a zombie whose namespace links are already gone: the race.
        for (let i = 0; i < 500; i++) {
          try {
            readlinkSync(`/proc/${holder.pid}/ns/net`);
            Bun.sleepSync(10);
          } catch {
            break;
          }
        }
        killed = true;
      },
    });
    try {
      expect(killed).toBe(true);
      const t = w.current().topology;
      expect(t.namespaces.some((n) => n.inode === doomed)).toBe(false);
      expect(t.warnings.some((x) => x.subject === `net:[${doomed}]` && /skipped/.test(x.message))).toBe(true);
      expect(w.status().consecutiveFailures).toBe(0);
      expect(await w.discoverNow()).toBeDefined(); // still working
    } finally {
      await w.stop();
      store2.close();
    }
  });
});
