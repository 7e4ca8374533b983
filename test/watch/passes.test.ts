// The watcher's passes over an injected kernel and event source: no root, no namespace, no
// Worker. The fake kernel plays three namespaces (A and B joined by a veth, C alone) and counts
// what it is asked; the fake event source announces changes the way kernel event sockets would.
// What is checked is the pass logic: which pass an announcement causes, that an announcement in
// one namespace reads that namespace only and records only what it touches, that an unchanged
// re-read records nothing, and how namespaces are taken up and let go.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { digestOf, sameRead } from "../../src/discovery/workers/digest.ts";
import type { NamespaceRead } from "../../src/discovery/assembly.ts";
import type { NetnsCandidate } from "../../src/discovery/procfs/namespaces.ts";
import type { ProcfsPass } from "../../src/discovery/procfs-pass.ts";
import type { NsidResult, NsidTask, ReadResult, ReadTask } from "../../src/discovery/workers/protocol.ts";
import { netnsKey } from "../../src/model/keys.ts";
import type { RtLink } from "../../src/netlink/index.ts";
import { Store, type RecordOptions } from "../../src/store/index.ts";
import type { EventSource, PollResult } from "../../src/watch/event-sockets.ts";
import type { RevisionBatch } from "../../src/watch/live.ts";
import { Watcher, type Kernel } from "../../src/watch/watcher.ts";
import { tempDir } from "../store/helpers.ts";

const BOOT = "00000000-0000-4000-8000-000000000001";
const IFF_UP = 1;
const IFF_LOOPBACK = 8;

interface FakeNamespace {
  inode: number;
  cookie: bigint;
  links: RtLink[];
  /** NSID → inode of the namespace it means. */
  nsids: Map<number, number>;
}

const keyOf = (ns: FakeNamespace) => netnsKey(BOOT, ns.cookie);
const lo = (): RtLink => ({ family: 0, type: 772, index: 1, flags: IFF_UP | IFF_LOOPBACK, change: 0, ifname: "lo", mtu: 65536 });
const veth = (index: number, name: string, peer: number, nsid: number): RtLink => ({
  family: 0,
  type: 1,
  index,
  flags: IFF_UP,
  change: 0,
  ifname: name,
  mtu: 1500,
  kind: "veth",
  link: peer,
  linkNetnsid: nsid,
});

/** The kernel as the watcher sees it: three namespaces, everything it asks counted. */
class FakeKernel implements Kernel {
  readonly namespaces = new Map<number, FakeNamespace>();
  /** What is still there for procfs to find (a namespace we hold is alive, but procfs may not see it). */
  readonly visible = new Set<number>();
  readonly asked: string[] = [];
  #fd = 1000;

  add(ns: FakeNamespace): void {
    this.namespaces.set(ns.inode, ns);
    this.visible.add(ns.inode);
  }

  candidate(inode: number): NetnsCandidate {
    return { dev: 4, inode, openPath: `/run/netns/n${inode}`, references: [{ kind: "bindmount", path: `/run/netns/n${inode}`, viaPid: 1, mountNamespace: 1 }], initial: inode === 1 };
  }

  async procfs(): Promise<ProcfsPass> {
    this.asked.push("procfs");
    const candidates = [...this.visible].sort((a, b) => a - b).map((i) => this.candidate(i));
    return {
      procRoot: "/proc",
      bootId: BOOT,
      processes: new Map(),
      candidates,
      initialMethod: "fixed-inode",
      warnings: [],
      socketOwners: new Map(),
      tunUses: [],
      tenants: candidates.map(() => ({ tenants: [], warnings: [] })),
      tenantStats: { tenants: 0, dnsFileSets: 0, utsNamespaces: 0 },
      engines: [],
      engineWarnings: [],
      host: { caps: new Set(), hostname: "fake", kernelRelease: "6.0", kernelVersion: null, os: null, cpusOnline: null },
      pidNamespaces: { list: [], keyOfPid: new Map() },
      services: { byPort: new Map(), malformed: 0 },
      serviceWarnings: [],
    };
  }

