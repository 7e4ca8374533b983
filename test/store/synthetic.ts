// Small hand-made topologies for store tests that need no kernel: two namespaces joined by a
// veth pair, addresses, routes and processes, with every field the model has.

import { addressKey, interfaceKey, netnsKey, processKey, routeKey } from "../../src/model/keys.ts";
import { TOPOLOGY_FORMAT_VERSION, type NetworkInterface, type Route, type Topology } from "../../src/model/topology.ts";

const BOOT = "00000000-0000-4000-8000-000000000001";

/**
 * The synthetic topology's default discovery time: a fixed moment, so recorded rows compare equal
 * across runs. Whatever compares it with a clock (the alert engine) must be given this clock.
 */
export const SYNTHETIC_TIME = Date.UTC(2026, 10, 22, 10, 0, 0);

export function syntheticTopology(time = SYNTHETIC_TIME): Topology {
  const ns1 = netnsKey(BOOT, 1n);
  const ns2 = netnsKey(BOOT, 4097n);
  const p1 = processKey(BOOT, 1, 10);
  const p2 = processKey(BOOT, 200, 5000);
  const iface = (ns: string, index: number, name: string, peer: string | null): NetworkInterface => ({
    key: interfaceKey(ns, index),
    netns: ns,
    index,
    name,
    kind: "veth",
    driverKind: "veth",
    portKind: null,
    flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
    up: true,
    promiscuous: false,
    operState: "UP",
    mac: `02:00:00:00:00:0${index}`,
    mtu: 1500,
    alias: null,
    linkType: 1,
    addresses: [
      {
        key: addressKey(interfaceKey(ns, index), `10.0.${index}.1`, 24),
        interface: interfaceKey(ns, index),
        family: "ipv4",
        address: `10.0.${index}.1`,
        prefixLength: 24,
        peer: null,
        broadcast: `10.0.${index}.255`,
        scope: "global",
        flags: ["permanent"],
        label: name,
        preferredLifetime: null,
        validLifetime: null,
      },
    ],
    relations: { peer, bridge: null, ports: [], master: null, slaves: [], controller: null, members: [], underlay: null, overlays: [], pf: null, vfs: [] },
    raw: { link: null, linkNetnsid: null, master: null },
    details: { kind: "none" },
    users: [],
    containerNetwork: null,
  });
  const route = (ns: string, dst: string, oif: string): Route => {
    const r = { family: "ipv4" as const, table: 254, destination: dst, prefixLength: 24, source: null, sourcePrefixLength: 0, tos: 0, priority: 0, type: "unicast" };
    return { ...r, key: routeKey(ns, r), netns: ns, preferredSource: null, gateway: null, outputInterface: oif, nexthops: [], tableName: "main", preference: null, protocol: "kernel", scope: "link" };
  };
  const a = iface(ns1, 2, "veth-a", interfaceKey(ns2, 2));
  const b = iface(ns2, 2, "veth-b", interfaceKey(ns1, 2));
  return {
    formatVersion: TOPOLOGY_FORMAT_VERSION,
    host: { bootId: BOOT, hostname: "synthetic", kernelRelease: "6.18.0", kernelVersion: null, os: null, cpusOnline: null },
    discoveredAt: new Date(time).toISOString(),
    namespaces: [
      {
        key: ns1,
        cookie: "1",
        inode: 4026531840,
        dev: 4,
        initial: true,
        displayName: "initial",
        references: [{ kind: "process", pid: 1 }],
        processes: [p1],
        interfaces: [a],
        routes: [route(ns1, "10.0.2.0", a.key)],
        nsids: [{ nsid: 0, netns: ns2 }],
        tenants: [],
        containers: [],
        sockets: [],
      },
      {
        key: ns2,
        cookie: "4097",
        inode: 4026532300,
        dev: 4,
        initial: false,
        displayName: "blue",
        references: [
          { kind: "bindmount", path: "/run/netns/blue", viaPid: 1, mountNamespace: 4026531841 },
          { kind: "process", pid: 200 },
          { kind: "fd", pid: 1, fd: 7 },
        ],
        processes: [p2],
        interfaces: [b],
        routes: [route(ns2, "10.0.2.0", b.key)],
        nsids: [{ nsid: 0, netns: ns1 }],
        tenants: [],
        containers: [],
        sockets: [
          {
            key: `${ns2}/sock:77`,
            netns: ns2,
            cookie: "77",
            family: "ipv4",
            protocol: "tcp",
            localAddress: "0.0.0.0",
            localPort: 80,
            remoteAddress: "0.0.0.0",
            remotePort: 0,
            state: "LISTEN",
            simpleState: "listening",
            inode: 4242,
            uid: 0,
            v6only: null,
            dualStack: false,
            boundInterface: null,
            interfaces: [b.key],
            processes: [p2],
            service: "http",
            remoteService: null,
          },
        ],
      },
    ],
    pidNamespaces: [],
    processes: [
      { key: p1, pid: 1, ppid: 0, comm: "init", cmdline: ["/sbin/init"], startTime: 10, uid: 0, netns: ns1, pidns: null, scheduling: null, cpuAffinity: null },
      { key: p2, pid: 200, ppid: 1, comm: "sleep", cmdline: ["sleep", "inf"], startTime: 5000, uid: 0, netns: ns2, pidns: null, scheduling: null, cpuAffinity: null },
    ],
    forwardedPorts: [],
    engines: [],
    containers: [],
    containerNetworks: [],
    pods: [],
    services: [],
    privileges: { root: true, missing: [] },
    warnings: [{ subject: "procfs", message: "a warning kept with its recording" }],
    stats: { durationMs: 1.5, namespaces: 2, interfaces: 2, addresses: 2, routes: 2, processes: 2, nsidQueries: 1, dumpRetries: 0, initialNamespaceBy: "fixed-inode", sockets: 1, socketStates: "all", tenants: 0, dnsFileSets: 0, utsNamespaces: 0 },
  };
}

/** The same topology `seconds` later. */
export function later(t: Topology, seconds: number): Topology {
  const copy = structuredClone(t);
  copy.discoveredAt = new Date(Date.parse(t.discoveredAt) + seconds * 1000).toISOString();
  return copy;
}
