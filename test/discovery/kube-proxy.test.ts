// kube-proxy's services against the real kernel, in both of its modes. kube-proxy has no Debian
// package, so its rules are written in kube-proxy's own shape (test/helpers/kube-proxy-rules.ts,
// after the golden outputs of kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go and
// pkg/proxy/nftables/proxier_test.go) and loaded into a lab "node" namespace with
// iptables-nft-restore and `nft -f`. Two "pod" namespaces hang off a bridge in the node, each
// with a listener. Asserted: each service port with its frontends, each endpoint resolved to its
// namespace and listening socket, the forwardings named ns/name:port, no anonymous KUBE-SEP /
// endpoint-chain DNAT left over, and whereis from the node through a ClusterIP to the pod. The
// oracle for the rules themselves: a TCP connection to the ClusterIP from the node reaches the
// pod's listener (the kernel applies the DNAT).

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomInt } from "node:crypto";
import { discover } from "../../src/discovery/discover.ts";
import { indexTopology } from "../../src/model/index-topology.ts";
import { whereIs } from "../../src/model/where-is.ts";
import type { Topology } from "../../src/model/topology.ts";
import { iptablesRestore, nftablesScript, portName, type FakeService } from "../helpers/kube-proxy-rules.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";
import { ensureTool } from "../helpers/packages.ts";

const root = requireRoot();

