// Container engines against a real Docker Engine (test/helpers/docker.ts follows the shared
// recipe): containers on the default bridge and on a user network, a compose-style label, a
// Kubernetes-style pod label, a paused container. (--privileged cannot run on this machine kind: runc lacks the caps.) The oracle is `docker
// inspect` (names, labels, PIDs, networks) and /proc (which netns a PID is in).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readFileSync, readlinkSync, statSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { discoverWithEngines } from "../../src/discovery/discover-with-engines.ts";
import type { Topology } from "../../src/model/topology.ts";
import { DockerEngine, ensureDockerInstalled } from "../helpers/docker.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";

const root = requireRoot();
const SETUP_TIMEOUT = 300_000;
// A published host port unlikely to be taken; dockerd's default userland proxy runs for it.
const WEB_PORT = 20000 + Math.floor(Math.random() * 20000);

describe.if(root)("docker engine", () => {
  const lab = new Lab();
  let engine: DockerEngine;
  let topology: Topology;
  let userNetId = "";

  beforeAll(async () => {
    ensureDockerInstalled();
    engine = new DockerEngine(lab);
    await engine.start();
    userNetId = engine.network(`${lab.prefix}-net`, "--label", "wiresight.test=user", "--internal");
    engine.run(`${lab.prefix}-web`, "-p", `${WEB_PORT}:80`, "--label", "com.docker.compose.project=shop", "--label", "com.docker.compose.service=web", "local/busybox:1", "httpd", "-f", "-p", "80", "-h", "/www");
    engine.run(`${lab.prefix}-db`, "--network", `${lab.prefix}-net`, "--label", "io.kubernetes.pod.namespace=prod", "--label", "io.kubernetes.pod.name=db-0", "local/busybox:1", "sleep", "3600");
    engine.run(`${lab.prefix}-frozen`, "local/busybox:1", "sleep", "3600");
    engine.docker("pause", `${lab.prefix}-frozen`);
    topology = await discoverWithEngines();
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await engine?.stop();
    lab.cleanup();
  }, SETUP_TIMEOUT);

  const ours = () => topology.containers.filter((c) => c.name.startsWith(lab.prefix));
  const ourEngine = () => topology.engines.find((e) => e.pid === engine.pid)!;

  test("the engine is found from the process table, with its API socket", () => {
    const e = ourEngine();
    expect(e).toBeDefined();
    expect(e.kind).toBe("docker");
    expect(e.status).toBe("ok");
    expect(e.sockets).toContain(engine.socket);
    expect(e.apiSocket).toBe(`/proc/${engine.pid}/root${engine.socket}`);
    expect(e.apiVersion).toBe(JSON.parse(engine.docker("version", "--format", "{{json .Server.APIVersion}}")));
    const warnings = topology.warnings.filter((w) => w.subject.includes(`${engine.pid}`) || w.subject.startsWith("container:"));
    expect(warnings).toEqual([]);
  });

  test("a published port: Docker's DNAT rule and its docker-proxy as one forwarding into the container, httpd answering", () => {
    const web = ours().find((c) => c.name === `${lab.prefix}-web`)!;
    const ip = JSON.parse(engine.docker("inspect", "--format", "{{json .NetworkSettings.Networks}}", web.id)) as Record<string, { IPAddress: string }>;
    const webIp = Object.values(ip)[0]!.IPAddress;
    const fwd = topology.forwardedPorts.filter((p) => p.hostPorts?.first === WEB_PORT && p.protocol === "tcp" && p.family === "ipv4");
    expect(fwd.length).toBe(1);
    const f = fwd[0]!;
    expect(f.destinationAddress).toBe(webIp);
    expect(f.destinationPorts).toEqual({ first: 80, last: 80 });
    expect(f.engine).toBe("docker");
    expect(f.sources.some((s) => s.kind === "nft-rule")).toBe(true);
    expect(f.sources.some((s) => s.kind === "proxy")).toBe(true);
    expect(f.destinationNetns).toBe(web.netns);
    const ns = topology.namespaces.find((n) => n.key === web.netns)!;
    const listeners = ns.sockets.filter((s) => f.listeners.includes(s.key));
    expect(listeners.map((s) => s.localPort)).toEqual([80]);
    const comms = listeners[0]!.processes.map((k) => topology.processes.find((p) => p.key === k)?.comm);
    expect(comms).toContain("httpd");
  });

  test("containers: names, ids, states, labels, privileges and groups as docker inspect says", () => {
    const names = ours().map((c) => c.name).sort();
    expect(names).toEqual([`${lab.prefix}-db`, `${lab.prefix}-frozen`, `${lab.prefix}-web`].sort());
    for (const c of ours()) {
      const oracle = engine.inspect(c.name);
      expect(c.id).toBe(oracle.Id);
      expect(c.engine).toBe(ourEngine().key);
      expect(c.state).toBe(oracle.State.Status);
      expect(c.enginePid).toBe(oracle.State.Pid);
      expect(c.labels).toEqual(oracle.Config.Labels ?? {});
      expect(c.privileged).toBe(oracle.HostConfig.Privileged);
      expect(c.image).toBe(oracle.Config.Image);
      expect(c.networks.map((n) => n.name).sort()).toEqual(Object.keys(oracle.NetworkSettings.Networks).sort());
      for (const n of c.networks) {
        const o = oracle.NetworkSettings.Networks[n.name];
        expect(n.ipv4).toBe(o.IPAddress || null);
        expect(n.mac).toBe(o.MacAddress || null);
      }
    }
    const byName = new Map(ours().map((c) => [c.name.slice(lab.prefix.length + 1), c]));
    expect(byName.get("frozen")!.state).toBe("paused");
    expect(byName.get("web")!.groups).toEqual([{ kind: "compose-project", name: "shop" }]);
    expect(byName.get("db")!.groups).toEqual([{ kind: "kubernetes-pod", namespace: "prod", name: "db-0" }]);
    expect(byName.get("frozen")!.groups).toEqual([]);
  });

  test("each container sits in the namespace of its PID, and that namespace lists it", () => {
    for (const c of ours()) {
      const pid = engine.inspect(c.name).State.Pid;
      const inode = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))![1]);
      const ns = topology.namespaces.find((n) => n.key === c.netns)!;
      expect(ns).toBeDefined();
      expect(ns.inode).toBe(inode);
      expect(ns.containers).toContain(c.key);
      const proc = topology.processes.find((p) => p.key === c.process)!;
      expect(proc.pid).toBe(pid);
      // Its init process is the namespace's tenant, named as the container's.
      const tenant = ns.tenants.find((t) => t.process === c.process)!;
      expect(tenant.kind).toBe("container");
      expect(tenant.container).toBe(c.key);
      // The SandboxKey bind mount is the same namespace (the fallback for nested engines).
      const sandbox = engine.inspect(c.name).NetworkSettings.SandboxKey;
      expect(statSync(sandbox).ino).toBe(inode);
    }
  });

  test("bridges carry their network's name, labels, internal flag and default marker", () => {
    const oracle = JSON.parse(sh(engine, "network", "inspect", "bridge", `${lab.prefix}-net`));
    const host = topology.namespaces.find((n) => n.initial)!;
    for (const net of oracle) {
      const bridgeName = net.Options["com.docker.network.bridge.name"] ?? `br-${net.Id.slice(0, 12)}`;
      const iface = host.interfaces.find((i) => i.name === bridgeName)!;
      expect(iface).toBeDefined();
      expect(iface.containerNetwork).not.toBeNull();
      expect(iface.containerNetwork!.name).toBe(net.Name);
      expect(iface.containerNetwork!.labels).toEqual(net.Labels ?? {});
      expect(iface.containerNetwork!.internal).toBe(net.Internal);
      expect(iface.containerNetwork!.default).toBe(net.Name === "bridge");
      const listed = topology.containerNetworks.find((n) => n.id === net.Id)!;
      expect(listed.bridge).toBe(iface.key);
      expect(listed.bridgeName).toBe(bridgeName);
    }
    expect(host.interfaces.find((i) => i.name === engine.defaultBridge)!.containerNetwork!.default).toBe(true);
    expect(host.interfaces.find((i) => i.name === `br-${userNetId.slice(0, 12)}`)!.containerNetwork).toMatchObject({
      name: `${lab.prefix}-net`,
      internal: true,
      default: false,
      labels: { "wiresight.test": "user" },
    });
  });

  test("a dump with containers validates against docs/dump.schema.json", () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(new URL("../../docs/dump.schema.json", import.meta.url), "utf8")));
    const doc = JSON.parse(JSON.stringify(topology));
    expect(doc.containers.length).toBeGreaterThanOrEqual(3);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    doc.containers[0].groups = [{ kind: "compose-project" }];
    expect(validate(doc)).toBe(false);
  });

  test("wiresight ls names containers in namespace headers and networks on bridges", () => {
    const r = spawnSync(process.execPath, [new URL("../../src/cli/main.ts", import.meta.url).pathname, "ls", "--color", "never"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.some((l) => l.trim() === `container: ${lab.prefix}-frozen (paused)`)).toBe(true);
    expect(lines.some((l) => l.trim() === `container: ${lab.prefix}-web`)).toBe(true);
    expect(lines.find((l) => l.includes(` ${engine.defaultBridge} `))).toContain("docker network bridge (default)");
    expect(lines.find((l) => l.includes(` br-${userNetId.slice(0, 12)} `))).toContain(`docker network ${lab.prefix}-net (internal)`);
  });

  test("the engine's containerd is asked too (namespace moby); Docker's containers are left to Docker", () => {
    const containerd = topology.engines.find((e) => e.kind === "containerd" && topology.processes.find((p) => p.key === e.process)?.ppid === engine.pid);
    expect(containerd).toBeDefined();
    expect(containerd!.status).toBe("ok");
    expect(containerd!.sockets.some((s) => s.endsWith("containerd.sock"))).toBe(true);
    expect(containerd!.containerdNamespaces).toContain("moby");
    // Each of our containers once, as Docker's: containerd's moby twins are not listed again.
    for (const c of ours()) expect(topology.containers.filter((x) => x.id === c.id).map((x) => x.engine)).toEqual([ourEngine().key]);
  });
});

function sh(engine: DockerEngine, ...args: string[]): string {
  return engine.docker(...args);
}