  async read(task: Omit<ReadTask, "kind">): Promise<ReadResult> {
    const ns = this.namespaces.get(task.candidate.inode)!;
    this.asked.push(`read ${ns.inode}${task.options.eventSocket ? " +events" : ""}`);
    const read: NamespaceRead = {
      candidate: task.candidate,
      key: keyOf(ns),
      raw: { cookie: ns.cookie, links: structuredClone(ns.links), addresses: [], routes: [], sockets: [], retries: 0, interrupted: [], socketsError: null },
      rules: [],
      sets: [],
      drivers: new Map(),
      warnings: [],
      restWarnings: [],
      ...(task.options.networkOnly ? { partial: true as const } : {}),
    };
    this.asked[this.asked.length - 1] += task.options.networkOnly ? " (network only)" : "";
    const digest = digestOf(read);
    const eventFd = task.options.eventSocket ? this.#fd++ : undefined;
    if (sameRead(digest, task.previousDigest)) return { namespace: null, warnings: [], digest, unchanged: true, eventFd };
    return { namespace: read, warnings: [], digest, unchanged: false, eventFd };
  }

  async nsids(task: Omit<NsidTask, "kind">): Promise<NsidResult> {
    this.asked.push("nsids");
    const self = [...this.namespaces.values()].find((n) => n.cookie === events.cookieOf(task.subject.socketFd))!;
    const answers = new Map<number, number | null>();
    for (const q of task.questions) {
      const target = self.nsids.get(q.nsid);
      const id = q.candidates.find((c) => events.cookieOf(task.handles.get(c)?.socketFd ?? -1) === this.namespaces.get(target ?? -1)?.cookie);
      answers.set(q.nsid, id ?? null);
    }
    return { answers, queries: task.questions.length, unanswered: [] };
  }

  close(): void {}
}

/** Event sockets as the watcher sees them: fds by namespace, and announcements queued by the test. */
class FakeEvents implements EventSource {
  readonly held = new Map<string, number>();
  readonly released: string[] = [];
  #queued: PollResult = { active: new Map(), mounts: false };

  get size(): number {
    return this.held.size;
  }
  has(key: string): boolean {
    return this.held.has(key);
  }
  watch(key: string, fd: number): void {
    this.held.set(key, fd);
  }
  unwatch(key: string): void {
    this.held.delete(key);
    this.released.push(key);
  }
  socketOf(key: string): number | undefined {
    return this.held.get(key);
  }
  cookieOf(fd: number): bigint | undefined {
    for (const [key, f] of this.held) if (f === fd) return BigInt(key.split(":").at(-1)!);
    return undefined;
  }
  poll(): PollResult {
    const r = this.#queued;
    this.#queued = { active: new Map(), mounts: false };
    return r;
  }
  close(): void {}

  /** What a kernel event socket would report. */
  announce(key: string, nsid = false): void {
    this.#queued.active.set(key, { nsid, overflow: false, datagrams: 1 });
  }
  mountsChanged(): void {
    this.#queued.mounts = true;
  }
}

const kernel = new FakeKernel();
const events = new FakeEvents();
const A: FakeNamespace = { inode: 1, cookie: 11n, links: [lo(), veth(2, "a0", 3, 0)], nsids: new Map([[0, 2]]) };
const B: FakeNamespace = { inode: 2, cookie: 22n, links: [lo(), veth(3, "b0", 2, 0)], nsids: new Map([[0, 1]]) };
const C: FakeNamespace = { inode: 3, cookie: 33n, links: [lo()], nsids: new Map() };
const tmp = tempDir();
let store: Store;
let watcher: Watcher;
const batches: RevisionBatch[] = [];
const scopes: NonNullable<RecordOptions["scope"]>[] = [];

