// containerd and its CRI plugin against the real thing (test/helpers/containerd.ts follows the
// shared recipe): Debian's containerd started by the test with its own root, state and socket,
// inside a lab namespace (the "node"); two pods made through the CRI, wired by a CNI bridge
// config, one with a hostPort; a container made through the containerd API in another containerd
// namespace with nerdctl's labels; kube-proxy's rules (iptables mode, in the shape of its own
// golden test outputs) in the node namespace for two services whose endpoints are the pods. What
// is asserted comes from the compiled binary (`dist/wiresight dump`, `whereis`, `capture`), so
// the gRPC and protobuf libraries are proven inside it; oracles are the CRI's own answers, `ctr`,
// /proc (which netns a PID is in), iproute2 in the node namespace, and HTTP through the service.
//
// CRI-O is not in Debian 12. Its client is the same CRI code, tested here against the same CRI
// socket contract: containerd's binary is started once more under the name `crio` (the process
// name is how wiresight tells engines apart), so wiresight asks it as CRI-O: over the CRI alone.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";
import { execute, parse } from "graphql";
import { toGhostwireDiscovery } from "../../src/api/ghostwire-v1.ts";
import { resolveTarget } from "../../src/capture/target.ts";
import type { Topology } from "../../src/model/topology.ts";
import { buildSchema } from "../../src/schema/index.ts";
import { Store } from "../../src/store/index.ts";
import { ContainerdEventStream } from "../../src/discovery/engines/containerd-events.ts";
import type { EngineEvent } from "../../src/discovery/engines/engine-events.ts";
import { Watcher } from "../../src/watch/watcher.ts";
import { Containerd, ensureContainerdInstalled } from "../helpers/containerd.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { AlertsDouble } from "../schema-graphql/alerts-double.ts";
import { iptablesRestore, type FakeService } from "../helpers/kube-proxy-rules.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";

const root = requireRoot();
const SETUP_TIMEOUT = 300_000;
const built = join(import.meta.dir, "../../dist/wiresight");
const HOST_PORT = 20000 + Math.floor(Math.random() * 20000);
const OCTET = 1 + Math.floor(Math.random() * 250);

