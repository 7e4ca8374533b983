// The pure parts of engine discovery: /proc/PID/net/unix lines, socket inodes from fd targets,
// in-root symlink resolution, groups from labels and bridge names from network options.

import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bridgeNameOf } from "../../src/discovery/engines/decorate.ts";
import { resolveInRoot } from "../../src/discovery/engines/in-root.ts";
import { groupsOf } from "../../src/discovery/engines/inventory.ts";
import { parseListeningUnixSockets, socketInodes } from "../../src/discovery/engines/unix-sockets.ts";

const UNIX = [
  "Num       RefCount Protocol Flags    Type St Inode Path",
  "0000000000000000: 00000002 00000000 00010000 0001 01 21313 /run/docker.sock",
  "0000000000000000: 00000002 00000000 00010000 0001 01 21314 /run/with space.sock",
  "0000000000000000: 00000003 00000000 00000000 0001 03 21315 /run/docker.sock", // connected, not listening
  "0000000000000000: 00000002 00000000 00010000 0001 01 21316 @abstract", // abstract: unreachable by path
  "0000000000000000: 00000002 00000000 00010000 0005 01 21317 /run/seqpacket.sock", // not a stream
  "0000000000000000: 00000002 00000000 00010000 0001 01 21318", // unnamed
  "garbage line",
  "",
].join("\n");

describe("engine discovery parsers", () => {
  test("listening, path-bound stream sockets only", () => {
    expect(parseListeningUnixSockets(UNIX)).toEqual([
      { inode: 21313, path: "/run/docker.sock" },
      { inode: 21314, path: "/run/with space.sock" },
    ]);
    expect(parseListeningUnixSockets("")).toEqual([]);
  });

  test("socket inodes from fd link targets", () => {
    const fds = new Map([[0, "/dev/null"], [3, "socket:[21313]"], [4, "net:[4026531833]"], [5, "socket:[x]"], [6, "socket:[7]"]]);
    expect([...socketInodes(fds)].sort()).toEqual([21313, 7].sort());
    expect(socketInodes(undefined).size).toBe(0);
  });

  const root = mkdtempSync(join(tmpdir(), "wiresight-inroot-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("symlinks resolve inside the root, absolute ones from the root", () => {
    mkdirSync(join(root, "run"));
    mkdirSync(join(root, "var"));
    symlinkSync("/run", join(root, "var/run")); // as on Debian: absolute, would leave the root if followed by the kernel
    symlinkSync("../run", join(root, "var/rel"));
    symlinkSync("loop", join(root, "loop"));
    expect(resolveInRoot(root, "/var/run/docker.sock")).toBe(`${root}/run/docker.sock`);
    expect(resolveInRoot(root, "/var/rel/x.sock")).toBe(`${root}/run/x.sock`);
    expect(resolveInRoot(root, "/../../etc/passwd")).toBe(`${root}/etc/passwd`);
    expect(() => resolveInRoot(root, "/loop/x")).toThrow("too many symbolic links");
  });

  test("compose projects and Kubernetes pods from labels", () => {
    expect(groupsOf({})).toEqual([]);
    expect(groupsOf({ "com.docker.compose.project": "shop", "io.kubernetes.pod.namespace": "prod", "io.kubernetes.pod.name": "db-0" })).toEqual([
      { kind: "compose-project", name: "shop" },
      { kind: "kubernetes-pod", namespace: "prod", name: "db-0" },
    ]);
    expect(groupsOf({ "io.kubernetes.pod.name": "orphan" })).toEqual([]); // a pod needs both
  });

  test("bridge names: the option, else br-<12 hex> for the bridge driver", () => {
    const base = { id: "0123456789abcdef0123", name: "n", internal: false, labels: {}, libpod: null, cni: null };
    expect(bridgeNameOf({ ...base, driver: "bridge", options: {} })).toBe("br-0123456789ab");
    expect(bridgeNameOf({ ...base, driver: "bridge", options: { "com.docker.network.bridge.name": "docker0" } })).toBe("docker0");
    expect(bridgeNameOf({ ...base, driver: "host", options: {} })).toBeNull();
    // Podman's native API names the device; its compatible API never does.
    expect(bridgeNameOf({ ...base, driver: "bridge", options: {}, libpod: { name: "n", interfaceName: "cni-podman3" } })).toBe("cni-podman3");
  });
});
