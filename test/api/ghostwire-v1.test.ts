// `dump --format ghostwire-v1 | mobyshark` (src/api/ghostwire-v1.ts) against Ghostwire's own
// OpenAPI spec, validated with Ajv: a real discovery of a small lab (veth pair across two
// namespaces, a bridge, addresses) must validate and say what the topology says; a hand-built
// Topology pins the mapping of each part (containers, pods, dual-stack ports, routes, relations).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import pkg from "../../package.json" with { type: "json" };
import { toGhostwireDiscovery, toMobysharkTargets, type GwDiscoveryResult, type GwNetns } from "../../src/api/ghostwire-v1.ts";
import { renderer } from "../../src/cli/commands/dump.ts";
import { UsageError } from "../../src/cli/usage-error.ts";
import { discover } from "../../src/discovery/discover.ts";
import { containerKey, engineKey } from "../../src/model/containers.ts";
import { processKey } from "../../src/model/keys.ts";
import { socketKey } from "../../src/model/socket.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Lab, isRoot, requireRoot } from "../helpers/lab.ts";
import { TopologyBuilder } from "../model/build-topology.ts";
import { describeErrors, errorsOf, ghostwireSchemas, ghostwireValidator } from "./openapi-schema.ts";

type Json = any;
const O = { creatorVersion: "9.9.9" };
const validateDiscovery = ghostwireValidator("DiscoveryResult");
const validateTargets = ghostwireValidator("TargetDiscoveryResult");

function expectValid(validate: typeof validateDiscovery, doc: unknown, what: string): void {
  const errors = errorsOf(validate, JSON.parse(JSON.stringify(doc)));
  if (errors.length > 0) throw new Error(`${what} does not match the Ghostwire spec:\n${describeErrors(errors)}`);
}

