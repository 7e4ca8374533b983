// Podman through its Docker-compatible API service: the engine found from the process table and
// its listening socket, a container on a user network (its netns a bind mount under /run/netns),
// the network's bridge decorated (its device name comes from Podman's native API), and a
// published port as a forwarding from the backend's DNAT rule into the container, httpd
// answering. The oracle is `podman inspect` and `podman network inspect`. Podman has two network
// backends and a machine has either (Debian's podman brings CNI plugins without recommends,
// netavark with them): the whole suite runs once per backend, each pinned with --network-backend,
// and its name says which one ran.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readlinkSync } from "node:fs";
import { discoverWithEngines } from "../../src/discovery/discover-with-engines.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";
import { BACKEND_CHAINS, ensurePodmanInstalled, Podman, PODMAN_BACKENDS, PODMAN_IMAGE } from "../helpers/podman.ts";

const root = requireRoot();
const SETUP_TIMEOUT = 300_000;

describe.if(root).each(PODMAN_BACKENDS)("podman with the %s network backend", (backend) => {
  const lab = new Lab();
  const WEB_PORT = 20000 + Math.floor(Math.random() * 20000);
  let podman: Podman;
  let topology: Topology;
  let bridge = "";

  beforeAll(async () => {
    ensurePodmanInstalled();
    podman = new Podman(lab, backend);
    await podman.start();
    expect(JSON.parse(podman.podman("info", "--format", "json")).host.networkBackend).toBe(backend);
    bridge = podman.network(`${lab.prefix}-net`, "--label", "wiresight.test=podman");
    podman.run(`${lab.prefix}-web`, "--network", `${lab.prefix}-net`, "-p", `127.0.0.1:${WEB_PORT}:80`, "--label", "com.docker.compose.project=shop", PODMAN_IMAGE, "httpd", "-f", "-p", "80", "-h", "/www");
    topology = await discoverWithEngines();
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await podman?.stop();
    lab.cleanup();
  }, SETUP_TIMEOUT);

  const engine = () => topology.engines.find((e) => e.pid === podman.pid || e.sockets.includes(podman.socket))!;
  const web = () => topology.containers.find((c) => c.name === `${lab.prefix}-web`)!;

  test("the API service is found as a podman engine, with its socket", () => {
    const e = engine();
    expect(e).toBeDefined();
    expect(e.kind).toBe("podman");
    expect(e.status).toBe("ok");
    expect(e.sockets).toContain(podman.socket);
    expect(e.server).toContain("Libpod");
  });

  test("the container: name, id, labels, group, its namespace by PID, its network address", () => {
    const c = web();
    expect(c).toBeDefined();
    const oracle = podman.inspect(`${lab.prefix}-web`);
    expect(c.id).toBe(oracle.Id);
    expect(c.engine).toBe(engine().key);
    expect(c.state).toBe("running");
    expect(c.labels["com.docker.compose.project"]).toBe("shop");
    expect(c.groups).toEqual([{ kind: "compose-project", name: "shop" }]);
    const inode = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${oracle.State.Pid}/ns/net`))![1]);
    const ns = topology.namespaces.find((n) => n.key === c.netns)!;
    expect(ns.inode).toBe(inode);
    expect(ns.containers).toContain(c.key);
    expect(ns.references.some((r) => r.kind === "bindmount" && r.path.startsWith("/run/netns/"))).toBe(true);
    expect(c.networks.map((n) => n.name)).toEqual([`${lab.prefix}-net`]);
    expect(c.networks[0]!.ipv4).toBe(oracle.NetworkSettings.Networks[`${lab.prefix}-net`].IPAddress);
  });

  test("the network's bridge carries its name and labels", () => {
    const host = topology.namespaces.find((n) => n.initial)!;
    const br = host.interfaces.find((i) => i.name === bridge)!;
    expect(br).toBeDefined();
    expect(br.containerNetwork).toMatchObject({ engine: "podman", name: `${lab.prefix}-net`, default: false, internal: false, labels: { "wiresight.test": "podman" } });
    const net = topology.containerNetworks.find((n) => n.name === `${lab.prefix}-net`)!;
    expect(net.bridge).toBe(br.key);
    expect(net.bridgeName).toBe(bridge);
    expect(br.relations.ports.length).toBe(1);
  });

  test("the published port: one forwarding from the backend's DNAT rule into the container, httpd answering", () => {
    const c = web();
    const fwd = topology.forwardedPorts.filter((f) => f.hostPorts?.first === WEB_PORT && f.protocol === "tcp");
    expect(fwd.length).toBe(1);
    const f = fwd[0]!;
    expect(f.hostAddress).toBe("127.0.0.1");
    expect(f.destinationAddress).toBe(c.networks[0]!.ipv4!);
    expect(f.destinationPorts).toEqual({ first: 80, last: 80 });
    expect(f.engine).toBe(backend);
    expect(f.sources.every((s) => s.kind === "nft-rule" && s.chain.startsWith(BACKEND_CHAINS[backend].dnat) && s.engine === backend)).toBe(true);
    expect(f.destinationNetns).toBe(c.netns);
    const ns = topology.namespaces.find((n) => n.key === c.netns)!;
    const listeners = ns.sockets.filter((s) => f.listeners.includes(s.key));
    expect(listeners.map((s) => s.localPort)).toEqual([80]);
    expect(listeners[0]!.processes.map((k) => topology.processes.find((p) => p.key === k)?.comm)).toContain("httpd");
  });
});
