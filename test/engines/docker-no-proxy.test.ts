// Published ports when dockerd runs with --userland-proxy=false: no docker-proxy process exists,
// so the forwarding must come from Docker's DNAT rule alone, and still be resolved to the
// container's namespace and the process answering there. One container on the default bridge,
// one on a user network (a different bridge and DOCKER chain rule), one with a port range.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { discoverWithEngines } from "../../src/discovery/discover-with-engines.ts";
import type { Topology } from "../../src/model/topology.ts";
import { DockerEngine, ensureDockerInstalled, IMAGE } from "../helpers/docker.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";

const root = requireRoot();
const SETUP_TIMEOUT = 300_000;
const BASE = 20000 + Math.floor(Math.random() * 20000);
const WEB_PORT = BASE;
const API_PORT = BASE + 1;
const RANGE = { first: BASE + 10, last: BASE + 12 };

describe.if(root)("docker engine without the userland proxy", () => {
  const lab = new Lab();
  let engine: DockerEngine;
  let topology: Topology;

  beforeAll(async () => {
    ensureDockerInstalled();
    engine = new DockerEngine(lab, { daemonArgs: ["--userland-proxy=false"] });
    await engine.start();
    engine.network(`${lab.prefix}-apps`);
    engine.run(`${lab.prefix}-web`, "-p", `${WEB_PORT}:80`, IMAGE, "httpd", "-f", "-p", "80", "-h", "/www");
    engine.run(`${lab.prefix}-api`, "--network", `${lab.prefix}-apps`, "-p", `127.0.0.1:${API_PORT}:8080`, IMAGE, "httpd", "-f", "-p", "8080", "-h", "/www");
    engine.run(`${lab.prefix}-range`, "-p", `${RANGE.first}-${RANGE.last}:${RANGE.first}-${RANGE.last}/udp`, IMAGE, "sleep", "3600");
    topology = await discoverWithEngines();
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await engine?.stop();
    lab.cleanup();
  }, SETUP_TIMEOUT);

  const container = (name: string) => topology.containers.find((c) => c.name === `${lab.prefix}-${name}`)!;
  const ipOf = (name: string) => {
    const nets = engine.inspect(`${lab.prefix}-${name}`).NetworkSettings.Networks as Record<string, { IPAddress: string }>;
    return Object.values(nets)[0]!.IPAddress;
  };

  test("dockerd really runs without docker-proxy", () => {
    const proxies = topology.processes.filter((p) => p.comm === "docker-proxy" && p.cmdline.some((a) => a === String(WEB_PORT) || a === String(API_PORT)));
    expect(proxies).toEqual([]);
  });

  test("each published port is one forwarding from the DNAT rule alone, into its container, with its listener", () => {
    for (const [name, hostPort, port, hostAddress] of [
      ["web", WEB_PORT, 80, null],
      ["api", API_PORT, 8080, "127.0.0.1"],
    ] as const) {
      const c = container(name);
      expect(c).toBeDefined();
      const fwd = topology.forwardedPorts.filter((f) => f.hostPorts?.first === hostPort && f.protocol === "tcp" && f.family === "ipv4");
      expect(fwd.length).toBe(1);
      const f = fwd[0]!;
      expect(f.sources.map((s) => s.kind)).toEqual(["nft-rule"]);
      expect(f.engine).toBe("docker");
      expect(f.hostAddress).toBe(hostAddress);
      expect(f.destinationAddress).toBe(ipOf(name));
      expect(f.destinationPorts).toEqual({ first: port, last: port });
      expect(f.destinationNetns).toBe(c.netns);
      const ns = topology.namespaces.find((n) => n.key === c.netns)!;
      const listeners = ns.sockets.filter((s) => f.listeners.includes(s.key));
      expect(listeners.map((s) => s.localPort)).toEqual([port]);
      const comms = listeners[0]!.processes.map((k) => topology.processes.find((p) => p.key === k)?.comm);
      expect(comms).toContain("httpd");
    }
  });

  // Docker expands a published range into one binding, and one DNAT rule, per port.
  test("a published UDP port range is one forwarding per port of the range, with no listener", () => {
    const c = container("range");
    const fwd = topology.forwardedPorts.filter((f) => f.protocol === "udp" && f.family === "ipv4" && f.destinationNetns === c.netns);
    const ports = [];
    for (let p = RANGE.first; p <= RANGE.last; p++) ports.push(p);
    expect(fwd.map((f) => f.hostPorts)).toEqual(ports.map((p) => ({ first: p, last: p })));
    expect(fwd.map((f) => f.destinationPorts)).toEqual(ports.map((p) => ({ first: p, last: p })));
    expect(fwd.every((f) => f.destinationAddress === ipOf("range") && f.listeners.length === 0)).toBe(true);
    const bindings = engine.inspect(`${lab.prefix}-range`).NetworkSettings.Ports as Record<string, unknown[] | null>;
    expect(Object.keys(bindings).sort()).toEqual(ports.map((p) => `${p}/udp`).sort());
  });
});