for (const mode of ["iptables", "nftables"] as const) {
  describe.if(root)(`kube-proxy in ${mode} mode`, () => {
    const lab = new Lab();
    const net = `10.${randomInt(100, 250)}.${randomInt(1, 250)}`;
    const svcNet = `172.30.${randomInt(1, 250)}`;
    const pod = (n: number) => `${net}.${10 + n}`;
    const services: FakeService[] = [
      { namespace: "shop", name: "web", portName: "http", protocol: "tcp", clusterIP: `${svcNet}.41`, port: 80, externalIPs: [`${svcNet}.99`], nodePort: 30080, endpoints: [{ ip: pod(1), port: 8080 }, { ip: pod(2), port: 8080 }] },
      { namespace: "shop", name: "db", portName: "", protocol: "tcp", clusterIP: `${svcNet}.42`, port: 5432, endpoints: [{ ip: pod(2), port: 5432 }] },
    ];
    let node = "";
    const pods: string[] = [];
    let topology: Topology;
    const key = (name: string) => topology.namespaces.find((n) => n.references.some((r) => r.kind === "bindmount" && r.path === `/run/netns/${name}`))!.key;

    beforeAll(async () => {
      ensureTool("nft", "nftables");
      ensureTool("iptables-nft", "iptables");
      node = lab.netns("node");
      lab.ip(node, "link", "add", "cbr0", "type", "bridge");
      lab.ip(node, "addr", "add", `${net}.1/24`, "dev", "cbr0");
      lab.ip(node, "link", "set", "cbr0", "up");
      // A node has a default route (here: towards the pods); without any, a local connection to a
      // ClusterIP fails its first route lookup, before the DNAT.
      lab.ip(node, "route", "add", "default", "dev", "cbr0");
      for (const n of [1, 2]) {
        const p = lab.netns(`pod${n}`);
        pods.push(p);
        lab.ip(node, "link", "add", `veth${n}`, "type", "veth", "peer", "name", "eth0", "netns", p);
        lab.ip(node, "link", "set", `veth${n}`, "master", "cbr0");
        lab.ip(node, "link", "set", `veth${n}`, "up");
        lab.ip(p, "addr", "add", `${pod(n)}/24`, "dev", "eth0");
        lab.ip(p, "link", "set", "eth0", "up");
        lab.ip(p, "route", "add", "default", "via", `${net}.1`);
        const ports = n === 1 ? [8080] : [8080, 5432];
        const server = lab.spawn("ip", [
          "netns", "exec", p, "python3", "-c",
          `import socket,time\nss=[socket.socket() for _ in ${JSON.stringify(ports)}]\nfor s,p in zip(ss,${JSON.stringify(ports)}):\n  s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', p)); s.listen()\nprint('ready', flush=True)\nwhile True:\n  c,_=ss[0].accept(); c.sendall(b'pod${n}\\n'); c.close()`,
        ]);
        await lab.waitFor(server, "ready");
      }
      if (mode === "iptables") sh("ip", ["netns", "exec", node, "iptables-nft-restore", "--noflush"], { input: iptablesRestore(services, `${net}.0/24`) });
      else sh("ip", ["netns", "exec", node, "nft", "-f", "-"], { input: nftablesScript(services, `${net}.0/24`, [`${net}.1`]) });
      topology = discover({ listeningOnly: true });
    }, 60_000);

    afterAll(() => lab.cleanup());

    const ours = () => topology.services.filter((s) => s.netns === key(node));

    test("each service port with its frontends, in kube-proxy's ns/name:port terms", () => {
      const web = ours().find((s) => s.name === "web")!;
      expect([web.namespace, web.port, web.protocol, web.proxyMode]).toEqual(["shop", "http", "tcp", mode]);
      expect(web.frontends).toEqual(
        expect.arrayContaining([
          { access: "clusterIP", address: `${svcNet}.41`, port: 80 },
          { access: mode === "iptables" ? "externalIP" : "external", address: `${svcNet}.99`, port: 80 },
          { access: "nodePort", address: null, port: 30080 },
        ]),
      );
      expect(web.frontends).toHaveLength(3);
      expect(ours().map((s) => `${s.namespace}/${s.name}${s.port ? `:${s.port}` : ""}`).sort()).toEqual(services.map(portName).sort());
    });

    test("each endpoint resolved to its pod's namespace and listening socket", () => {
      const web = ours().find((s) => s.name === "web")!;
      expect(web.endpoints.map((e) => [e.address, e.port, e.netns])).toEqual([
        [pod(1), 8080, key(pods[0]!)],
        [pod(2), 8080, key(pods[1]!)],
      ]);
      for (const e of web.endpoints) {
        const ns = topology.namespaces.find((n) => n.key === e.netns)!;
        const listening = ns.sockets.filter((s) => e.listeners.includes(s.key));
        expect(listening.map((s) => [s.localAddress, s.localPort])).toEqual([["0.0.0.0", 8080]]);
        expect(listening[0]!.processes.length).toBe(1);
      }
      const db = ours().find((s) => s.name === "db")!;
      expect(db.endpoints.map((e) => [e.address, e.port, e.netns])).toEqual([[pod(2), 5432, key(pods[1]!)]]);
      expect(db.endpoints[0]!.listeners).toHaveLength(1);
    });

    test("forwardings from every frontend to every endpoint, named after the service; no anonymous endpoint DNAT left", () => {
      const fwd = topology.forwardedPorts.filter((p) => p.netns === key(node));
      const web = fwd.filter((p) => p.service?.name === "shop/web:http");
      // 3 frontends × 2 endpoints
      expect(web).toHaveLength(6);
      const cluster = web.filter((p) => p.service!.access === "clusterIP");
      expect(cluster.map((p) => [p.protocol, p.hostAddress, p.hostPorts, p.destinationAddress, p.destinationPorts?.first]).sort()).toEqual([
        ["tcp", `${svcNet}.41`, { first: 80, last: 80 }, pod(1), 8080],
        ["tcp", `${svcNet}.41`, { first: 80, last: 80 }, pod(2), 8080],
      ]);
      expect(cluster.every((p) => p.engine === "kube-proxy" && p.listeners.length === 1)).toBe(true);
      const nodePort = web.find((p) => p.service!.access === "nodePort")!;
      expect([nodePort.hostAddress, nodePort.hostPorts?.first]).toEqual([null, 30080]);
      expect(fwd.find((p) => p.service?.name === "shop/db")?.hostAddress).toBe(`${svcNet}.42`);
      expect(fwd.filter((p) => p.service === null)).toEqual([]);
    });

    test("the rules are live: a connection to the ClusterIP from the node reaches a pod's listener", () => {
      const got = sh("ip", ["netns", "exec", node, "python3", "-c", `import socket\ns=socket.create_connection(('${svcNet}.41', 80), 5)\nprint(s.recv(64).decode().strip())`]).trim();
      expect(["pod1", "pod2"]).toContain(got);
    });

    test("whereis: from the node, the ClusterIP goes through the service to a pod; a NodePort too", () => {
      const index = indexTopology(topology);
      const r = whereIs(index, `${svcNet}.41`, { from: key(node), port: 80 });
      const dnat = r.path.find((h) => h.kind === "dnat")!;
      expect(dnat.dnat).toMatchObject({ service: "shop/web:http", from: `${svcNet}.41:80`, to: `${pod(1)}:8080` });
      expect(r.end?.reason).toBe("delivered");
      expect(r.reached?.netns).toBe(key(pods[0]!));
      expect(r.found).toBe(true);
      expect(r.notes.some((n) => n.includes("one of 2 endpoints"))).toBe(true);
      const np = whereIs(index, `${net}.1`, { from: key(node), port: 30080 });
      expect(np.path[0]!.dnat?.service).toBe("shop/web:http");
      expect(np.reached?.netns).toBe(key(pods[0]!));
      // Without --port a node address is just the node's own.
      expect(whereIs(index, `${net}.1`, { from: key(node) }).reached?.netns).toBe(key(node));
    });
  });
}
