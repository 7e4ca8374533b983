// What the client tests (Apollo, urql, codegen, GraphiQL) run against: the real schema served by
// the real server, over a hand-made topology (two namespaces, a veth pair, a listening socket,
// a VLAN 100 on each side; a Kubernetes pod in the second namespace and a service whose ClusterIP
// kube-proxy forwards to it) recorded in a temporary store, with the real alert engine on an
// injected clock. No kernel, no root: the clients are what is under test.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlertEngine } from "../../src/alerts/index.ts";
import { containerKey, engineKey, podKey, type Container, type ContainerEngine, type Pod } from "../../src/model/containers.ts";
import { forwardedPortKey, type ForwardedPort } from "../../src/model/forwarded-ports.ts";
import { addressKey, interfaceKey } from "../../src/model/keys.ts";
import { serviceKey, type KubeService } from "../../src/model/kube-services.ts";
import type { NetworkInterface, NetworkNamespace, Topology } from "../../src/model/topology.ts";
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

/** The pod's address (on the second namespace's veth) and the service's ClusterIP and port. */
export const POD_IP = "10.0.2.2";
export const CLUSTER_IP = "10.96.0.10";

/**
 * A Kubernetes node on the synthetic topology: containerd (with its CRI plugin) runs pod shop/web
 * in the second namespace (its process, its address 10.0.2.2 beside the veth's), and kube-proxy's
 * rules in the first namespace forward the service shop/web:http's ClusterIP to the pod's port 80,
 * where the namespace's socket listens.
 */
export function withKubernetes(t: Topology): Topology {
  const c = structuredClone(t);
  const [node, podNs] = c.namespaces as [NetworkNamespace, NetworkNamespace];
  const veth = podNs.interfaces[0]!;
  const listener = podNs.sockets[0]!;
  const podProcess = c.processes.find((p) => p.netns === podNs.key)!;
  veth.addresses.push({ ...structuredClone(veth.addresses[0]!), key: addressKey(veth.key, POD_IP, 24), address: POD_IP, flags: [] });
  const engine: ContainerEngine = {
    key: engineKey("containerd", c.processes[0]!.key),
    kind: "containerd",
    process: c.processes[0]!.key,
    pid: c.processes[0]!.pid,
    sockets: ["/run/containerd/containerd.sock"],
    apiSocket: "/proc/1/root/run/containerd/containerd.sock",
    apiVersion: "1.7.24",
    server: "containerd/1.7.24",
    engineId: null,
    version: "1.7.24",
    status: "ok",
    containerdNamespaces: ["k8s.io"],
    cri: true,
  };
  const sandboxId = "5a".repeat(32);
  const pod: Pod = {
    key: podKey("containerd", sandboxId),
    engine: engine.key,
    sandboxId,
    namespace: "shop",
    name: "web",
    uid: "6f1c2d3e-0000-4000-8000-000000000001",
    attempt: 0,
    state: "ready",
    createdAt: new Date(T0 - 3_600_000).toISOString(),
    labels: { app: "web", tier: "front" },
    annotations: {},
    runtimeHandler: "",
    ips: [POD_IP],
    netns: podNs.key,
    sandboxContainer: null,
    containers: [],
  };
  const container: Container = {
    key: containerKey("containerd", "c0".repeat(32)),
    engine: engine.key,
    id: "c0".repeat(32),
    name: "web",
    image: "docker.io/library/nginx:1.27",
    state: "running",
    enginePid: podProcess.pid,
    containerdNamespace: "k8s.io",
    pod: pod.key,
    process: podProcess.key,
    netns: podNs.key,
    labels: { "io.kubernetes.pod.namespace": "shop", "io.kubernetes.pod.name": "web" },
    privileged: false,
    groups: [{ kind: "kubernetes-pod", namespace: "shop", name: "web" }],
    networks: [],
  };
  pod.containers = [container.key];
  podNs.containers = [container.key];
  const svc = serviceKey(node.key, "shop", "web", "http", "tcp");
  const rule = { netns: node.key, family: "ipv4" as const, protocol: "tcp", hostAddress: CLUSTER_IP, hostPorts: { first: 80, last: 80 }, destinationAddress: POD_IP, destinationAddressLast: null, destinationPorts: { first: 80, last: 80 } };
  const forwarding: ForwardedPort = {
    key: forwardedPortKey(rule),
    ...rule,
    engine: "kube-proxy",
    destinationNetns: podNs.key,
    destinationInterface: veth.key,
    listeners: [listener.key],
    sources: [{ kind: "nft-rule", family: "ip", table: "kube-proxy", chain: "endpoint-5OJB2KTY-shop/web/tcp/http__10.0.2.2/80", handle: 12, form: "nft", engine: "kube-proxy" }],
    service: { key: svc, name: "shop/web:http", access: "clusterIP" },
  };
  const service: KubeService = {
    key: svc,
    netns: node.key,
    namespace: "shop",
    name: "web",
    port: "http",
    protocol: "tcp",
    family: "ipv4",
    proxyMode: "nftables",
    frontends: [{ access: "clusterIP", address: CLUSTER_IP, port: 80 }],
    endpoints: [{ address: POD_IP, port: 80, netns: podNs.key, pod: pod.key, listeners: [listener.key] }],
    forwardedPorts: [forwarding.key],
  };
  c.engines.push(engine);
  c.containers.push(container);
  c.pods.push(pod);
  c.forwardedPorts.push(forwarding);
  c.services.push(service);
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
    const t = later(withKubernetes(withVlans(syntheticTopology(T0))), step);
    t.namespaces[1]!.interfaces[1]!.mtu = 1500 - step;
    return t;
  };
  const live = new LiveDouble(store, withKubernetes(withVlans(syntheticTopology(T0))), next);
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
    case "Pods":
      return { namespace: "shop" };
    default:
      return {};
  }
}
