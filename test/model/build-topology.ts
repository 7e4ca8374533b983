// Hand-built Topologies for model tests: namespaces, interfaces, veth pairs, bridges, addresses
// and routes with real keys (keys.ts), so whereIs sees exactly what discovery would produce.
// `kernelLocalRoutes()` adds what the kernel puts in the local table for each address, as it does.

import { addressKey, interfaceKey, netnsKey, routeKey } from "../../src/model/keys.ts";
import type { InterfaceKind, NetworkInterface, NetworkNamespace, Route, Topology } from "../../src/model/topology.ts";

const BOOT = "00000000-0000-0000-0000-000000000000";

export class TopologyBuilder {
  readonly namespaces: NetworkNamespace[] = [];
  private cookie = 1n;

  ns(name: string, opts: { initial?: boolean } = {}): NetworkNamespace {
    const key = netnsKey(BOOT, this.cookie++);
    const ns: NetworkNamespace = {
      key,
      cookie: String(this.cookie - 1n),
      inode: 4026530000 + this.namespaces.length,
      dev: 4,
      initial: Boolean(opts.initial),
      displayName: name,
      references: [],
      processes: [],
      interfaces: [],
      routes: [],
      nsids: [],
      tenants: [],
      containers: [],
      sockets: [],
    };
    this.namespaces.push(ns);
    this.iface(ns, "lo", "loopback", ["127.0.0.1/8", "::1/128"]);
    return ns;
  }

  iface(ns: NetworkNamespace, name: string, kind: InterfaceKind, addresses: string[] = []): NetworkInterface {
    const index = ns.interfaces.length + 1;
    const key = interfaceKey(ns.key, index);
    const iface: NetworkInterface = {
      key,
      netns: ns.key,
      index,
      name,
      kind,
      driverKind: kind === "physical" || kind === "loopback" ? null : kind,
      portKind: null,
      flags: ["UP"],
      up: true,
      promiscuous: false,
      operState: "UP",
      mac: null,
      mtu: 1500,
      alias: null,
      linkType: kind === "loopback" ? 772 : 1,
      addresses: [],
      relations: { peer: null, bridge: null, ports: [], master: null, slaves: [], controller: null, members: [], underlay: null, overlays: [], pf: null, vfs: [] },
      raw: { link: null, linkNetnsid: null, master: null },
      details: { kind: "none" },
      users: [],
      containerNetwork: null,
    };
    ns.interfaces.push(iface);
    for (const a of addresses) this.addr(iface, a);
    return iface;
  }

  addr(iface: NetworkInterface, cidr: string, flags: string[] = []): void {
    const [address, len] = cidr.split("/") as [string, string];
    iface.addresses.push({
      key: addressKey(iface.key, address, Number(len)),
      interface: iface.key,
      family: address.includes(":") ? "ipv6" : "ipv4",
      address,
      prefixLength: Number(len),
      peer: null,
      broadcast: null,
      scope: "global",
      flags,
      label: null,
      preferredLifetime: null,
      validLifetime: null,
    });
  }

  veth(a: NetworkNamespace, aName: string, b: NetworkNamespace, bName: string, aAddrs: string[] = [], bAddrs: string[] = []): [NetworkInterface, NetworkInterface] {
    const x = this.iface(a, aName, "veth", aAddrs);
    const y = this.iface(b, bName, "veth", bAddrs);
    x.relations.peer = y.key;
    y.relations.peer = x.key;
    return [x, y];
  }

  bridge(ns: NetworkNamespace, name: string, ports: NetworkInterface[], addrs: string[] = []): NetworkInterface {
    const br = this.iface(ns, name, "bridge", addrs);
    for (const p of ports) {
      p.relations.bridge = br.key;
      p.portKind = "bridge";
      br.relations.ports.push(p.key);
    }
    return br;
  }

  /**
   * `dest` is "default" or CIDR. Options: dev, via (gateway), type (default unicast), table
   * (default main), metric, nexthops (multipath).
   */
  route(
    ns: NetworkNamespace,
    dest: string,
    o: { dev?: NetworkInterface; via?: string; type?: string; table?: number; metric?: number; tos?: number; from?: string; nexthops?: { via?: string; dev: NetworkInterface }[] } = {},
  ): Route {
    const [destination, len] = dest === "default" ? ["default", "0"] : (dest.split("/") as [string, string]);
    const family = (destination === "default" ? (o.via ?? "").includes(":") : destination.includes(":")) ? "ipv6" : "ipv4";
    const table = o.table ?? 254;
    const type = o.type ?? "unicast";
    const priority = o.metric ?? 0;
    const [source, sourceLen] = o.from ? (o.from.split("/") as [string, string]) : [null, "0"];
    const r: Route = {
      key: routeKey(ns.key, { family, table, destination, prefixLength: Number(len), source, sourcePrefixLength: Number(sourceLen), tos: o.tos ?? 0, priority, type }),
      netns: ns.key,
      family,
      type,
      destination,
      prefixLength: Number(len ?? (family === "ipv6" ? 128 : 32)),
      source,
      sourcePrefixLength: Number(sourceLen),
      preferredSource: null,
      gateway: o.via ?? null,
      outputInterface: o.dev?.key ?? null,
      nexthops: (o.nexthops ?? []).map((h) => ({ gateway: h.via ?? null, outputInterface: h.dev.key, weight: 1 })),
      table,
      tableName: table === 255 ? "local" : table === 254 ? "main" : table === 253 ? "default" : String(table),
      priority,
      preference: null,
      protocol: "static",
      scope: "global",
      tos: o.tos ?? 0,
    };
    ns.routes.push(r);
    return r;
  }

  /** What the kernel adds to table local: `local ADDR` per address, and 127.0.0.0/8 on lo. */
  kernelLocalRoutes(): this {
    for (const ns of this.namespaces) {
      for (const i of ns.interfaces)
        for (const a of i.addresses) this.route(ns, `${a.address}/${a.family === "ipv4" ? 32 : 128}`, { dev: i, type: "local", table: 255 });
      const lo = ns.interfaces.find((i) => i.kind === "loopback")!;
      this.route(ns, "127.0.0.0/8", { dev: lo, type: "local", table: 255 });
    }
    return this;
  }

  build(): Topology {
    return {
      formatVersion: 1,
      host: { bootId: BOOT, hostname: "test", kernelRelease: "6.0", kernelVersion: null, os: null, cpusOnline: null },
      discoveredAt: "2025-01-01T00:00:00.000Z",
      namespaces: this.namespaces,
      processes: [],
      pidNamespaces: [],
      forwardedPorts: [],
      engines: [],
      containers: [],
      containerNetworks: [],
      pods: [],
      services: [],
      privileges: { root: true, missing: [] },
      warnings: [],
      stats: { durationMs: 0, namespaces: 0, interfaces: 0, addresses: 0, routes: 0, processes: 0, nsidQueries: 0, dumpRetries: 0, initialNamespaceBy: "test", tenants: 0, dnsFileSets: 0, utsNamespaces: 0, sockets: 0, socketStates: "all" },
    };
  }
}
