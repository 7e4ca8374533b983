// What the client tests (Apollo, urql, codegen, GraphiQL) run against: the real schema served by
// the real server, over a hand-made topology (two namespaces, a veth pair, a listening socket,
// a VLAN 100 on each side) recorded in a temporary store, with the real alert engine on an
// injected clock. No kernel, no root: the clients are what is under test.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlertEngine } from "../../src/alerts/index.ts";
import { interfaceKey } from "../../src/model/keys.ts";
import type { NetworkInterface, Topology } from "../../src/model/topology.ts";
import { buildSchema, schemaLimits } from "../../src/schema/index.ts";
import { startServer, type RunningServer } from "../../src/server/server.ts";
import { Store } from "../../src/store/index.ts";
import { LiveDouble } from "../helpers/live-double.ts";
import { later, syntheticTopology } from "../store/synthetic.ts";

export const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

/** The synthetic topology with a VLAN 100 on the veth of each namespace. */
export function withVlans(t: Topology): Topology {
  const c = structuredClone(t);
  for (const ns of c.namespaces) {
    const lower = ns.interfaces[0]!;
    const vlan: NetworkInterface = {
      ...structuredClone(lower),
      key: interfaceKey(ns.key, 10),
      index: 10,
      name: `${lower.name}.100`,
      kind: "vlan",
      driverKind: "vlan",
      addresses: [],
      relations: { ...lower.relations, peer: null, master: lower.key },
      details: { kind: "vlan", id: 100, protocol: "802.1Q" },
    };
    ns.interfaces.push(vlan);
  }
  return c;
}

export interface World {
  url: string;
  live: LiveDouble;
  store: Store;
  alerts: AlertEngine;
  server: RunningServer;
  /** Records the next topology: the VLAN on namespace 1's veth changes its MTU (a change to subscribe to). */
  change(): void;
  close(): Promise<void>;
}

export async function makeWorld(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), "wiresight-clients-"));
  const store = Store.open(join(dir, "history.db"));
  let step = 0;
  const next = () => {
    step++;
    const t = later(withVlans(syntheticTopology(T0)), step);
    t.namespaces[1]!.interfaces[1]!.mtu = 1500 - step;
    return t;
  };
  const live = new LiveDouble(store, withVlans(syntheticTopology(T0)), next);
  const alerts = AlertEngine.open({ store, live, now: () => T0 + step * 1000, tickMs: null, warn: () => {} });
  const server = await startServer({ schema: buildSchema(), plugins: schemaLimits(), context: { live, store, alerts, baseUrl: "" }, live, listen: "127.0.0.1:0", logging: false });
  return {
    url: server.url,
    live,
    store,
    alerts,
    server,
    change: () => void live.record(next()),
    close: async () => {
      await server.stop();
      await alerts.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Variables the docs' examples need here (required ones, and defaults that would find nothing). */
export function exampleVariables(name: string, world: World): Record<string, unknown> {
  const topology = world.live.current().topology;
  const vlan = topology.namespaces[1]!.interfaces[1]!;
  switch (name) {
    case "Node":
      return { id: Buffer.from(`VlanInterface:${vlan.key}`).toString("base64url") };
    case "WhoListens":
      return { port: 80 };
    case "WhereIs":
      return { ip: "10.0.2.1", from: "initial" };
    case "SinceYesterday":
      return { at: 1 };
    case "TopologyChanges":
      return { namespace: "blue" };
    default:
      return {};
  }
}
