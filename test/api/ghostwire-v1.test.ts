// `dump --format ghostwire-v1 | mobyshark` (src/api/ghostwire-v1.ts) against Ghostwire's own
// OpenAPI spec (validated with Ajv) and the Ghostwire UI's own model code (parser.cjs): a
// hand-built Topology pins the mapping of every field as Ghostwire's Go code writes it; a real
// discovery of a lab (veth pair, bridge, vxlan, macvlan, a tap held by a process in a PID
// namespace of its own) must validate, parse in the UI and say what the kernel says.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import {
  LABEL_DEFAULT_BRIDGE,
  LABEL_INTERNAL_BRIDGE,
  LABEL_NETWORK_NAME,
  LABEL_PRIVILEGED,
  toGhostwireDiscovery,
  toMobysharkTargets,
  type GwContainer,
  type GwDiscoveryResult,
  type GwNetns,
} from "../../src/api/ghostwire-v1.ts";
import { renderer } from "../../src/cli/commands/dump.ts";
import { UsageError } from "../../src/cli/usage-error.ts";
import { discover } from "../../src/discovery/discover.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Lab, isRoot, requireRoot, sh } from "../helpers/lab.ts";
import { tapHolderBinary } from "../helpers/tap-holder.ts";
import { fromjson } from "../helpers/ghostwire-ui.ts";
import { handBuilt, pk } from "./ghostwire-topology.ts";
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
// Hand-built (ghostwire-topology.ts): every field, checked as Ghostwire writes it and as the
// Ghostwire UI's own parser (parser.cjs, its model code) reads it.

