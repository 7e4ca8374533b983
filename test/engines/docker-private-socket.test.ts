// An engine whose API socket exists only in its own mount namespace (as for an engine inside a
// container: dockerd in a private mount namespace with the socket on a tmpfs only it sees). The
// host cannot open that path; wiresight finds the socket among the engine's listening unix
// sockets and reaches it through /proc/PID/root, and names the engine's containers.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { discoverWithEngines } from "../../src/discovery/discover-with-engines.ts";
import type { Topology } from "../../src/model/topology.ts";
import { DockerEngine, ensureDockerInstalled, IMAGE } from "../helpers/docker.ts";
import { Lab, requireRoot } from "../helpers/lab.ts";

const root = requireRoot();
const SETUP_TIMEOUT = 300_000;

describe.if(root)("an engine whose socket only its own mount namespace sees", () => {
  const lab = new Lab();
  let engine: DockerEngine;
  let topology: Topology;

  beforeAll(async () => {
    ensureDockerInstalled();
    engine = new DockerEngine(lab, { privateSocket: true });
    await engine.start();
    engine.run(`${lab.prefix}-in`, IMAGE, "sleep", "3600");
    topology = await discoverWithEngines();
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await engine?.stop();
    lab.cleanup();
  }, SETUP_TIMEOUT);

  test("the socket path is not there on the host, only through the engine's root", () => {
    expect(existsSync(engine.socket)).toBe(false);
    expect(existsSync(engine.reach)).toBe(true);
  });

  test("the engine is found and asked through /proc/PID/root, and its container is named", () => {
    const e = topology.engines.find((x) => x.pid === engine.pid)!;
    expect(e).toBeDefined();
    expect(e.sockets).toContain(engine.socket);
    expect(e.apiSocket).toBe(`/proc/${engine.pid}/root${engine.socket}`);
    expect(e.status).toBe("ok");
    const c = topology.containers.find((x) => x.name === `${lab.prefix}-in`)!;
    expect(c).toBeDefined();
    expect(c.engine).toBe(e.key);
    const ns = topology.namespaces.find((n) => n.key === c.netns)!;
    expect(ns.containers).toContain(c.key);
  });
});
