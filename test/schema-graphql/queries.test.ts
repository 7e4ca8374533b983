// Queries against a real lab, discovered and recorded: fields checked against the Topology and
// against `ip -j -d`, node ids round-tripping, relations, filters, connections whose cursors
// survive entities added before them, `at:` in the past, diff, history, whereIs, capture
// targets, and clear errors for bad ids, times, revisions and addresses.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, readlinkSync } from "node:fs";
import { encodeNodeId } from "../../src/model/node-id.ts";
import { requireRoot, sh } from "../helpers/lab.ts";
import { data, errorsOf, makeFixture, type Fixture } from "./fixture.ts";

const root = requireRoot();
let f: Fixture;
let r1 = 0;

beforeAll(async () => {
  if (!root) return;
  f = await makeFixture();
  r1 = f.live.current().revision;
}, 60_000);

afterAll(() => f?.cleanup());

const IFACE = `id key name index kind netns mtu mac up operState flags namespace { key }
  addresses { address prefixLength }
  peer { key name namespace { key } } bridge { key name } ports { key name }`;

describe.if(root)("queries over a real lab", () => {
  test("a namespace's interfaces match the topology and ip -j -d, with kinds and relations", async () => {
    const d = data(await f.run(`query($k: ID!) { node(id: $k) { ... on NetworkNamespace { key displayName interfaces { ${IFACE} __typename ... on BridgeInterface { details { stpState } } } } } }`, { k: encodeNodeId("NetworkNamespace", f.keys.a) }));
    const ns = d.node;
    expect(ns.key).toBe(f.keys.a);
    const oracle = JSON.parse(sh("ip", ["-n", f.ns.a, "-j", "-d", "link", "show"])) as any[];
    expect(ns.interfaces.map((i: any) => i.name).sort()).toEqual(oracle.map((l) => l.ifname).sort());
    for (const l of oracle) {
      const i = ns.interfaces.find((x: any) => x.name === l.ifname);
      expect(i.index).toBe(l.ifindex);
      expect(i.mtu).toBe(l.mtu);
      if (l.address && l.link_type !== "loopback") expect(i.mac).toBe(l.address);
      const kind = l.linkinfo?.info_kind ?? (l.link_type === "loopback" ? "loopback" : "physical");
      expect(i.kind).toBe(kind.toUpperCase());
      expect(i.__typename).toBe(`${kind[0].toUpperCase()}${kind.slice(1)}Interface`);
    }
    const br = ns.interfaces.find((i: any) => i.name === "br0");
    const va = ns.interfaces.find((i: any) => i.name === "va0");
    expect(br.ports.map((p: any) => p.name)).toEqual(["va0"]);
    expect(br.details).not.toBeNull();
    expect(br.addresses.filter((a: any) => !a.address.includes(":"))).toEqual([{ address: `${f.ip(1)}`, prefixLength: 24 }]);
    expect(va.bridge.name).toBe("br0");
    expect(va.peer.name).toBe("vb0");
    expect(va.peer.namespace.key).toBe(f.keys.b);
    // The same interfaces as the topology holds them.
    const topo = f.first.namespaces.find((n) => n.key === f.keys.a)!;
    expect(ns.interfaces.map((i: any) => i.key)).toEqual(topo.interfaces.map((i) => i.key));
  });

  test("every node id round-trips through node(id:) and nodes(ids:)", async () => {
    const d = data(
      await f.run(`query($ns: String!) {
        interfaces(filter: { namespace: $ns }) { edges { node { id key } } }
        addresses(filter: { namespace: $ns }) { edges { node { id key } } }
        routes(filter: { namespace: $ns }) { edges { node { id key } } }
        sockets(filter: { namespace: $ns }) { edges { node { id key } } }
        namespaces(filter: { name: $ns }) { edges { node { id key } } }
      }`, { ns: f.ns.b }),
    );
    const all = Object.values(d).flatMap((c: any) => c.edges.map((e: any) => e.node));
    expect(all.length).toBeGreaterThan(5);
    const back = data(await f.run(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Interface { key } ... on Address { key } ... on Route { key } ... on Socket { key } ... on NetworkNamespace { key } } }`, { ids: all.map((n: any) => n.id) }));
    expect(back.nodes).toEqual(all);
    for (const n of all) expect(Buffer.from(n.id, "base64url").toString()).toEndWith(`:${n.key}`);
  });

  test("the listening socket, its owner process and the interfaces that carry it", async () => {
    const d = data(await f.run(`query($ns: String!) { sockets(filter: { namespace: $ns, simpleStates: [LISTENING], port: 8080 }) { totalCount edges { node { localAddress localPort protocol state simpleState processes { comm pid } interfaces { name } } } } }`, { ns: f.ns.b }));
    expect(d.sockets.totalCount).toBe(1);
    const s = d.sockets.edges[0].node;
    expect(s).toMatchObject({ localAddress: `${f.ip(2)}`, localPort: 8080, protocol: "TCP", state: "LISTEN", simpleState: "LISTENING" });
    expect(s.processes.map((p: any) => p.comm)).toContain("python3");
    expect(s.interfaces.map((i: any) => i.name)).toEqual(["vb0"]);
    const oracle = sh("ip", ["netns", "exec", f.ns.b, "ss", "-Htln"]).trim().split("\n").filter((l) => l.includes(`${f.ip(2)}:8080`));
    expect(oracle.length).toBe(1);
    const iface = data(await f.run(`query($ns: String!) { interfaces(filter: { namespace: $ns, name: "vb0" }) { nodes { sockets { localPort } } } }`, { ns: f.ns.b }));
    expect(iface.interfaces.nodes[0].sockets.map((x: any) => x.localPort)).toContain(8080);
  });

  test("filters: kind, name glob, address, state, namespace by key, id or name", async () => {
    const q = `query($ns: String, $kind: [InterfaceKind!], $name: String, $address: String, $up: Boolean, $operState: [OperState!]) {
      interfaces(filter: { namespace: $ns, kinds: $kind, name: $name, address: $address, up: $up, operStates: $operState }) { totalCount edges { node { name } } } }`;
    const names = async (v: Record<string, unknown>) => data(await f.run(q, v)).interfaces.edges.map((e: any) => e.node.name).sort();
    expect(await names({ ns: f.ns.a, kind: ["VETH"] })).toEqual(["va0"]);
    expect(await names({ ns: f.keys.a, kind: ["BRIDGE", "VETH"] })).toEqual(["br0", "va0"]);
    expect(await names({ ns: encodeNodeId("NetworkNamespace", f.keys.a), name: "v*" })).toEqual(["va0"]);
    expect(await names({ address: `${f.ip(2)}` })).toEqual(["vb0"]);
    expect(await names({ ns: f.ns.b, up: false })).toEqual([]);
    expect(await names({ ns: f.ns.b, up: true })).toEqual(["lo", "vb0"]);
    expect(await names({ ns: f.ns.b, operState: ["UP", "LOWER_LAYER_DOWN"] })).toEqual(["vb0"]);
    // A state that does not exist is an error, not an empty answer.
    expect(errorsOf(await f.run(q, { operState: ["SIDEWAYS"] })).join()).toContain('Value "SIDEWAYS" does not exist in "OperState" enum');
    expect(errorsOf(await f.run(`{ interfaces(filter: { operStates: [sideways] }) { totalCount } }`)).join()).toContain('Value "sideways" does not exist in "OperState" enum');
    const addrs = data(await f.run(`query($ns: String) { addresses(filter: { namespace: $ns, family: IPV4 }) { edges { node { address interface { name } } } } }`, { ns: f.ns.a }));
    expect(addrs.addresses.edges.map((e: any) => `${e.node.address} ${e.node.interface.name}`).sort()).toEqual([`${f.ip(1)} br0`, "127.0.0.1 lo"]);
  });

  test("connections page by key; a cursor stays valid when entities are added before it", async () => {
    const q = `query($ns: String!, $after: String) { interfaces(filter: { namespace: $ns }, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { key index } } } }`;
    const p1 = data(await f.run(q, { ns: f.ns.a })).interfaces;
    expect(p1.totalCount).toBe(3); // lo, br0, va0
    const all: number[] = [];
    let page = p1;
    all.push(...page.edges.map((e: any) => e.node.index));
    while (page.pageInfo.hasNextPage) {
      page = data(await f.run(q, { ns: f.ns.a, after: page.pageInfo.endCursor })).interfaces;
      all.push(...page.edges.map((e: any) => e.node.index));
    }
    expect(all).toEqual([...all].sort((x, y) => x - y));
    expect(all.length).toBe(3);

    // Addresses of namespace a: lo's sort before br0's. Take the cursor of br0's first address,
    // add an address to lo (before the cursor): paging after the cursor gives the same items.
    const aq = `query($ns: String!, $after: String) { addresses(filter: { namespace: $ns }, after: $after) { edges { cursor node { key address interface { name } } } } }`;
    const before = data(await f.run(aq, { ns: f.ns.a })).addresses.edges;
    const anchor = before.findIndex((e: any) => e.node.interface.name === "br0");
    expect(anchor).toBeGreaterThan(0);
    const cursor = before[anchor].cursor;
    const expected = before.slice(anchor + 1).map((e: any) => e.node.key);
    f.lab.ip(f.ns.a, "addr", "add", "127.0.0.9/8", "dev", "lo");
    f.rediscover();
    const now = data(await f.run(aq, { ns: f.ns.a })).addresses.edges;
    expect(now.length).toBe(before.length + 1);
    expect(now.findIndex((e: any) => e.node.address === "127.0.0.9")).toBeLessThan(anchor + 1);
    const after = data(await f.run(aq, { ns: f.ns.a, after: cursor })).addresses.edges.map((e: any) => e.node.key);
    expect(after).toEqual(expected);
    // An offset cursor would have shifted by one; and a cursor of a removed entity still works.
    f.lab.ip(f.ns.a, "addr", "del", `${f.ip(1)}/24`, "dev", "br0");
    f.rediscover();
    const gone = data(await f.run(aq, { ns: f.ns.a, after: cursor })).addresses.edges.map((e: any) => e.node.key);
    expect(gone).toEqual(expected.filter((k: string) => !k.endsWith(`/addr:${f.ip(1)}/24`)));
    f.lab.ip(f.ns.a, "addr", "add", `${f.ip(1)}/24`, "dev", "br0");
    f.rediscover();
    const bad = await f.run(q, { ns: f.ns.a, after: "bm90LWEtY3Vyc29y" });
    expect(errorsOf(bad)[0]).toContain("is not a cursor");
  });

  test("orderBy sorts, cursors follow the order; changes and a diff's entities page like every connection", async () => {
    const byName = data(await f.run(`query($ns: String) { interfaces(filter: { namespace: $ns }, orderBy: { field: NAME, direction: DESC }) { nodes { name } } }`, { ns: f.ns.a })).interfaces.nodes.map((i: any) => i.name);
    expect(byName).toEqual(["va0", "lo", "br0"]);
    const q = `query($ns: String, $after: String) { interfaces(filter: { namespace: $ns }, orderBy: { field: NAME }, first: 1, after: $after) { pageInfo { hasNextPage endCursor } nodes { name } } }`;
    const names: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = data(await f.run(q, { ns: f.ns.a, after })).interfaces;
      names.push(...page.nodes.map((n: any) => n.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(names).toEqual(["br0", "lo", "va0"]);

    // The lab's own changes (the host's other namespaces change too, and are not counted here).
    const from = f.store.history(1000).at(-1)!.revision;
    const mine = (e: { key: string }) => e.key.startsWith(`${f.keys.a}/`) || e.key === f.keys.a;
    const all = f.store.changes({ revision: from }, { revision: f.live.current().revision }).filter(mine);
    expect(all.length).toBeGreaterThan(2);
    const cq = `query($from: Moment!, $after: String, $ns: String) { changes(from: $from, first: 2, after: $after, filter: { namespace: $ns }) { totalCount pageInfo { hasNextPage endCursor } nodes { revision key op } } }`;
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; ; pages++) {
      const page: any = data(await f.run(cq, { from, after: cursor, ns: f.keys.a })).changes;
      expect(page.totalCount).toBe(all.length);
      seen.push(...page.nodes.map((c: any) => `${c.revision} ${c.key}`));
      if (!page.pageInfo.hasNextPage) break;
      cursor = page.pageInfo.endCursor;
      expect(pages).toBeLessThan(all.length);
    }
    expect([...seen].sort()).toEqual(all.map((e) => `${e.revision} ${e.key}`).sort());
    expect(seen.map((x) => Number(x.split(" ")[0]))).toEqual(all.map((e) => e.revision));
    const diff = data(await f.run(`query($from: Moment!, $ns: String) { diff(from: $from) { entities(first: 1, filter: { ops: [ADDED], namespace: $ns }) { totalCount nodes { op } } } }`, { from, ns: f.keys.a })).diff.entities;
    expect(diff.nodes).toEqual([{ op: "ADDED" }]);
    expect(diff.totalCount).toBe(f.store.diff({ revision: from }, { revision: f.live.current().revision }).entities.filter((e) => e.op === "added" && mine(e)).length);
  });

  test("at: a past revision or time shows the topology as it was; diff and history say what changed", async () => {
    f.lab.ip(f.ns.b, "addr", "add", `${f.ip(9)}/24`, "dev", "vb0");
    const batch = f.rediscover()!;
    const q = `query($at: Moment) { addresses(filter: { address: "${f.ip(9)}" }, at: $at) { totalCount } topology(at: $at) { discoveredAt } }`;
    expect(data(await f.run(q, {})).addresses.totalCount).toBe(1);
    expect(data(await f.run(q, { at: batch.revision })).addresses.totalCount).toBe(1);
    expect(data(await f.run(q, { at: r1 })).addresses.totalCount).toBe(0);
    expect(data(await f.run(q, { at: String(r1) })).addresses.totalCount).toBe(0);
    expect(data(await f.run(q, { at: f.first.discoveredAt })).topology.discoveredAt).toBe(f.first.discoveredAt);
    expect(data(await f.run(`query($at: Moment) { topology(at: $at) { revision } }`, { at: f.first.discoveredAt })).topology.revision).toBe(r1);
    expect(data(await f.run(`{ topology { revision } }`)).topology.revision).toBe(batch.revision);
    // A time relative to now: -0s is now, the latest recording.
    expect(data(await f.run(`{ topology(at: "-0s") { revision } }`)).topology.revision).toBe(batch.revision);

    // The lab's namespace only: the host's own changes meanwhile (other work on the machine) can
    // be more than a page.
    const diff = data(await f.run(`query($from: Moment!, $ns: String) { diff(from: $from) { from to entities(first: 1000, filter: { namespace: $ns }) { totalCount nodes { kind op key nodeId ... on EntityAdded { after } } } } }`, { from: r1, ns: f.keys.b })).diff;
    expect(diff.from).toBe(r1);
    expect(diff.to).toBe(batch.revision);
    const added = diff.entities.nodes.find((e: any) => e.kind === "ADDRESS" && e.op === "ADDED" && e.after.address === `${f.ip(9)}`);
    expect(added).toBeDefined();
    // The node id of a change event finds the entity.
    const node = data(await f.run(`query($id: ID!) { node(id: $id) { ... on Address { address } } }`, { id: added.nodeId })).node;
    expect(node.address).toBe(`${f.ip(9)}`);
    // ...and at r1 it was not there.
    expect(data(await f.run(`query($id: ID!, $at: Moment) { node(id: $id, at: $at) { id } }`, { id: added.nodeId, at: r1 })).node).toBeNull();

    const history = data(await f.run(`{ history(first: 2) { totalCount nodes { revision time added } } }`)).history;
    expect(history.nodes[0].revision).toBe(batch.revision);
    expect(history.nodes[0].added).toBeGreaterThan(0);
    expect(history.totalCount).toBe(f.store.history(1000).length);
    // Paged: the next page starts right after, oldest-first when asked.
    const older = data(await f.run(`query($after: String) { history(first: 1, after: $after) { nodes { revision } } }`, { after: null })).history;
    expect(older.nodes[0].revision).toBe(batch.revision);
    const asc = data(await f.run(`{ history(first: 1, orderBy: { field: REVISION, direction: ASC }) { nodes { revision } } }`)).history;
    expect(asc.nodes[0].revision).toBe(f.store.history(1000).at(-1)!.revision);
  });

  test("a process's PID namespace, scheduling and CPU affinity, the host's os-release; a new PID namespace is a change of its own kind", async () => {
    const before = f.live.current().revision;
    const holder = f.lab.spawn("taskset", ["-c", "0", "nice", "-n", "7", "unshare", "--pid", "--fork", "python3", "-c", "print('ready', flush=True)\nimport time; time.sleep(600)"]);
    await f.lab.waitFor(holder, "ready");
    // unshare forks the namespace's init (PID 1 inside it) and waits for it.
    const initPid = Number(readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, "utf8").trim());
    const inodeOf = (pid: number | string) => Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/pid`))![1]);
    f.rediscover();

    const q = `query($pid: Int) { processes(filter: { pid: $pid }) { nodes { pid scheduling { policy rtPriority nice } cpuAffinity { first last }
      pidNamespace { id inode level parent { inode level } init { pid } processes { pid } } } }
      topology { host { kernelVersion cpusOnline { first last } os { osId versionId prettyName } } pidNamespaces { inode } } }`;
    const d = data(await f.run(q, { pid: initPid }));
    const p = d.processes.nodes[0];
    expect(p.pid).toBe(initPid);
    expect(p.scheduling).toEqual({ policy: "SCHED_NORMAL", rtPriority: 0, nice: 7 });
    expect(p.cpuAffinity).toEqual([{ first: 0, last: 0 }]);
    expect(p.pidNamespace.inode).toBe(inodeOf(initPid));
    expect(p.pidNamespace.parent.inode).toBe(inodeOf("self"));
    expect(p.pidNamespace.level).toBe(p.pidNamespace.parent.level + 1);
    expect(p.pidNamespace.init.pid).toBe(initPid);
    expect(p.pidNamespace.processes.map((x: any) => x.pid)).toEqual([initPid]);
    expect(d.topology.pidNamespaces.map((n: any) => n.inode)).toContain(inodeOf(initPid));

    // The host, against the files themselves.
    const osRelease = Object.fromEntries([...readFileSync("/etc/os-release", "utf8").matchAll(/^([A-Z_]+)="?([^"\n]*)"?$/gm)].map((m) => [m[1], m[2]]));
    expect(d.topology.host.os).toEqual({ osId: osRelease.ID ?? null, versionId: osRelease.VERSION_ID ?? null, prettyName: osRelease.PRETTY_NAME ?? null });
    expect(d.topology.host.kernelVersion).toBe(readFileSync("/proc/version", "utf8").trim());
    const online = readFileSync("/sys/devices/system/cpu/online", "utf8").trim().split(",").map((r) => r.split("-").map(Number));
    expect(d.topology.host.cpusOnline).toEqual(online.map(([a, b]) => ({ first: a, last: b ?? a })));

    // The new PID namespace is a change event of kind PID_NAMESPACE whose node id finds it.
    const diff = data(await f.run(`query($from: Moment!) { diff(from: $from) { entities(first: 1000, filter: { kinds: [PID_NAMESPACE], ops: [ADDED] }) { nodes { kind nodeId } } } }`, { from: before })).diff;
    const added = diff.entities.nodes.find((e: any) => e.nodeId === p.pidNamespace.id);
    expect(added?.kind).toBe("PID_NAMESPACE");
    const node = data(await f.run(`query($id: ID!) { node(id: $id) { ... on PidNamespace { inode } } }`, { id: added.nodeId })).node;
    expect(node.inode).toBe(inodeOf(initPid));
  });

  test("whereIs: owner and path, in the live topology and in the past", async () => {
    const d = data(await f.run(`query($from: String) { whereIs(ip: "${f.ip(2)}", from: $from) { found address owners { interface { name } namespace { key } reached } path { kind namespace { key } egress { name } } end { reason } } }`, { from: f.ns.a })).whereIs;
    expect(d.found).toBe(true);
    expect(d.owners[0]).toEqual({ interface: { name: "vb0" }, namespace: { key: f.keys.b }, reached: true });
    expect(d.end.reason).toBe("DELIVERED");
    expect(d.path[0].namespace.key).toBe(f.keys.a);
    expect(d.path[0].egress.name).toBe("br0");
    const past = data(await f.run(`query($at: Moment) { whereIs(ip: "${f.ip(9)}", at: $at) { found } }`, { at: r1 })).whereIs;
    expect(past.found).toBe(false);
  });

  test("capture targets: every namespace with its interfaces and a URL naming its node id", async () => {
    const d = data(await f.run(`{ captureTargets { target kind name url namespace { key } interfaces { name } } }`)).captureTargets;
    const b = d.find((t: any) => t.namespace.key === f.keys.b && t.kind === "NAMESPACE");
    expect(b.target).toBe(encodeNodeId("NetworkNamespace", f.keys.b));
    expect(b.url).toBe(`http://127.0.0.1:5000/capture?target=${b.target}`);
    expect(b.interfaces.map((i: any) => i.name).sort()).toEqual(["lo", "vb0"]);
    expect(d.length).toBeGreaterThanOrEqual(f.live.current().topology.namespaces.length);
  });

  test("bad ids, times, revisions, addresses and filters get clear errors", async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [`query($id: ID!) { node(id: $id) { id } }`, { id: "!!nope" }, "is not a wiresight node id"],
      [`query($id: ID!) { node(id: $id) { id } }`, { id: encodeNodeId("Banana", "x") }, "names type Banana"],
      [`query($at: Moment) { topology(at: $at) { discoveredAt } }`, { at: "yesterday" }, "is neither a revision number, nor an ISO 8601 time"],
      [`query($at: Moment) { topology(at: $at) { discoveredAt } }`, { at: 999999 }, "no revision 999999"],
      [`query($at: Moment) { topology(at: $at) { discoveredAt } }`, { at: "1990-01-01T00:00:00Z" }, "nothing recorded at or before 1990-01-01"],
      [`query($at: Moment) { topology(at: $at) { discoveredAt } }`, { at: -3 }, "positive integer"],
      [`{ whereIs(ip: "10.1.2.300") { found } }`, {}, "not a valid IP address"],
      [`{ interfaces(filter: { address: "fe80::1/64" }) { totalCount } }`, {}, "is a prefix"],
      [`{ interfaces(filter: { namespace: "no-such-namespace" }) { totalCount } }`, {}, "no namespace 'no-such-namespace'"],
      [`{ sockets(filter: { port: 70000 }) { totalCount } }`, {}, "between 0 and 65535"],
      [`{ interfaces(first: 5000) { totalCount } }`, {}, "first must be between 0 and 1000"],
      [`{ diff(from: 999999) { from } }`, {}, "no revision 999999"],
      [`{ containers(filter: { namespace: "x", name: "y" }) { totalCount } }`, {}, "no namespace 'x'"],
      [`{ interfaces(filter: { container: "nope" }) { totalCount } }`, {}, "no container 'nope'"],
      [`{ interfaces(orderBy: { field: NAME }, after: "WyJLRVkiLCJ4Il0") { totalCount } }`, {}, "the cursor comes from a list ordered by KEY, not by NAME"],
    ];
    for (const [q, v, message] of cases) {
      const r = await f.run(q, v);
      expect(errorsOf(r).join("; ")).toContain(message);
      expect(r.errors![0]!.extensions?.code ?? "GRAPHQL_VALIDATION").toBeDefined();
    }
  });
});