beforeAll(async () => {
  for (const ns of [A, B, C]) kernel.add(ns);
  store = Store.open(tmp.db);
  const record = store.record.bind(store) as (t: Parameters<Store["record"]>[0], o: RecordOptions) => ReturnType<Store["record"]>;
  store.record = ((t: Parameters<Store["record"]>[0], o: RecordOptions = {}) => {
    if (o.scope) scopes.push(o.scope);
    return record(t, o);
  }) as Store["record"];
  watcher = await Watcher.start({
    store,
    kernel,
    events,
    withEngines: false,
    pollEveryMs: 2,
    debounceMs: 1,
    namespaceDebounceMs: 1,
    fullPassEveryMs: 3_600_000,
    namespaceRescanEveryMs: 3_600_000,
  });
  watcher.subscribe((b) => batches.push(b));
});

afterAll(async () => {
  await watcher?.stop();
  store?.close();
  tmp.cleanup();
});

/** Resolves with the next batch (after `from`) that satisfies `match`. */
function nextBatch(from: number, match: (b: RevisionBatch) => boolean = () => true): Promise<RevisionBatch> {
  return new Promise((resolve, reject) => {
    const found = batches.slice(from).find(match);
    if (found) return resolve(found);
    const timer = setTimeout(() => reject(new Error(`no such batch; got ${JSON.stringify(batches.slice(from).map((b) => b.cause))}`)), 10_000);
    const off = watcher.subscribe((b) => {
      if (!match(b)) return;
      clearTimeout(timer);
      off();
      resolve(b);
    });
  });
}

/** Waits until the watcher has run a pass since `since` (its last success time moved). */
async function passAfter(since: string | null): Promise<void> {
  for (let i = 0; i < 1000 && watcher.status().lastSuccessAt === since; i++) await Bun.sleep(2);
  await Bun.sleep(20); // and nothing else follows
}