describe("hand-built topology → Ghostwire", () => {
  const t = handBuilt();
  const doc = toGhostwireDiscovery(t, O);
  const ns = (name: string) => doc["network-namespaces"][t.namespaces.findIndex((n) => n.displayName === name)]!;
  const host = ns("initial");
  const pod = ns("pod");
  const shop = ns("shop");
  const nif = (n: GwNetns, name: string) => n["network-interfaces"].find((i) => i.name === name)!;
  const ui = fromjson(JSON.parse(JSON.stringify(doc)));
  const uiNif = (n: GwNetns, name: string) => ui.networkNamespaces[n.netnsid].nifs.find((i: Json) => i.name === name);

  test("validates, both documents; the UI's parser takes it", () => {
    expectValid(validateDiscovery, doc, "/json");
    expectValid(validateTargets, toMobysharkTargets(t, O), "/mobyshark");
    expect(Object.keys(ui.networkNamespaces).map(Number).sort()).toEqual(t.namespaces.map((n) => n.inode).sort());
  });

  test("metadata: creator, host, OS release, kernel version, CPUs, container engines", () => {
    expect(doc.metadata).toEqual({
      "creation-timestamp": t.discoveredAt,
      creator: "wiresight 9.9.9",
      "creator-id": "wiresight",
      "creator-version": "9.9.9",
      hostname: "test",
      "osrel-name": "Debian GNU/Linux",
      "osrel-version": "12 (bookworm)",
      "kernel-version": t.host.kernelVersion!,
      cpus: [[0, 3]],
      "container-engines": [{ id: "ABCD:EFGH", type: "docker.com", version: "24.0.7", pid: 900 }],
    });
  });

  test("interfaces: kinds as Ghostwire says them, driver info, addresses, veth peers, bridge ports", () => {
    expect(nif(host, "lo").kind).toBe("");
    expect(nif(host, "lo").driverinfo).toEqual({ driver: "" });
    expect(nif(host, "lo").addresses.ipv4[0]).toEqual({ address: "127.0.0.1", family: 2, index: 1, "preferred-lifetime": 0xffffffff, prefixlen: 8, scope: 0, "valid-lifetime": 0xffffffff });
    const eth0 = nif(host, "eth0");
    expect(eth0).toMatchObject({ kind: "", physical: true, driverinfo: { driver: "ixgbe", version: "5.1.0-k", fwversion: "0x800003e2", businfo: "0000:03:00.0" } });
    const vh = nif(host, "vethabc");
    const vc = nif(pod, "eth0");
    expect(vh.kind).toBe("veth");
    expect(vh.peer).toEqual({ "peer-idref": vc.id, "peer-name": "eth0", "peer-index": vc.index });
    expect(vc.addresses.mac).toBe("00:00:00:00:00:00"); // none known
    const br = nif(host, "br-0123456789ab");
    expect(vh.master).toEqual({ idref: br.id, name: br.name, index: br.index });
    expect(br.slaves!.map((s) => s.name)).toEqual(["vethabc", "vethdef"]);
    expect(uiNif(pod, "eth0").peer.master.name).toBe(br.name);
  });

  test("container network bridges: alias and Ghostwire's network, internal and default-bridge labels", () => {
    const br = nif(host, "br-0123456789ab");
    expect(br.alias).toBe("shopnet");
    expect(br.labels).toEqual({ "com.example.team": "web", [LABEL_NETWORK_NAME]: "shopnet", [LABEL_INTERNAL_BRIDGE]: "true" });
    expect(nif(host, "docker0").labels).toEqual({ [LABEL_NETWORK_NAME]: "bridge", [LABEL_DEFAULT_BRIDGE]: "true" });
    expect(nif(host, "tap0").labels).toBeUndefined();
  });

  test("tap: kind tuntap, its mode and the process serving it, as the UI resolves it", () => {
    const tap = nif(host, "tap0");
    expect(tap.kind).toBe("tuntap");
    expect(tap.tuntap).toEqual({ mode: "tap", processors: [{ pid: 950, cmdline: "qemu -netdev tap,ifname=tap0", "container-idref": "cont-950" }] });
    const u = uiNif(host, "tap0");
    expect(u.tuntapDetails.mode).toBe("tap");
    expect(u.tuntapDetails.processors[0].containee.name).toBe("qemu(950)");
  });

  test("vxlan: VNI, underlay, ports, remote and source; listed once in the UI (as overlay, not slave)", () => {
    const vx = nif(host, "vx42");
    const eth0 = nif(host, "eth0");
    expect(vx.vxlan).toEqual({
      idref: eth0.id,
      vid: 42,
      "arp-proxy": false,
      source: { source_ipv4: "192.0.2.10" },
      "source-portrange": { low: 32768, high: 61000 },
      remote: { remote_ipv4: "192.0.2.20" },
      "remote-port": 4789,
    });
    const u = uiNif(host, "vx42");
    expect(u.vxlanDetails).toEqual({ vid: 42, arpProxy: false, remotePort: 4789, sourcePortLow: 32768, sourcePortHigh: 61000 });
    expect(u.underlay.name).toBe("eth0");
    const ueth0 = uiNif(host, "eth0");
    expect(ueth0.overlays.map((o: Json) => o.name)).toEqual(["vx42"]);
    expect(ueth0.slaves.map((o: Json) => o.name)).not.toContain("vx42");
  });

  test("vlan, macvlan, SR-IOV: lower device as master / macvlan, slaves, roles and the PF", () => {
    const eth0 = nif(host, "eth0");
    const vlan = nif(host, "eth0.7");
    expect(vlan.vlan).toEqual({ vid: 7, "vlan-protocol": 0x88a8 });
    expect(vlan.master!.idref).toBe(eth0.id);
    const mv = nif(pod, "mv0");
    expect(mv.macvlan!.idref).toBe(eth0.id);
    expect(mv.master).toBeUndefined();
    expect(eth0.macvlans!.map((r) => r.name)).toEqual(["mv0"]);
    expect(eth0.slaves!.map((r) => r.name)).toEqual(["eth0.7", "vx42", "net1"]);
    expect(eth0["sr-iov-role"]).toBe(1);
    const vf = nif(pod, "net1");
    expect(vf["sr-iov-role"]).toBe(2);
    expect(vf.pf!.idref).toBe(eth0.id);
    expect(uiNif(pod, "net1").pf.name).toBe("eth0");
    expect(uiNif(pod, "mv0").macvlan.name).toBe("eth0");
  });

  test("routes: main and local tables, next-hop (the UI's gateway), blackhole without interface", () => {
    const def = host.routes.ipv4.find((r) => r["destination-prefixlen"] === 0)!;
    expect(def).toMatchObject({ destination: "0.0.0.0", "next-hop": "192.0.2.1", "network-interface-idref": nif(host, "eth0").id, family: 2, table: 254, type: "unicast", preference: "00" });
    expect(host.routes.ipv4.map((r) => r.table).sort()).toEqual([254, 254, 254, 254, 255]); // not table 100
    const bh = host.routes.ipv4.find((r) => r.type === "blackhole")!;
    expect(bh).toMatchObject({ index: 0, "network-interface-idref": "" });
    expect(bh["next-hop"]).toBeUndefined();
    expect(pod.routes.ipv6.map((r) => r.destination)).toEqual(["2001:db8::"]);
    const gateways = ui.networkNamespaces[pod.netnsid].routes.filter((r: Json) => r.nexthop).map((r: Json) => [r.nexthop, r.nif.name]);
    expect(gateways).toEqual([["172.17.0.1", "eth0"]]);
  });

  test("containers: cont-<PID> ids, 0x capbnd, DNS and cmdline always, labels, pods, scheduling, PID namespaces", () => {
    expect(pod.containers.map((c) => [c.id, c.name, c.type, c["type-text"], c.status, c.pid])).toEqual([
      ["cont-4242", "web", "docker", "Docker", "running", 4242],
      ["cont-4300", "sidecar", "docker", "Docker", "paused", 4300],
    ]);
    const [web, side] = pod.containers as [GwContainer, GwContainer];
    expect(web).toMatchObject({ cmdline: "nginx -g daemon off;", capbnd: "0x0000000000002401", "api-path": "/proc/900/root/run/docker.sock", prefix: "" });
    expect(web).toMatchObject({ pidns: 4026532200, "pidns-idref": "pidns-4026532200", affinity: [[0, 3]], policy: 0, priority: 0, nice: 5 });
    expect(web.dns).toEqual({
      "uts-hostname": "web",
      "etc-hostname": "web",
      domainname: "",
      nameservers: ["192.0.2.53"],
      searchlist: ["lab.example"],
      "etc-hosts": [{ name: "localhost", address: "127.0.0.1" }, { name: "localhost", address: "::1" }],
    });
    expect(pod["container-groups"]).toEqual([{ id: web.group, name: "default/web-0", type: "pod", "type-text": "Pod", "container-idrefs": ["cont-4242", "cont-4300"] }]);
    expect(side.group).toBe(web.group);
    expect(web.group).toMatch(/^group-\d+$/);
    const [app] = shop.containers as [GwContainer];
    expect(app.labels).toEqual({ "com.docker.compose.project": "shop", "com.docker.compose.service": "app", [LABEL_PRIVILEGED]: "" });
    expect(app).toMatchObject({ group: "", policy: 1, priority: 50, nice: 0, affinity: [[1, 1], [3, 3]] });
    expect(shop["container-groups"]).toEqual([]);
    // kthreadd is no tenant; a process without a readable bounding set is "0x0"; DNS is always there.
    expect(host.containers.map((c) => [c.id, c.name, c.type, c["type-text"], c.capbnd])).toEqual([
      ["cont-1", "systemd(1)", "proc", "Process", "0x0000000000200001"],
      ["cont-900", "dockerd(900)", "proc", "Process", "0x0"],
      ["cont-950", "qemu(950)", "proc", "Process", "0x0000000000001000"],
    ]);
    expect(host.containers[1]!.dns).toEqual({ "uts-hostname": "", "etc-hostname": "", domainname: "", nameservers: [], searchlist: [], "etc-hosts": [] });
    const bare = ns("bare");
    expect(bare.containers).toEqual([
      expect.objectContaining({ id: `bmnt-${bare.netnsid}`, name: "/run/netns/bare", type: "bindmount", "type-text": "Bind-mounted", pid: 0, cmdline: "" }),
    ]);
    const uiWeb = ui.networkNamespaces[pod.netnsid].containers.find((c: Json) => c.name === "web");
    expect(uiWeb.ealdorman).toMatchObject({ pid: 4242, pidnsid: 4026532200, nice: 5, policy: 0 });
    expect(uiWeb.ealdorman.capbnd.toString()).toBe(String(0x2401));
  });

  test("PID namespaces: one tree from the root, with the containers leading each", () => {
    expect(doc["pid-namespaces"]).toEqual([
      {
        id: "pidns-4026531836",
        pidnsid: 4026531836,
        "container-idrefs": [], // the sidecar lives in the host's PID namespace but does not lead it
        children: [
          { id: "pidns-4026532200", pidnsid: 4026532200, children: [], "container-idrefs": ["cont-4242"] },
          { id: "pidns-4026532300", pidnsid: 4026532300, children: [], "container-idrefs": ["cont-5000"] },
        ],
      },
    ]);
  });

  test("transport ports: Ghostwire's state words, service names, owners' containees, synthetic IPv4", () => {
    const ports = pod["transport-ports"];
    const listen6 = ports.ipv6.find((p) => p["local-port"] === 80 && p.macrostate === "listening")!;
    expect(listen6).toMatchObject({ family: 10, protocol: "tcp", "local-address": "::", state: "listening", "local-servicename": "http", "remote-servicename": "" });
    // The worker is no tenant: its containee is the nginx master that leads the namespace.
    expect(listen6.owners).toEqual([{ pid: 4243, cmdline: "nginx: worker process", "container-idref": "cont-4242" }]);
    expect(listen6["network-interface-idrefs"]).toEqual([nif(pod, "eth0").id]);
    const conn = ports.ipv4.find((p) => p["local-port"] === 41000)!;
    expect(conn).toMatchObject({ state: "connected", macrostate: "connected", "remote-address": "192.0.2.53", "remote-port": 443, "remote-servicename": "https" });
    expect(ports.ipv4.find((p) => p["local-port"] === 5353)).toMatchObject({ protocol: "udp", state: "closed", macrostate: "listening" });
    // Synthetic IPv4 entries: the dual-stack listener on 0.0.0.0, the v4-mapped connection on its address.
    expect(ports.ipv4.filter((p) => p["local-port"] === 80).map((p) => [p["local-address"], p["remote-address"], p.state])).toEqual([
      ["0.0.0.0", "0.0.0.0", "listening"],
      ["172.17.0.2", "172.17.0.9", "connected"],
    ]);
    // A TCP state Ghostwire has no word for: not listed.
    expect(ports.ipv4.some((p) => p["local-port"] === 41001)).toBe(false);
    const uiPorts = ui.networkNamespaces[pod.netnsid].transportPorts;
    expect(uiPorts.find((p: Json) => p.localPort === 80 && p.users[0]).users[0].containee.name).toBe("web");
  });

  test("forwarded ports: always present, the destination's namespace and listeners", () => {
    expect(pod["forwarded-ports"]).toEqual({ ipv4: [], ipv6: [] });
    expect(host["forwarded-ports"].ipv4).toEqual([
      {
        family: 2,
        protocol: "tcp",
        ip: "0.0.0.0",
        port: 8080,
        servicename: "",
        "forward-ip": "172.17.0.2",
        "forward-port": 80,
        "forward-servicename": "http",
        netnsid: pod.netnsid,
        owners: [{ pid: 4243, cmdline: "nginx: worker process", "container-idref": "cont-4242" }],
        "network-interface-refs": [nif(pod, "eth0").id],
      },
    ]);
    const fw = ui.networkNamespaces[host.netnsid].forwardedPorts[0];
    expect(fw.netns.netnsid).toBe(pod.netnsid);
    expect(fw.users[0].containee.name).toBe("web");
  });

  test("a forwarded port served from under a shell: no containee, so the UI can draw it (its shell icon would blank the page)", () => {
    const t2 = handBuilt();
    const lab = t2.namespaces.find((n) => n.displayName === "bare")!;
    const sh = { ...t2.processes.find((p) => p.pid === 950)!, key: pk(970, 300), pid: 970, ppid: 1, comm: "sh", cmdline: ["sh", "-c", "nc -l -p 80; true"], startTime: 300, netns: lab.key };
    const nc = { ...sh, key: pk(971, 301), pid: 971, ppid: 970, comm: "nc", cmdline: ["nc", "-l", "-p", "80"], startTime: 301 };
    t2.processes.push(sh, nc);
    lab.tenants.push({ kind: "process", process: sh.key, container: null, pid: 970, comm: "sh", oldest: true, boundingCapabilities: null, dns: t2.namespaces[1]!.tenants[0]!.dns });
    const listener = { ...t2.namespaces[1]!.sockets[0]!, key: `${lab.key}/sock:90`, netns: lab.key, processes: [nc.key], dualStack: false, family: "ipv4" as const, localAddress: "0.0.0.0" };
    lab.sockets.push(listener);
    t2.forwardedPorts.push({ ...t2.forwardedPorts[0]!, key: `${t2.namespaces[0]!.key}/fwd:tcp:*:8081>10.0.9.2:80`, hostPorts: { first: 8081, last: 8081 }, destinationAddress: "10.0.9.2", destinationNetns: lab.key, destinationInterface: null, listeners: [listener.key] });
    const d = toGhostwireDiscovery(t2, O);
    const fw = d["network-namespaces"][0]!["forwarded-ports"].ipv4.find((f) => f.port === 8081)!;
    expect(fw.owners).toEqual([{ pid: 971, cmdline: "nc -l -p 80" }]);
    // Elsewhere the shell is the owner's containee as Ghostwire says it.
    const port = d["network-namespaces"].find((n) => n.netnsid === lab.inode)!["transport-ports"].ipv4[0]!;
    expect(port.owners).toEqual([{ pid: 971, cmdline: "nc -l -p 80", "container-idref": "cont-970" }]);
    expect(fromjson(JSON.parse(JSON.stringify(d))).networkNamespaces[d["network-namespaces"][0]!.netnsid].forwardedPorts.find((f: Json) => f.port === 8081).users[0].containee).toBeUndefined();
  });

  test("mobyshark: one target per pod, container, process or bind mount; interfaces that are not DOWN", () => {
    const targets = toMobysharkTargets(t, O).containers;
    expect(targets.map((x) => [x.name, x.type, x.pid, x.starttime, x.prefix])).toEqual([
      ["/run/netns/bare", "bindmount", 0, 0, ""],
      ["default/web-0", "pod", 4242, 777, ""],
      ["dockerd(900)", "proc", 900, 100, ""],
      ["qemu(950)", "proc", 950, 150, ""],
      ["shop-app-1", "docker", 5000, 900, ""],
      ["systemd(1)", "proc", 1, 10, ""],
    ]);
    expect(targets.find((x) => x.name === "systemd(1)")!["network-interfaces"]).not.toContain("docker0");
    expect(targets.find((x) => x.type === "pod")).toMatchObject({ netns: pod.netnsid, "network-interfaces": ["lo", "net1", "eth0", "mv0"] });
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
// its port and an address on it; a vxlan on b's veth end; a macvlan in a on a second veth; a tap
// in b held by a process; that process in a PID namespace of its own (unshare --pid --fork).

describe("real discovery → Ghostwire", () => {
  const lab = new Lab();
  let topology: Topology;
  let doc: GwDiscoveryResult;
  let inodes: { a: number; b: number };
  let holder = 0;
  const nsOf = (inode: number) => doc["network-namespaces"].find((n) => n.netnsid === inode)!;
  const nifIn = (inode: number, name: string) => nsOf(inode)["network-interfaces"].find((i) => i.name === name)!;

  beforeAll(async () => {
    if (!isRoot) return;
    const a = lab.netns("a");
    const b = lab.netns("b");
    lab.ip(a, "link", "add", "gw0", "type", "veth", "peer", "name", "gw1", "netns", b);
    lab.ip(a, "link", "add", "gwbr", "type", "bridge");
    lab.ip(a, "link", "set", "gw0", "master", "gwbr");
    lab.ip(a, "addr", "add", "10.77.0.1/24", "dev", "gwbr");
    lab.ip(b, "addr", "add", "10.77.0.2/24", "dev", "gw1");
    lab.ip(b, "link", "add", "gwvx", "type", "vxlan", "id", "4242", "remote", "10.77.0.1", "local", "10.77.0.2", "dstport", "4789", "dev", "gw1");
    lab.ip(a, "link", "add", "mvl0", "type", "veth", "peer", "name", "mvl1");
    lab.ip(a, "link", "add", "gwmv", "link", "mvl0", "type", "macvlan", "mode", "bridge");
    for (const [ns, dev] of [[a, "gw0"], [a, "gwbr"], [b, "gw1"], [b, "gwvx"], [a, "mvl0"], [a, "mvl1"], [a, "gwmv"]] as const) lab.ip(ns, "link", "set", dev, "up");
    const child = lab.spawn("ip", ["netns", "exec", b, "unshare", "--pid", "--fork", "--kill-child", tapHolderBinary(lab), "gwtap"]);
    await lab.waitFor(child, "ready");
    // `ip netns exec` execs unshare, which forks the holder (PID 1 of the new PID namespace).
    holder = Number(sh("pgrep", ["-P", String(child.pid)]).trim());
    inodes = { a: statSync(`/run/netns/${a}`).ino, b: statSync(`/run/netns/${b}`).ino };
    topology = discover();
    doc = toGhostwireDiscovery(topology, O);
  }, 30_000);
  afterAll(() => lab.cleanup());

  test("validates against the spec, /json and /mobyshark; the UI's parser takes it", () => {
    if (!requireRoot()) return;
    expectValid(validateDiscovery, doc, "/json of this host");
    const targets = toMobysharkTargets(topology, O);
    expectValid(validateTargets, targets, "/mobyshark of this host");
    expect(() => fromjson(JSON.parse(JSON.stringify(doc)))).not.toThrow();
    // A bind-mounted lab namespace nothing runs in is one target under its path.
    expect(targets.containers.filter((c) => c.netns === inodes.a).map((c) => [c.type, c.name])).toEqual([["bindmount", `/run/netns/${lab.prefix}-a`]]);
  });

  test("says what the topology says: namespaces, interfaces, veth peers, bridge, addresses", () => {
    if (!requireRoot()) return;
    expect(doc["network-namespaces"].length).toBe(topology.namespaces.length);
    for (const [n, ns] of topology.namespaces.entries()) {
      const gw = doc["network-namespaces"][n]!;
      expect(gw.netnsid).toBe(ns.inode);
      expect(gw["network-interfaces"].map((i) => i.name)).toEqual(ns.interfaces.map((i) => i.name));
      expect(gw.routes.ipv4.length + gw.routes.ipv6.length).toBe(ns.routes.filter((r) => r.table === 254 || r.table === 255).length);
      expect(gw.containers.length).toBeGreaterThanOrEqual(Math.max(1, ns.containers.length));
      expect(gw["forwarded-ports"]).toBeDefined();
    }
    const gw0 = nifIn(inodes.a, "gw0");
    const gw1 = nifIn(inodes.b, "gw1");
    const br = nifIn(inodes.a, "gwbr");
    expect(nsOf(inodes.a)["network-interfaces"].map((i) => i.name).sort()).toEqual(["gw0", "gwbr", "gwmv", "lo", "mvl0", "mvl1"]);
    expect(gw0.peer).toEqual({ "peer-idref": gw1.id, "peer-name": "gw1", "peer-index": gw1.index });
    expect(gw1.peer!["peer-idref"]).toBe(gw0.id);
    expect(gw0.master!.idref).toBe(br.id);
    expect(br.slaves!.map((s) => s.idref)).toEqual([gw0.id]);
    expect(br.addresses.ipv4.map((x) => `${x.address}/${x.prefixlen}`)).toEqual(["10.77.0.1/24"]);
    expect(br.kind).toBe("bridge");
    // Every idref points at an interface in the document.
    const ids = new Set(doc["network-namespaces"].flatMap((n) => n["network-interfaces"].map((i) => i.id)));
    const dangling = doc["network-namespaces"].flatMap((n) =>
      n["network-interfaces"].flatMap((i) =>
        [i.peer?.["peer-idref"], i.master?.idref, i.macvlan?.idref, i.vxlan?.idref, ...(i.slaves ?? []).map((s) => s.idref)].filter((x) => x !== undefined && !ids.has(x)),
      ),
    );
    expect(dangling).toEqual([]);
  });

  test("vxlan, macvlan and the tap with its process, as iproute2 made them", () => {
    if (!requireRoot()) return;
    const vx = nifIn(inodes.b, "gwvx");
    const gw1 = nifIn(inodes.b, "gw1");
    expect(vx.kind).toBe("vxlan");
    expect(vx.vxlan).toMatchObject({ idref: gw1.id, vid: 4242, "remote-port": 4789, remote: { remote_ipv4: "10.77.0.1" }, source: { source_ipv4: "10.77.0.2" } });
    expect(gw1.slaves!.map((s) => s.name)).toEqual(["gwvx"]);
    const mv = nifIn(inodes.a, "gwmv");
    expect(mv.macvlan!.idref).toBe(nifIn(inodes.a, "mvl0").id);
    expect(nifIn(inodes.a, "mvl0").macvlans!.map((m) => m.name)).toEqual(["gwmv"]);
    const tap = nifIn(inodes.b, "gwtap");
    expect(tap.kind).toBe("tuntap");
    expect(tap.tuntap!.mode).toBe("tap");
    expect(tap.tuntap!.processors.map((p) => p.pid)).toEqual([holder]);
    const ui = fromjson(JSON.parse(JSON.stringify(doc)));
    const uiVx = ui.networkNamespaces[inodes.b].nifs.find((i: Json) => i.name === "gwvx");
    expect(uiVx.underlay.name).toBe("gw1");
    expect(uiVx.vxlanDetails.vid).toBe(4242);
  });

  test("containees: 0x bounding sets as /proc says them, PID namespaces as the kernel links them", () => {
    if (!requireRoot()) return;
    const procs = doc["network-namespaces"].flatMap((n) => n.containers.filter((c) => c.type === "proc"));
    expect(procs.length).toBeGreaterThan(0);
    expect(procs.some((c) => c.pid === 2)).toBe(false); // kthreadd
    for (const c of procs) {
      let status: string;
      try {
        status = readFileSync(`/proc/${c.pid}/status`, "utf8");
      } catch {
        continue; // exited since discovery
      }
      const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
      if (hex !== undefined) expect(c.capbnd).toBe(`0x${hex}`);
      const pidns = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${c.pid}/ns/pid`))![1]);
      expect([c.pidns, c["pidns-idref"]]).toEqual([pidns, `pidns-${pidns}`]);
    }
    // The tap holder is PID 1 of a PID namespace of its own, a child of ours.
    const inner = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${holder}/ns/pid`))![1]);
    const ours = Number(/\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))![1]);
    const find = (list: Json[], inode: number): Json | undefined => list.map((n) => (n.pidnsid === inode ? n : find(n.children, inode))).find(Boolean);
    expect(find(doc["pid-namespaces"], ours).children.map((c: Json) => c.pidnsid)).toContain(inner);
    expect(topology.pidNamespaces.find((n) => n.inode === inner)).toMatchObject({ level: 1, init: topology.processes.find((p) => p.pid === holder)!.key });
    // Container names, where an engine runs here.
    const names = doc["network-namespaces"].flatMap((n) => n.containers.filter((c) => c.type !== "proc" && c.type !== "bindmount").map((c) => c.name));
    expect(names.sort()).toEqual(topology.containers.filter((c) => c.netns !== null).map((c) => c.name).sort());
  });
});

test("src/api imports only src/model (and itself) and does no I/O (a pure view of a Topology)", () => {
  const api = new URL("../../src/api/", import.meta.url).pathname;
  const model = new URL("../../src/model/", import.meta.url).pathname;
  const problems: string[] = [];
  for (const name of readdirSync(api, { recursive: true }).map(String).filter((f) => f.endsWith(".ts"))) {
    const file = join(api, name);
    const text = readFileSync(file, "utf8");
    for (const [, spec] of text.matchAll(/(?:import|export)[^"';]*?from\s*["']([^"']+)["']/g)) {
      const target = resolve(dirname(file), spec!);
      if (!spec!.startsWith(".") || !(target.startsWith(api) || target.startsWith(model))) problems.push(`${name}: imports ${spec}`);
    }
    for (const [m] of text.matchAll(/\b(?:require\(|import\(|Bun\.|process\.|Deno\.)/g)) problems.push(`${name}: uses ${m}`);
  }
  expect(problems).toEqual([]);
});
