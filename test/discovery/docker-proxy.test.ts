// docker-proxy command lines, hand-made after what dockerd starts (moby's portmapper), in every
// flag spelling Go's flag package accepts, and ones that must not become forwardings.

import { expect, test } from "bun:test";
import { forwardingFromProxy, goFlags } from "../../src/discovery/forwarded-ports/docker-proxy.ts";
import type { Process } from "../../src/model/topology.ts";

const proc = (cmdline: string[], comm = "docker-proxy"): Process => ({
  key: "proc:b:4242:1", pid: 4242, ppid: 1, comm, cmdline, startTime: 1, uid: 0, netns: "netns:b:1", pidns: null, scheduling: null, cpuAffinity: null,
});

test("moby's command line, IPv4 and IPv6", () => {
  const argv = ["/usr/bin/docker-proxy", "-proto", "tcp", "-host-ip", "0.0.0.0", "-host-port", "8080", "-container-ip", "172.17.0.2", "-container-port", "80", "-use-listen-fd"];
  expect(forwardingFromProxy(proc(argv))).toEqual({
    family: "ipv4", protocol: "tcp", hostAddress: null, hostPorts: { first: 8080, last: 8080 },
    destinationAddress: "172.17.0.2", destinationAddressLast: null, destinationPorts: { first: 80, last: 80 },
    source: { kind: "proxy", process: "proc:b:4242:1", pid: 4242, engine: "docker" },
  });
  const v6 = ["docker-proxy", "--proto=udp", "--host-ip=::1", "-host-port=5353", "--container-ip", "fd00::2", "-container-port", "53"];
  expect(forwardingFromProxy(proc(v6, "exe"))).toMatchObject({ family: "ipv6", protocol: "udp", hostAddress: "::1", hostPorts: { first: 5353, last: 5353 }, destinationAddress: "fd00::2", destinationPorts: { first: 53, last: 53 } });
});

test("flags: last wins, booleans, stop at --", () => {
  expect([...goFlags(["-a", "1", "-b", "-a=2", "--c", "x", "--", "-d", "4"])]).toEqual([["a", "2"], ["b", "true"], ["c", "x"]]);
});

test("not a forwarding: other programs, missing or bad ports", () => {
  const why: string[] = [];
  expect(forwardingFromProxy(proc(["/usr/bin/dockerd", "-H", "fd://"], "dockerd"))).toBeNull();
  expect(forwardingFromProxy(proc(["docker-proxy", "-proto", "tcp", "-host-port", "8080"]), (m) => why.push(m))).toBeNull();
  expect(forwardingFromProxy(proc(["docker-proxy", "-host-port", "70000", "-container-ip", "1.2.3.4", "-container-port", "1"]), (m) => why.push(m))).toBeNull();
  expect(why.length).toBe(2);
  expect(why[0]).toContain("docker-proxy pid 4242");
});