describe("watcher passes over an injected kernel", () => {
  test("start: procfs, every namespace read with its event socket, NSIDs asked; veth peers related", () => {
    expect(kernel.asked.slice(0, 4)).toEqual(["procfs", "read 1 +events", "read 2 +events", "read 3 +events"]);
    expect(kernel.asked).toContain("nsids");
    expect([...events.held.keys()].sort()).toEqual([keyOf(A), keyOf(B), keyOf(C)].sort());
    const t = watcher.current().topology;
    const a0 = t.namespaces.find((n) => n.key === keyOf(A))!.interfaces.find((i) => i.name === "a0")!;
    const b0 = t.namespaces.find((n) => n.key === keyOf(B))!.interfaces.find((i) => i.name === "b0")!;
    expect(a0.relations.peer).toBe(b0.key);
    expect(b0.relations.peer).toBe(a0.key);
  });

  test("an announcement in B re-reads B alone, and records only B (its wiring did not change: A is left alone)", async () => {
    const from = batches.length;
    const asked = kernel.asked.length;
    B.links[1] = { ...B.links[1]!, flags: 0 }; // b0 goes down
    events.announce(keyOf(B));
    const batch = await nextBatch(from);
    expect(batch.cause).toEqual({ kind: "netlink", namespaces: [keyOf(B)] });
    expect(batch.events.map((e) => `${e.op} ${e.kind} ${e.key}`)).toEqual([`changed interface ${keyOf(B)}/if:3`]);
    expect(kernel.asked.slice(asked)).toEqual(["read 2 (network only)"]); // what events are about: no procfs pass, no other namespace, no sockets
    expect([...scopes.at(-1)!.namespaces.keys()]).toEqual([keyOf(B)]);
    expect(scopes.at(-1)!.lists.size).toBe(0);
  });

  test("when B's wiring changes (its veth now points elsewhere), A — wired to it — is related anew and compared too", async () => {
    let from = batches.length;
    B.links[1] = { ...B.links[1]!, link: 9 }; // b0's peer is no longer A's a0
    events.announce(keyOf(B));
    const batch = await nextBatch(from);
    expect([...scopes.at(-1)!.namespaces.keys()].sort()).toEqual([keyOf(A), keyOf(B)].sort()); // C untouched
    // A veth's peer is each side's own forward edge: B's changes, A's stays (A still names B's if:3).
    expect(batch.events.map((e) => `${e.key} ${e.fields?.map((f) => f.field).join(",")}`)).toEqual([`${keyOf(B)}/if:3 raw.link,relations.peer`]);
    from = batches.length;
    B.links[1] = { ...B.links[1]!, link: 2 }; // and back
    events.announce(keyOf(B));
    expect((await nextBatch(from)).events.map((e) => e.key)).toEqual([`${keyOf(B)}/if:3`]);
  });

  test("a re-read that finds nothing changed records nothing", async () => {
    const from = batches.length;
    const revision = store.latest();
    const since = watcher.status().lastSuccessAt;
    events.announce(keyOf(C));
    await passAfter(since);
    expect(kernel.asked.at(-1)).toBe("read 3 (network only)");
    expect(batches.length).toBe(from);
    expect(store.latest()).toBe(revision);
  });

  test("NSID announcements make NSIDs asked again — once: one side's answer settles the other's", async () => {
    let since = watcher.status().lastSuccessAt;
    let asked = kernel.asked.length;
    events.announce(keyOf(A), true); // B still knows its NSID of A: that settles A's without a query
    await passAfter(since);
    expect(kernel.asked.slice(asked)).toEqual(["read 1 (network only)"]);
    since = watcher.status().lastSuccessAt;
    asked = kernel.asked.length;
    events.announce(keyOf(A), true);
    events.announce(keyOf(B), true);
    await passAfter(since);
    expect(kernel.asked.slice(asked)).toEqual(["read 1 (network only)", "read 2 (network only)", "nsids"]);
    const a0 = watcher.current().topology.namespaces.find((n) => n.key === keyOf(A))!.interfaces.find((i) => i.name === "a0")!;
    expect(a0.relations.peer).toBe(`${keyOf(B)}/if:3`);
  });

  test("a mount change: procfs; a new namespace is read with its event socket and watched", async () => {
    const D: FakeNamespace = { inode: 4, cookie: 44n, links: [lo()], nsids: new Map() };
    kernel.add(D);
    const from = batches.length;
    const asked = kernel.asked.length;
    events.mountsChanged();
    const batch = await nextBatch(from);
    expect(batch.cause).toEqual({ kind: "namespaces", appeared: [keyOf(D)], vanished: [] });
    expect(kernel.asked.slice(asked)).toEqual(["procfs", "read 4 +events"]);
    expect(events.held.has(keyOf(D))).toBe(true);
  });

  test("a namespace procfs no longer finds is let go (its event socket closed) and removed; its peer loses it", async () => {
    kernel.visible.delete(B.inode);
    const from = batches.length;
    events.mountsChanged();
    const batch = await nextBatch(from);
    expect(batch.cause).toEqual({ kind: "namespaces", appeared: [], vanished: [keyOf(B)] });
    expect(events.released).toContain(keyOf(B));
    expect(events.held.has(keyOf(B))).toBe(false);
    expect(batch.events.some((e) => e.op === "removed" && e.kind === "namespace" && e.key === keyOf(B))).toBe(true);
    const a0 = watcher.current().topology.namespaces.find((n) => n.key === keyOf(A))!.interfaces.find((i) => i.name === "a0")!;
    expect(a0.relations.peer).toBeNull();
    expect(batch.events.some((e) => e.op === "changed" && e.key === a0.key)).toBe(true);
  });

  test("discoverNow: a full pass reads every held namespace; unchanged ones cost no revision", async () => {
    const asked = kernel.asked.length;
    const batch = await watcher.discoverNow();
    expect(batch).toBeNull();
    expect(kernel.asked.slice(asked).sort()).toEqual(["procfs", "read 1", "read 3", "read 4"]);
  });
});