describe("the Ghostwire spec as JSON Schema", () => {
  test("converts and compiles, and rejects what it should (so validation is not vacuous)", () => {
    const { defs } = ghostwireSchemas();
    expect(Object.keys(defs)).toContain("Netns");
    const doc: Json = JSON.parse(JSON.stringify(toGhostwireDiscovery(handBuilt(), O)));
    expect(errorsOf(validateDiscovery, doc)).toEqual([]);
    const broken = structuredClone(doc);
    delete broken["network-namespaces"][0].netnsid;
    expect(errorsOf(validateDiscovery, broken).some((e) => e.keyword === "required")).toBe(true);
    const badMac = structuredClone(doc);
    badMac["network-namespaces"][0]["network-interfaces"][0].addresses.mac = "nope";
    expect(errorsOf(validateDiscovery, badMac).some((e) => e.keyword === "pattern")).toBe(true);
    const badPort = structuredClone(doc);
    badPort["network-namespaces"][1]["transport-ports"].ipv6[0]["local-port"] = 0;
    expect(errorsOf(validateDiscovery, badPort).some((e) => e.keyword === "minimum")).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-built: host with a bridge and a veth whose peer is in a container's namespace; the
// container namespace holds two containers of one Kubernetes pod, plus a compose container
// elsewhere is left ungrouped; a dual-stack listener owned by the container's init.

const BOOT = "00000000-0000-0000-0000-000000000000";

function handBuilt(): Topology {
  const b = new TopologyBuilder();
  const host = b.ns("initial", { initial: true });
  const ctr = b.ns("pod");
  const [vh, vc] = b.veth(host, "vethabc", ctr, "eth0", [], ["172.17.0.2/16"]);
  vh.mac = "5a:c1:fd:e9:20:1d";
  const br = b.bridge(host, "docker0", [vh], ["172.17.0.1/16"]);
  b.route(host, "172.17.0.0/16", { dev: br });
  b.route(ctr, "default", { dev: vc, via: "172.17.0.1" });
  b.route(ctr, "2001:db8::/64", { dev: vc });
  b.route(host, "192.0.2.0/24", { type: "blackhole" });
  const t = b.build();
  const init = processKey(BOOT, 4242, 777);
  const side = processKey(BOOT, 4300, 800);
  const daemon = processKey(BOOT, 900, 100);
  t.processes.push(
    { key: daemon, pid: 900, ppid: 1, comm: "dockerd", cmdline: ["/usr/bin/dockerd", "-H", "fd://"], startTime: 100, uid: 0, netns: host.key },
    { key: init, pid: 4242, ppid: 1, comm: "nginx", cmdline: ["nginx", "-g", "daemon off;"], startTime: 777, uid: 0, netns: ctr.key },
    { key: side, pid: 4300, ppid: 1, comm: "envoy", cmdline: ["envoy"], startTime: 800, uid: 0, netns: ctr.key },
  );
  const noDns = { utsHostname: null, utsDomainname: null, hostname: null, domainname: null, hosts: null, resolver: null };
  host.tenants.push({ kind: "process", process: daemon, container: null, pid: 900, comm: "dockerd", oldest: true, boundingCapabilities: null, dns: noDns });
  ctr.tenants.push({
    kind: "container",
    process: init,
    container: containerKey("docker", "a".repeat(64)),
    pid: 4242,
    comm: "nginx",
    oldest: true,
    boundingCapabilities: ["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
    dns: {
      utsHostname: "web",
      utsDomainname: "(none)",
      hostname: "web",
      domainname: null,
      hosts: [{ name: "localhost", addresses: ["127.0.0.1", "::1"] }],
      resolver: { nameservers: ["192.0.2.53"], search: ["lab.example"], options: [] },
    },
  });
  const engine = engineKey("docker", daemon);
  t.engines.push({ key: engine, kind: "docker", process: daemon, pid: 900, sockets: ["/run/docker.sock"], apiSocket: "/proc/900/root/run/docker.sock", apiVersion: "1.43", server: "Docker/24", status: "ok", containerdNamespaces: [], cri: false });
  const pod = { kind: "kubernetes-pod" as const, namespace: "default", name: "web-0" };
  const mk = (id: string, name: string, proc: string, pid: number, state: string, groups: Topology["containers"][number]["groups"]) => ({
    key: containerKey("docker", id),
    engine,
    id,
    name,
    image: "nginx",
    state,
    enginePid: pid,
    process: proc,
    netns: ctr.key,
    labels: { "io.kubernetes.pod.name": "web-0" },
    privileged: false,
    groups,
    networks: [],
    containerdNamespace: null,
    pod: null,
  });
  const c1 = mk("a".repeat(64), "web", init, 4242, "running", [pod, { kind: "compose-project", name: "shop" }]);
  const c2 = mk("b".repeat(64), "sidecar", side, 4300, "paused", [pod]);
  t.containers.push(c1, c2);
  ctr.containers.push(c1.key, c2.key);
  ctr.sockets.push({
    key: socketKey(ctr.key, "77"),
    netns: ctr.key,
    cookie: "77",
    family: "ipv6",
    protocol: "tcp",
    localAddress: "::",
    localPort: 80,
    remoteAddress: "::",
    remotePort: 0,
    state: "LISTEN",
    simpleState: "listening",
    inode: 1,
    uid: 0,
    v6only: false,
    dualStack: true,
    boundInterface: null,
    interfaces: [vc.key],
    processes: [init],
    service: "http",
  });
  return t;
}

describe("hand-built topology → Ghostwire", () => {
  const t = handBuilt();
  const doc = toGhostwireDiscovery(t, O);
  const [host, pod] = doc["network-namespaces"] as [GwNetns, GwNetns];
  const nif = (ns: GwNetns, name: string) => ns["network-interfaces"].find((i) => i.name === name)!;

  test("validates, both documents", () => {
    expectValid(validateDiscovery, doc, "/json");
    expectValid(validateTargets, toMobysharkTargets(t, O), "/mobyshark");
  });

  test("metadata and namespaces", () => {
    expect(doc.metadata).toEqual({ "creation-timestamp": t.discoveredAt, creator: "wiresight 9.9.9", "creator-id": "wiresight", "creator-version": "9.9.9", hostname: "test" });
    expect(doc["network-namespaces"].map((n) => n.netnsid)).toEqual(t.namespaces.map((n) => n.inode));
    expect(host.id).toBe(`netns-${t.namespaces[0]!.inode}`);
    expect(doc["pid-namespaces"]).toEqual([]);
  });

  test("interfaces: kinds, veth peers across namespaces, bridge master and slaves, addresses", () => {
    expect(nif(host, "lo").kind).toBe("");
    expect(nif(host, "lo").addresses.ipv4[0]).toEqual({ address: "127.0.0.1", family: 2, index: 1, "preferred-lifetime": 0xffffffff, prefixlen: 8, scope: 0, "valid-lifetime": 0xffffffff });
    const vh = nif(host, "vethabc");
    const eth0 = nif(pod, "eth0");
    expect(vh.kind).toBe("veth");
    expect(vh.addresses.mac).toBe("5a:c1:fd:e9:20:1d");
    expect(eth0.addresses.mac).toBe("00:00:00:00:00:00"); // none known
    expect(vh.peer).toEqual({ "peer-idref": eth0.id, "peer-name": "eth0", "peer-index": eth0.index });
    expect(eth0.peer).toEqual({ "peer-idref": vh.id, "peer-name": "vethabc", "peer-index": vh.index });
    const br = nif(host, "docker0");
    expect(vh.master).toEqual({ idref: br.id, name: "docker0", index: br.index });
    expect(br.slaves).toEqual([{ idref: vh.id, name: "vethabc", index: vh.index }]);
    expect(br.kind).toBe("bridge");
    expect(eth0.addresses.ipv4.map((a) => `${a.address}/${a.prefixlen}`)).toEqual(["172.17.0.2/16"]);
  });

  test("routes: families split, default destination, gateway, blackhole without interface", () => {
    const def = pod.routes.ipv4.find((r) => r["destination-prefixlen"] === 0)!;
    expect(def).toMatchObject({ destination: "0.0.0.0", nexthop: "172.17.0.1", "network-interface-idref": nif(pod, "eth0").id, family: 2, table: 254, type: "unicast", preference: "00" });
    expect(pod.routes.ipv6.map((r) => r.destination)).toEqual(["2001:db8::"]);
    const bh = host.routes.ipv4.find((r) => r.type === "blackhole")!;
    expect(bh).toMatchObject({ index: 0, "network-interface-idref": "" });
    expect(bh.nexthop).toBeUndefined();
  });

  test("containers: names, types, status, pod group; dual-stack port with its container owner", () => {
    const [web, sidecar] = pod.containers;
    expect(pod.containers.map((c) => [c.name, c.type, c.status, c.pid])).toEqual([
      ["web", "docker", "running", 4242],
      ["sidecar", "docker", "paused", 4300],
    ]);
    expect(web!.cmdline).toBe("nginx -g daemon off;");
    expect(web!.capbnd).toBe("0000000000002401"); // bits 0, 10, 13
    expect(sidecar!.capbnd).toBeUndefined(); // not a tenant: its bounding set was not read
    expect(web!["api-path"]).toBe("/proc/900/root/run/docker.sock");
    expect(web!.dns).toEqual({ "uts-hostname": "web", "etc-hostname": "web", nameservers: ["192.0.2.53"], searchlist: ["lab.example"], "etc-hosts": [{ name: "localhost", address: "127.0.0.1" }, { name: "localhost", address: "::1" }] });
    expect(pod["container-groups"]).toEqual([{ id: web!.group!, name: "default/web-0", type: "pod", "type-text": "Kubernetes pod", "container-idrefs": [web!.id, sidecar!.id] }]);
    expect(sidecar!.group).toBe(web!.group!);
    // Compose projects share no namespace: not a v1 group (the label stays).
    expect(pod["container-groups"].some((g) => g.name === "shop")).toBe(false);
    // The daemon is a stand-alone process of the host namespace.
    expect(host.containers.map((c) => [c.name, c.type, c.pid])).toEqual([["dockerd", "proc", 900]]);
    const [v6] = pod["transport-ports"].ipv6;
    const [v4] = pod["transport-ports"].ipv4;
    expect(v6).toMatchObject({ family: 10, protocol: "tcp", "local-address": "::", "local-port": 80, state: "listening", macrostate: "listening", "local-servicename": "http" });
    expect(v6!.owners).toEqual([{ pid: 4242, cmdline: "nginx -g daemon off;", "container-idref": web!.id }]);
    expect(v6!["network-interface-idrefs"]).toEqual([nif(pod, "eth0").id]);
    expect(v4).toMatchObject({ family: 2, "local-address": "0.0.0.0", "local-port": 80 }); // synthetic, as Ghostwire adds
  });

  test("mobyshark: one target per container and stand-alone process, with its namespace's interfaces", () => {
    const targets = toMobysharkTargets(t, O).containers;
    expect(targets.map((x) => [x.name, x.type, x.pid, x.starttime])).toEqual([
      ["dockerd", "proc", 900, 100],
      ["sidecar", "docker", 4300, 800],
      ["web", "docker", 4242, 777],
    ]);
    expect(targets.find((x) => x.name === "web")!).toMatchObject({ netns: t.namespaces[1]!.inode, "network-interfaces": ["lo", "eth0"] });
  });
});

describe("dump --format", () => {
  test("an unknown format is a usage error naming the valid ones", () => {
    expect(() => renderer("ghostwire")).toThrow(UsageError);
    expect(() => renderer("toString")).toThrow("wiresight, ghostwire-v1, mobyshark, dot, mermaid");
    const t = handBuilt();
    expect(renderer("wiresight")(t)).toBe(t);
    expect(renderer("ghostwire-v1")(t)).toEqual(toGhostwireDiscovery(t, { creatorVersion: pkg.version }));
    expect(renderer("mobyshark")(t)).toEqual(toMobysharkTargets(t, { creatorVersion: pkg.version }));
  });
});

// ---------------------------------------------------------------------------------------------
// A real discovery of a lab: a and b joined by a veth pair, a bridge in a with the veth end as
// its port and an address on it.

describe("real discovery → Ghostwire", () => {
  const lab = new Lab();
  let topology: Topology;
  let doc: GwDiscoveryResult;
  let inodes: { a: number; b: number };

  beforeAll(() => {
    if (!isRoot) return;
    const a = lab.netns("a");
    const b = lab.netns("b");
    lab.ip(a, "link", "add", "gw0", "type", "veth", "peer", "name", "gw1", "netns", b);
    lab.ip(a, "link", "add", "gwbr", "type", "bridge");
    lab.ip(a, "link", "set", "gw0", "master", "gwbr");
    lab.ip(a, "addr", "add", "10.77.0.1/24", "dev", "gwbr");
    lab.ip(b, "addr", "add", "10.77.0.2/24", "dev", "gw1");
    for (const [ns, dev] of [[a, "gw0"], [a, "gwbr"], [b, "gw1"]] as const) lab.ip(ns, "link", "set", dev, "up");
    inodes = { a: statSync(`/run/netns/${a}`).ino, b: statSync(`/run/netns/${b}`).ino };
    topology = discover();
    doc = toGhostwireDiscovery(topology, O);
  });
  afterAll(() => lab.cleanup());

  test("validates against the spec, /json and /mobyshark", () => {
    if (!requireRoot()) return;
    expectValid(validateDiscovery, doc, "/json of this host");
    const targets = toMobysharkTargets(topology, O);
    expectValid(validateTargets, targets, "/mobyshark of this host");
    // Bind-mounted lab namespaces are targets under their path.
    expect(targets.containers.filter((c) => c.netns === inodes.a).map((c) => [c.type, c.name])).toEqual([["bindmount", `/run/netns/${lab.prefix}-a`]]);
  });

  test("says what the topology says: namespaces, interfaces, veth peers, bridge, addresses", () => {
    if (!requireRoot()) return;
    expect(doc["network-namespaces"].length).toBe(topology.namespaces.length);
    for (const [n, ns] of topology.namespaces.entries()) {
      const gw = doc["network-namespaces"][n]!;
      expect(gw.netnsid).toBe(ns.inode);
      expect(gw["network-interfaces"].map((i) => i.name)).toEqual(ns.interfaces.map((i) => i.name));
      expect(gw.routes.ipv4.length + gw.routes.ipv6.length).toBe(ns.routes.length);
      expect(gw.containers.length).toBeGreaterThanOrEqual(ns.containers.length);
    }
    const a = doc["network-namespaces"].find((n) => n.netnsid === inodes.a)!;
    const b = doc["network-namespaces"].find((n) => n.netnsid === inodes.b)!;
    expect(a["network-interfaces"].map((i) => i.name).sort()).toEqual(["gw0", "gwbr", "lo"]);
    const gw0 = a["network-interfaces"].find((i) => i.name === "gw0")!;
    const gw1 = b["network-interfaces"].find((i) => i.name === "gw1")!;
    const br = a["network-interfaces"].find((i) => i.name === "gwbr")!;
    expect(gw0.peer).toEqual({ "peer-idref": gw1.id, "peer-name": "gw1", "peer-index": gw1.index });
    expect(gw1.peer!["peer-idref"]).toBe(gw0.id);
    expect(gw0.master!.idref).toBe(br.id);
    expect(br.slaves!.map((s) => s.idref)).toEqual([gw0.id]);
    expect(br.addresses.ipv4.map((x) => `${x.address}/${x.prefixlen}`)).toEqual(["10.77.0.1/24"]);
    expect(br.kind).toBe("bridge");
    // Every idref points at an interface in the document.
    const ids = new Set(doc["network-namespaces"].flatMap((n) => n["network-interfaces"].map((i) => i.id)));
    const dangling = doc["network-namespaces"].flatMap((n) =>
      n["network-interfaces"].flatMap((i) => [i.peer?.["peer-idref"], i.master?.idref, ...(i.slaves ?? []).map((s) => s.idref)].filter((x) => x !== undefined && !ids.has(x))),
    );
    expect(dangling).toEqual([]);
    // Bounding sets as /proc says them, for the stand-alone processes.
    const procs = doc["network-namespaces"].flatMap((n) => n.containers.filter((c) => c.type === "proc" && c.capbnd !== undefined));
    expect(procs.length).toBeGreaterThan(0);
    for (const c of procs) {
      let status: string;
      try {
        status = readFileSync(`/proc/${c.pid}/status`, "utf8");
      } catch {
        continue; // exited since discovery
      }
      expect(c.capbnd).toBe(/^CapBnd:\s*([0-9a-f]+)$/m.exec(status)![1]!);
    }
    // Container names, where an engine runs here.
    const names = doc["network-namespaces"].flatMap((n) => n.containers.filter((c) => c.type !== "proc" && c.type !== "bindmount").map((c) => c.name));
    expect(names.sort()).toEqual(topology.containers.filter((c) => c.netns !== null).map((c) => c.name).sort());
  });
});

test("src/api imports only src/model and does no I/O (a pure view of a Topology)", () => {
  const root = new URL("../../src/api/", import.meta.url).pathname;
  const problems: string[] = [];
  for (const name of readdirSync(root).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(`${root}${name}`, "utf8");
    for (const [, spec] of text.matchAll(/(?:import|export)[^"';]*?from\s*["']([^"']+)["']/g))
      if (!spec!.startsWith("../model/")) problems.push(`${name}: imports ${spec}`);
    for (const [m] of text.matchAll(/\b(?:require\(|import\(|Bun\.|process\.|Deno\.)/g)) problems.push(`${name}: uses ${m}`);
  }
  expect(problems).toEqual([]);
});
