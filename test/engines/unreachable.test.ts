// Engines that do not behave: fake "dockerd" processes (python3 run through a symlink named
// dockerd, so the kernel calls it dockerd) holding listening unix sockets that never answer,
// answer bytes that are not HTTP, or answer /_ping but garbage after it. Discovery must finish,
// list the engine with the right status and say why in a warning.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, realpathSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { discoverWithEngines } from "../../src/discovery/discover-with-engines.ts";
import type { Topology } from "../../src/model/topology.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";

const root = requireRoot();

// One listening socket per argument: "silent" accepts and never answers, "garbage" answers bytes
// that are not HTTP, "badjson" answers /_ping like Docker and then JSON of the wrong shape.
const FAKE = String.raw`
import socket, sys, threading
def serve(path, mode):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(path); s.listen(8)
    held = []
    while True:
        c, _ = s.accept()
        if mode == "silent": held.append(c); continue
        if mode == "garbage": c.sendall(b"\x00\x01\x02 this is not http\r\n\r\n"); c.close(); continue
        req = c.recv(4096).decode("latin1")
        body = b"OK" if "/_ping" in req else b'{"Id": 12}'
        c.sendall(b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body); c.close()
for arg in sys.argv[1:]:
    mode, path = arg.split("=", 1)
    threading.Thread(target=serve, args=(path, mode), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
`;

describe.if(root)("engines that do not behave", () => {
  const lab = new Lab();
  let topology: Topology;
  let deadPid = 0;
  let badPid = 0;
  let killedPid = 0;

  beforeAll(async () => {
    const fake = join(lab.dir, "dockerd");
    // Debian's interpreter itself: a PATH python3 may be a wrapper script (pyenv shims dispatch on argv[0]).
    symlinkSync(realpathSync("/usr/bin/python3"), fake);
    sh("mkdir", ["-p", `${lab.dir}/b`]);
    const dead = lab.spawn(fake, ["-c", FAKE, `silent=${lab.dir}/docker.sock`, `garbage=${lab.dir}/other.sock`]);
    const bad = lab.spawn(fake, ["-c", FAKE, `badjson=${lab.dir}/b/docker.sock`]);
    await lab.waitFor(dead, "ready");
    await lab.waitFor(bad, "ready");
    const doomed = lab.spawn(fake, ["-c", FAKE, `badjson=${lab.dir}/c.sock`]);
    await lab.waitFor(doomed, "ready");
    deadPid = dead.pid!;
    badPid = bad.pid!;
    killedPid = doomed.pid!;
    // This engine dies after the process scan, while namespaces are being read.
    let killed = false;
    const beforeNamespace = () => {
      if (killed) return;
      killed = true;
      process.kill(killedPid, "SIGKILL");
      while (!/\) Z /.test(readFileSync(`/proc/${killedPid}/stat`, "utf8"))) Bun.sleepSync(5);
    };
    topology = await discoverWithEngines({ engineCallTimeoutMs: 300, beforeNamespace });
  }, 60_000);

  afterAll(() => lab.cleanup());

  test("an engine that never answers or answers garbage is listed as unreachable, with a warning", () => {
    const e = topology.engines.find((x) => x.pid === deadPid)!;
    expect(e).toBeDefined();
    expect(e.kind).toBe("docker");
    expect(e.sockets.sort()).toEqual([`${lab.dir}/docker.sock`, `${lab.dir}/other.sock`]);
    expect(e.status).toBe("unreachable");
    expect(e.apiSocket).toBeNull();
    const w = topology.warnings.filter((x) => x.subject === `engine:docker:${deadPid}`);
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toContain("no answer within 300 ms");
    expect(w[0]!.message).toContain(`${lab.dir}/other.sock GET /_ping`);
  });

  test("an engine that answers /_ping then garbage is partial, with a warning, and decorates nothing", () => {
    const e = topology.engines.find((x) => x.pid === badPid)!;
    expect(e.status).toBe("partial");
    expect(e.apiSocket).toBe(`/proc/${badPid}/root${lab.dir}/b/docker.sock`);
    expect(e.apiVersion).toBe("1.41");
    const w = topology.warnings.filter((x) => x.subject === `engine:docker:${badPid}`);
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toContain("/containers/json: unexpected answer: not an array");
    expect(topology.containers.filter((c) => c.engine === e.key)).toEqual([]);
  });

  test("an engine killed mid-discovery is a warning, not a failure", () => {
    const w = topology.warnings.filter((x) => x.subject === `engine:docker:${killedPid}`);
    expect(w).toHaveLength(1);
    expect(w[0]!.message).toContain("exited during discovery");
    expect(topology.engines.find((e) => e.pid === killedPid)).toBeUndefined();
  });

  test("discovery itself goes on", () => {
    expect(topology.namespaces.length).toBeGreaterThan(0);
    expect(topology.namespaces[0]!.initial).toBe(true);
  });
});