describe.if(root)("containerd with its CRI plugin, CNI and kube-proxy rules", () => {
  const lab = new Lab();
  const binDir = mkdtempSync(join(tmpdir(), "wiresight-bin-"));
  const bin = join(binDir, "wiresight");
  let node = "";
  let ctrd: Containerd;
  let crio: Containerd;
  let crioPod: { podId: string; containerIds: string[] };
  let topology: Topology;
  const pods: Record<string, { podId: string; containerIds: string[]; ip: string; pid: number }> = {};
  const uid = (n: string) => `${lab.prefix}-${n}-uid`;
  const clusterIP = `172.30.${OCTET}.41`;
  const dbClusterIP = `172.30.${OCTET}.42`;
  let ctrPid = 0;

  const run = (...args: string[]) => {
    const r = spawnSync(bin, args, { encoding: "utf8", cwd: binDir, env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 512 * 1024 * 1024 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const netnsOf = (pid: number) => {
    const st = statSync(`/proc/${pid}/ns/net`);
    return topology.namespaces.find((n) => n.inode === st.ino && n.dev === st.dev);
  };

  beforeAll(async () => {
    if (!existsSync(built)) throw new Error("dist/wiresight is missing: run `npm run build` (npm test does it first)");
    copyFileSync(built, bin);
    chmodSync(bin, 0o755);
    ensureContainerdInstalled();
    node = lab.netns("node");
    ensureTool("curl", "curl");
    ensureTool("tshark", "tshark");
    // Its socket on a tmpfs of its own mount namespace, as inside a container: reached through /proc/PID/root only.
    ctrd = new Containerd(lab, node, OCTET, { images: ["nerdctl-test"], privateSocket: true });
    await ctrd.start();
    crio = new Containerd(lab, lab.netns("node2"), (OCTET % 250) + 1, { as: "crio" });
    await crio.start();
    crioPod = await crio.runPod({ namespace: "crio-test", name: "echo", uid: uid("echo"), containers: [{ name: "echo", command: ["/bin/httpd", "-f", "-p", "7070", "-h", "/www"] }] });
    const web = await ctrd.runPod({
      namespace: "shop",
      name: "web",
      uid: uid("web"),
      labels: { app: "web" },
      hostPort: { container: 80, host: HOST_PORT },
      containers: [
        { name: "httpd", command: ["/bin/httpd", "-f", "-p", "80", "-h", "/www"] },
        { name: "sidecar", command: ["/bin/sleep", "infinity"] },
      ],
    });
    const db = await ctrd.runPod({ namespace: "shop", name: "db", uid: uid("db"), labels: { app: "db" }, containers: [{ name: "db", command: ["/bin/httpd", "-f", "-p", "5432", "-h", "/www"] }] });
    // A node has a default route (here: towards the pods); without any, a local connection to a
    // ClusterIP fails its first route lookup, before kube-proxy's DNAT.
    sh("ip", ["-n", node, "route", "add", "default", "dev", ctrd.bridge]);
    for (const [name, p] of Object.entries({ web, db })) {
      const pid = ctrd.taskPid("k8s.io", p.containerIds[0]!);
      const ip = sh("nsenter", ["-t", String(pid), "-n", "ip", "-4", "-o", "addr", "show", "eth0"]).match(/inet (\S+)\//)![1]!;
      pods[name] = { ...p, ip, pid };
    }
    ctrd.runCtr("nerdctl-test", `${lab.prefix}-web1`, { "nerdctl/name": "web1", "nerdctl/platform": "linux/amd64" }, ["/bin/httpd", "-f", "-p", "80", "-h", "/www"]);
    ctrPid = ctrd.taskPid("nerdctl-test", `${lab.prefix}-web1`);
    const services: FakeService[] = [
      { namespace: "shop", name: "web", portName: "http", protocol: "tcp", clusterIP, port: 80, nodePort: 30000 + OCTET, endpoints: [{ ip: pods.web!.ip, port: 80 }] },
      { namespace: "shop", name: "db", portName: "", protocol: "tcp", clusterIP: dbClusterIP, port: 5432, endpoints: [{ ip: pods.db!.ip, port: 5432 }] },
    ];
    sh("ip", ["netns", "exec", node, "iptables-nft-restore", "--noflush"], { input: iptablesRestore(services, ctrd.subnet) });
    const dump = run("dump");
    if (dump.code !== 0) throw new Error(`wiresight dump failed: ${dump.stderr}`);
    topology = JSON.parse(dump.stdout);
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await ctrd?.stop();
    await crio?.stop();
    lab.cleanup();
    rmSync(binDir, { recursive: true, force: true });
  }, SETUP_TIMEOUT);

  const engine = () => topology.engines.find((e) => e.pid === ctrd.pid)!;

  test("containerd is asked over gRPC: its namespaces, and that it serves the CRI", () => {
    const e = engine();
    expect(e.kind).toBe("containerd");
    expect(e.status).toBe("ok");
    expect(existsSync(ctrd.socket)).toBe(false); // not on the host: only inside containerd's mount namespace
    expect(e.apiSocket).toBe(`/proc/${ctrd.pid}/root${ctrd.socket}`);
    expect(e.server).toBe(`containerd/${ctrd.ctr("default", "version").match(/Server:\s+Version:\s+(\S+)/)![1]}`);
    expect(e.cri).toBe(true);
    expect(e.containerdNamespaces).toEqual(expect.arrayContaining(["k8s.io", "nerdctl-test"]));
    expect(topology.warnings.filter((w) => w.subject.includes(String(ctrd.pid)))).toEqual([]);
  });

  const pod = (name: string) => topology.pods.find((p) => p.uid === uid(name))!;
  const container = (id: string) => topology.containers.find((c) => c.id === id)!;

  test("pods through the CRI: namespace, name, uid, labels, state, address, network namespace, containers", () => {
    for (const name of ["web", "db"]) {
      const p = pod(name);
      expect(p).toBeDefined();
      expect(p.key).toBe(`pod:containerd:${pods[name]!.podId}`);
      expect(p.engine).toBe(engine().key);
      expect([p.namespace, p.name, p.state]).toEqual(["shop", name, "ready"]);
      expect(p.labels.app).toBe(name);
      expect(p.ips).toEqual([pods[name]!.ip]);
      expect(p.netns).toBe(netnsOf(pods[name]!.pid)!.key);
      expect(p.sandboxContainer).toBe(`container:containerd:${pods[name]!.podId}`);
      expect(p.containers).toEqual(pods[name]!.containerIds.map((id) => `container:containerd:${id}`));
    }
    expect(pod("web").containers.map((k) => topology.containers.find((c) => c.key === k)!.name)).toEqual(["httpd", "sidecar"]);
  });

  test("a pod's network namespace is named after it and holds its containers; eth0 carries the pod's address", () => {
    const ns = topology.namespaces.find((n) => n.key === pod("web").netns)!;
    expect(ns.displayName).toBe("pod:shop/web");
    expect(ns.containers).toEqual(expect.arrayContaining(pod("web").containers));
    const eth0 = ns.interfaces.find((i) => i.name === "eth0")!;
    expect(eth0.addresses.map((a) => a.address)).toContain(pods.web!.ip);
  });

  test("containerd containers: CRI containers with their pod and containerd namespace, the task PID and state", () => {
    const httpd = container(pods.web!.containerIds[0]!);
    expect(httpd.name).toBe("httpd");
    expect(httpd.containerdNamespace).toBe("k8s.io");
    expect(httpd.state).toBe("running");
    expect(httpd.enginePid).toBe(pods.web!.pid);
    expect(topology.processes.find((p) => p.key === httpd.process)?.pid).toBe(pods.web!.pid);
    expect(httpd.pod).toBe(pod("web").key);
    expect(httpd.netns).toBe(pod("web").netns);
    expect(httpd.groups).toContainEqual({ kind: "kubernetes-pod", namespace: "shop", name: "web" });
    // Attached to the CRI's CNI network with the pod's address.
    const net = topology.containerNetworks.find((n) => n.name === ctrd.network)!;
    expect(httpd.networks).toEqual([{ network: net.key, name: ctrd.network, ipv4: pods.web!.ip, ipv6: null, mac: null, aliases: [] }]);
    expect(container(pods.web!.podId).name).toBe("POD");
  });

  test("a container made through the containerd API in its own containerd namespace, named by nerdctl's label", () => {
    const web1 = container(`${lab.prefix}-web1`);
    expect(web1.name).toBe("web1");
    expect(web1.containerdNamespace).toBe("nerdctl-test");
    expect(web1.labels["nerdctl/name"]).toBe("web1");
    expect(web1.state).toBe("running");
    expect(web1.enginePid).toBe(ctrPid);
    expect(web1.netns).toBe(netnsOf(ctrPid)!.key);
    expect(web1.pod).toBeNull();
  });

  test("the CNI network from the conflist names its bridge, whose ports are the pods' veths", () => {
    const net = topology.containerNetworks.find((n) => n.name === ctrd.network)!;
    expect(net).toBeDefined();
    expect(net.engine).toBe(engine().key);
    expect(net.driver).toBe("bridge");
    expect(net.cni?.plugins).toEqual(["bridge", "portmap", "firewall"]);
    expect(net.cni?.subnets).toEqual([ctrd.subnet]);
    expect(net.bridgeName).toBe(ctrd.bridge);
    const nodeNs = topology.namespaces.find((n) => n.inode === statSync(`/run/netns/${node}`).ino)!;
    const bridge = nodeNs.interfaces.find((i) => i.name === ctrd.bridge)!;
    expect(JSON.parse(sh("ip", ["-n", node, "-j", "-d", "link", "show", ctrd.bridge]))[0].linkinfo.info_kind).toBe("bridge");
    expect(net.bridge).toBe(bridge.key);
    expect(bridge.containerNetwork?.name).toBe(ctrd.network);
    const eth0 = topology.namespaces.find((n) => n.key === pod("web").netns)!.interfaces.find((i) => i.name === "eth0")!;
    expect(bridge.relations.ports).toContain(eth0.relations.peer!);
  });

  test("the pod's hostPort is a CNI forwarding into the pod, httpd listening there", () => {
    const nodeKey = topology.namespaces.find((n) => n.inode === statSync(`/run/netns/${node}`).ino)!.key;
    const f = topology.forwardedPorts.find((p) => p.netns === nodeKey && p.hostPorts?.first === HOST_PORT && p.engine === "cni")!;
    expect(f).toBeDefined();
    expect([f.destinationAddress, f.destinationPorts?.first, f.destinationNetns]).toEqual([pods.web!.ip, 80, pod("web").netns]);
    const ns = topology.namespaces.find((n) => n.key === pod("web").netns)!;
    const listeners = ns.sockets.filter((s) => f.listeners.includes(s.key));
    expect(listeners.map((s) => s.localPort)).toEqual([80]);
    expect(sh("ip", ["netns", "exec", node, "curl", "-s", "--max-time", "5", `http://${pods.web!.ip}/`])).toBe("hello from a CRI pod\n");
  });

  test("kube-proxy's services: ClusterIP and NodePort forwardings named ns/name:port, each endpoint resolved to its pod and listener", () => {
    const web = topology.services.find((s) => s.namespace === "shop" && s.name === "web")!;
    expect(web.port).toBe("http");
    expect(web.proxyMode).toBe("iptables");
    expect(web.frontends).toEqual([
      { access: "clusterIP", address: clusterIP, port: 80 },
      { access: "nodePort", address: null, port: 30000 + OCTET },
    ]);
    expect(web.endpoints).toHaveLength(1);
    expect(web.endpoints[0]!.pod).toBe(pod("web").key);
    expect(web.endpoints[0]!.netns).toBe(pod("web").netns);
    const podNs = topology.namespaces.find((n) => n.key === pod("web").netns)!;
    expect(podNs.sockets.filter((s) => web.endpoints[0]!.listeners.includes(s.key)).map((s) => s.localPort)).toEqual([80]);
    const cluster = topology.forwardedPorts.find((p) => p.hostAddress === clusterIP)!;
    expect(cluster.service?.name).toBe("shop/web:http");
    expect([cluster.destinationAddress, cluster.destinationPorts?.first, cluster.engine]).toEqual([pods.web!.ip, 80, "kube-proxy"]);
    const db = topology.services.find((s) => s.name === "db")!;
    expect(db.port).toBe("");
    expect(db.endpoints[0]!.pod).toBe(pod("db").key);
    expect(topology.forwardedPorts.find((p) => p.hostAddress === dbClusterIP)?.service?.name).toBe("shop/db");
    // No KUBE-SEP DNAT left over as a forwarding of any address and port.
    expect(topology.forwardedPorts.filter((p) => p.engine === "kube-proxy" && p.service === null)).toEqual([]);
    // The oracle: the ClusterIP answers, through the rules, with the pod's page.
    expect(sh("ip", ["netns", "exec", node, "curl", "-s", "--max-time", "5", `http://${clusterIP}/`])).toBe("hello from a CRI pod\n");
  });

  test("whereis: a ClusterIP's path goes through the service to the pod", () => {
    const nodeKey = topology.namespaces.find((n) => n.inode === statSync(`/run/netns/${node}`).ino)!.key;
    const r = run("whereis", clusterIP, "--from", nodeKey, "--port", "80", "--json");
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout);
    const dnat = w.path.find((h: any) => h.kind === "dnat");
    expect(dnat.dnat).toMatchObject({ service: "shop/web:http", from: `${clusterIP}:80`, to: `${pods.web!.ip}:80` });
    expect(w.translatedTo).toBe(`${pods.web!.ip}:80`);
    expect(w.end.reason).toBe("delivered");
    expect(w.reached.netns).toBe(pod("web").netns);
    expect(w.path.some((h: any) => h.kind === "bridge" && h.bridge.name === ctrd.bridge)).toBe(true);
    const text = run("whereis", clusterIP, "--from", nodeKey, "--port", "80");
    expect(text.stdout).toContain("DNAT by service shop/web:http (clusterIP)");
    expect(text.stdout).toContain("(pod shop/web)");
  });

  test("capture by pod:NS/NAME and by container name, in the binary; /capture resolves the same targets", async () => {
    const file = join(binDir, "pod.pcapng");
    const cap = Bun.spawn([bin, "capture", "pod:shop/web", "-f", "tcp port 80", "--count", "4", "-w", file], { stderr: "pipe" });
    // Traffic until the capture has its packets (it starts after its own discovery).
    for (let i = 0; i < 100 && cap.exitCode === null; i++) {
      spawnSync("ip", ["netns", "exec", node, "curl", "-s", "--max-time", "1", `http://${pods.web!.ip}/`]);
      await Bun.sleep(100);
    }
    const code = await cap.exited;
    const stderr = await new Response(cap.stderr).text();
    expect({ code, stderr }).toMatchObject({ code: 0 });
    const ns = topology.namespaces.find((n) => n.key === pod("web").netns)!;
    expect(stderr).toContain(`net:[${ns.inode}]`);
    const packets = sh("tshark", ["-r", file, "-T", "fields", "-e", "ip.dst"]).trim().split("\n");
    expect(packets.length).toBeGreaterThanOrEqual(4);
    expect(packets).toContain(pods.web!.ip);
    const byName = run("capture", "web1", "--duration", "0.2", "-w", join(binDir, "web1.pcapng"));
    expect(byName).toMatchObject({ code: 0 });
    expect(byName.stderr).toContain(`net:[${netnsOf(ctrPid)!.inode}]`);
    expect(run("capture", "pod:shop/nope", "--duration", "0.2", "-w", join(binDir, "x.pcapng")).stderr).toContain("no pod shop/nope");
    // The server's /capture takes its target through the same resolution, on the live topology.
    expect(resolveTarget(topology, "pod:shop/db").key).toBe(pod("db").netns!);
  });

  test("Ghostwire's /json: the pod is a container group of its namespace", () => {
    const gw = toGhostwireDiscovery(topology, { creatorVersion: "test" });
    const ns = topology.namespaces.find((n) => n.key === pod("web").netns)!;
    const entry = gw["network-namespaces"].find((n) => n.netnsid === ns.inode)!;
    const group = entry["container-groups"].find((g) => g.name === "shop/web")!;
    expect(group.type).toBe("pod");
    const names = entry.containers.filter((c) => group["container-idrefs"].includes(c.id)).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(["httpd", "sidecar"]));
  });

  test("GraphQL: pods filtered by namespace, name, labels and state; a namespace's pod; namespaces and sockets by pod; services; also at a recorded revision", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wiresight-gql-"));
    const store = Store.open(join(dir, "h.db"));
    try {
      const live = new LiveDouble(store, topology);
      const ctx = { live, store, alerts: new AlertsDouble(), baseUrl: "http://127.0.0.1:5000" };
      const q = async (query: string) => {
        const r = await execute({ schema: buildSchema(), document: parse(query), contextValue: ctx });
        if (r.errors) throw new Error(r.errors.map((e) => e.message).join("; "));
        return r.data as any;
      };
      const d = await q(`{
        pods(filter: { kubernetesNamespace: "sh*", labels: "app=web", states: [READY] }) { totalCount nodes { name kubernetesNamespace state networkNamespace { displayName pod { name } } containers { name containerdNamespace pod { name } } services { servicePortName } } }
        byName: pods(filter: { name: "db" }) { totalCount }
        none: pods(filter: { labels: "app!=web,app!=db" }) { totalCount }
        ordered: pods(filter: { kubernetesNamespace: "shop" }, orderBy: { field: NAME, direction: DESC }) { nodes { name } }
        namespaces(filter: { pod: "shop/web" }) { nodes { displayName } }
        dbSockets: sockets(filter: { pod: "shop/db", simpleStates: [LISTENING] }) { nodes { localPort } }
        captureTargets { kind name namespace { displayName } pod { name } }
        services(filter: { pod: "shop/db" }) { nodes { servicePortName clusterIPs proxyMode endpoints { pod { name } listeners { localPort } } forwardedPorts { serviceName serviceAccess engine } } }
      }`);
      const web = d.pods.nodes.filter((n: any) => n.kubernetesNamespace === "shop");
      expect(web).toHaveLength(1);
      expect(web[0].state).toBe("READY");
      expect(web[0].networkNamespace).toEqual({ displayName: "pod:shop/web", pod: { name: "web" } });
      expect(web[0].containers.map((c: any) => [c.name, c.containerdNamespace, c.pod.name])).toEqual([["httpd", "k8s.io", "web"], ["sidecar", "k8s.io", "web"]]);
      expect(web[0].services).toEqual([{ servicePortName: "shop/web:http" }]);
      expect(d.byName.totalCount).toBeGreaterThanOrEqual(1);
      expect(d.ordered.nodes.map((p: any) => p.name)).toEqual(["web", "db"]);
      expect(d.namespaces.nodes).toEqual([{ displayName: "pod:shop/web" }]);
      expect(d.dbSockets.nodes).toContainEqual({ localPort: 5432 });
      expect(d.captureTargets).toContainEqual({ kind: "POD", name: "shop/web", namespace: { displayName: "pod:shop/web" }, pod: { name: "web" } });
      const svc = d.services.nodes.find((s: any) => s.servicePortName === "shop/db")!;
      expect(svc.clusterIPs).toEqual([dbClusterIP]);
      expect(svc.endpoints).toEqual([{ pod: { name: "db" }, listeners: [{ localPort: 5432 }] }]);
      expect(svc.forwardedPorts).toEqual([{ serviceName: "shop/db", serviceAccess: "CLUSTER_IP", engine: "KUBE_PROXY" }]);
      expect(["IPTABLES", "NFTABLES"]).toContain(svc.proxyMode);
      // The same, rebuilt from the history (pods and services are recorded entity kinds).
      const past = await q(`{ pods(at: 1, filter: { kubernetesNamespace: "shop" }) { totalCount } services(at: 1, filter: { kubernetesNamespace: "shop" }) { totalCount } }`);
      expect(past.pods.totalCount).toBe(2);
      expect(past.services.totalCount).toBe(2);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the dump, with pods, services and CNI networks, validates against docs/dump.schema.json", () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL("../../docs/dump.schema.json", import.meta.url), "utf8")));
    expect(topology.pods.length).toBeGreaterThanOrEqual(3);
    expect(topology.services.length).toBeGreaterThanOrEqual(2);
    expect(validate(topology) ? [] : validate.errors).toEqual([]);
  });

  test("containerd's event stream names the container whose task starts; serve's watcher asks containerd again on it", async () => {
    const events: EngineEvent[] = [];
    const stream = ContainerdEventStream.open(ctrd.reach, (e) => events.push(e), (why) => events.push({ type: "container", action: `ended: ${why}`, containerId: null }));
    const dir = mkdtempSync(join(tmpdir(), "wiresight-watch-"));
    const store = Store.open(join(dir, "h.db"));
    // No full pass during the test: only the event stream can bring the new container in.
    const watcher = await Watcher.start({ store, withEngines: true, fullPassEveryMs: 600_000, namespaceRescanEveryMs: 600_000 });
    try {
      const id = `${lab.prefix}-late`;
      expect(watcher.current().topology.containers.some((c) => c.id === id)).toBe(false);
      await Bun.sleep(500); // the watcher's own subscription is open once its first pass is done; give the stream a moment
      ctrd.runCtr("nerdctl-test", id, { "nerdctl/name": "late" }, ["/bin/sleep", "infinity"]);
      for (let i = 0; i < 200 && !events.some((e) => e.containerId === id && e.action === "tasks/start"); i++) await Bun.sleep(50);
      expect(events.filter((e) => e.containerId === id).map((e) => e.action)).toEqual(expect.arrayContaining(["containers/create", "tasks/create", "tasks/start"]));
      for (let i = 0; i < 300 && !watcher.current().topology.containers.some((c) => c.id === id && c.state === "running"); i++) await Bun.sleep(100);
      const late = watcher.current().topology.containers.find((c) => c.id === id)!;
      expect([late.name, late.state, late.enginePid]).toEqual(["late", "running", ctrd.taskPid("nerdctl-test", id)]);
    } finally {
      stream.close();
      await watcher.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("CRI-O's client against the same CRI socket contract: pods and containers over the CRI alone", () => {
    const e = topology.engines.find((x) => x.pid === crio.pid)!;
    expect(e.kind).toBe("cri-o");
    expect(e.status).toBe("ok");
    expect(e.cri).toBe(true);
    expect(e.containerdNamespaces).toEqual([]);
    expect(e.server).toMatch(/^containerd\//); // the runtime_name the CRI reports
    const p = topology.pods.find((x) => x.uid === uid("echo"))!;
    expect(p.key).toBe(`pod:cri-o:${crioPod.podId}`);
    const pid = crio.taskPid("k8s.io", crioPod.containerIds[0]!);
    expect(p.netns).toBe(netnsOf(pid)!.key);
    const c = topology.containers.find((x) => x.key === `container:cri-o:${crioPod.containerIds[0]}`)!;
    expect([c.name, c.state, c.pod, c.netns]).toEqual(["echo", "running", p.key, p.netns]);
    const net = topology.containerNetworks.find((n) => n.engine === e.key && n.name === crio.network);
    expect(net?.bridgeName).toBe(crio.bridge);
    expect(topology.warnings.filter((w) => w.subject.includes(String(crio.pid)))).toEqual([]);
  });
});
