// A hand-built Topology with everything Ghostwire's /json has a field for: a container network's
// bridge (labels), veth pairs, a container of a Kubernetes pod with a sidecar, a privileged
// compose container, a tap held by a process, a vxlan on an underlay, a vlan and a macvlan on a
// NIC, SR-IOV PF and VF, a bind-mounted namespace nothing runs in, kthreadd, nested PID
// namespaces, sockets (dual-stack listener, connected with remote service, UDP), a forwarded
// port, policy routes. The Ghostwire tests pin the mapping of each part on it.

import { containerKey, containerNetworkKey, engineKey } from "../../src/model/containers.ts";
import { pidnsKey, processKey } from "../../src/model/keys.ts";
import { socketKey } from "../../src/model/socket.ts";
import type { DnsSettings, Tenant } from "../../src/model/tenants.ts";
import type { NetworkNamespace, Process, Socket, Topology } from "../../src/model/topology.ts";
import { TopologyBuilder } from "../model/build-topology.ts";

export const BOOT = "00000000-0000-0000-0000-000000000000";
const HOST_PIDNS = pidnsKey(BOOT, 4026531836, 10);
const POD_PIDNS = pidnsKey(BOOT, 4026532200, 777);
const SHOP_PIDNS = pidnsKey(BOOT, 4026532300, 900);

export const pk = (pid: number, start: number) => processKey(BOOT, pid, start);

function proc(pid: number, ppid: number, comm: string, cmdline: string[], start: number, netns: string | null, pidns: string | null): Process {
  return {
    key: pk(pid, start),
    pid,
    ppid,
    comm,
    cmdline,
    startTime: start,
    uid: 0,
    netns,
    pidns,
    scheduling: { policy: "SCHED_NORMAL", rtPriority: 0, nice: 0 },
    cpuAffinity: [[0, 3]],
  };
}

const noDns: DnsSettings = { utsHostname: null, utsDomainname: null, hostname: null, domainname: null, hosts: null, resolver: null };

function tenant(p: Process, container: string | null, caps: string[] | null, dns: DnsSettings = noDns): Tenant {
  return { kind: container ? "container" : "process", process: p.key, container, pid: p.pid, comm: p.comm, oldest: false, boundingCapabilities: caps, dns };
}

function socket(ns: NetworkNamespace, cookie: string, s: Partial<Socket> & Pick<Socket, "family" | "protocol" | "localAddress" | "localPort" | "state" | "simpleState">): Socket {
  return {
    key: socketKey(ns.key, cookie),
    netns: ns.key,
    cookie,
    remoteAddress: s.family === "ipv4" ? "0.0.0.0" : "::",
    remotePort: 0,
    inode: 1,
    uid: 0,
    v6only: null,
    dualStack: false,
    boundInterface: null,
    interfaces: [],
    processes: [],
    service: null,
    remoteService: null,
    ...s,
  };
}

export function handBuilt(): Topology {
  const b = new TopologyBuilder();
  const host = b.ns("initial", { initial: true });
  const pod = b.ns("pod");
  const shop = b.ns("shop");
  const bare = b.ns("bare");
  bare.references.push({ kind: "bindmount", path: "/run/netns/bare", viaPid: 1, mountNamespace: 4026531841 });

  const eth0 = b.iface(host, "eth0", "physical", ["192.0.2.10/24"]);
  eth0.driverKind = null;
  eth0.mac = "52:54:00:12:34:56";
  eth0.details = { kind: "physical", driver: "ixgbe", driverVersion: "5.1.0-k", firmwareVersion: "0x800003e2", busInfo: "0000:03:00.0", sriov: "pf", numVfs: null, virtualFunctions: null };
  const vf = b.iface(pod, "net1", "physical");
  vf.details = { kind: "physical", driver: "ixgbevf", driverVersion: null, firmwareVersion: null, busInfo: "0000:03:10.0", sriov: "vf", numVfs: null, virtualFunctions: null };
  vf.relations.pf = eth0.key;
  eth0.relations.vfs.push(vf.key);

  const [vh, vc] = b.veth(host, "vethabc", pod, "eth0", [], ["172.17.0.2/16", "2001:db8::2/64"]);
  vh.mac = "5a:c1:fd:e9:20:1d";
  const [vh2, vs] = b.veth(host, "vethdef", shop, "eth0", [], ["172.18.0.2/16"]);
  const br = b.bridge(host, "br-0123456789ab", [vh, vh2], ["172.17.0.1/16"]);
  br.containerNetwork = { network: containerNetworkKey("docker", "0123456789ab"), engine: "docker", name: "shopnet", internal: true, default: false, labels: { "com.example.team": "web" } };
  const docker0 = b.bridge(host, "docker0", [], ["172.31.0.1/24"]);
  docker0.operState = "DOWN";
  docker0.containerNetwork = { network: containerNetworkKey("docker", "fedcba987654"), engine: "docker", name: "bridge", internal: false, default: true, labels: {} };

  const tap = b.iface(host, "tap0", "tuntap");
  tap.driverKind = "tun";
  tap.details = { kind: "tuntap", mode: "tap", persistent: false, multiQueue: false, owner: null, group: null, vnetHdr: false, packetInfo: false };
  const vx = b.iface(host, "vx42", "vxlan", ["10.42.0.1/24"]);
  vx.details = { kind: "vxlan", vni: 42, group: null, remote: "192.0.2.20", local: "192.0.2.10", port: 4789, sourcePortRange: { low: 32768, high: 61000 }, ttl: null, tos: null, learning: true, proxy: false };
  vx.relations.underlay = eth0.key;
  eth0.relations.overlays.push(vx.key);
  const vlan = b.iface(host, "eth0.7", "vlan");
  vlan.details = { kind: "vlan", id: 7, protocol: "802.1ad" };
  vlan.relations.master = eth0.key;
  const mv = b.iface(pod, "mv0", "macvlan");
  mv.details = { kind: "macvlan", mode: "bridge", macvtap: false };
  mv.relations.master = eth0.key;
  eth0.relations.slaves.push(vlan.key, mv.key);

  b.route(host, "172.17.0.0/16", { dev: br });
  b.route(host, "192.0.2.0/24", { dev: eth0 });
  b.route(host, "default", { dev: eth0, via: "192.0.2.1" });
  b.route(host, "198.51.100.0/24", { type: "blackhole" });
  b.route(host, "203.0.113.0/24", { dev: eth0, via: "192.0.2.254", table: 100 }); // policy routing: not Ghostwire's
  b.route(host, "192.0.2.10/32", { dev: eth0, type: "local", table: 255 });
  b.route(pod, "default", { dev: vc, via: "172.17.0.1" });
  b.route(pod, "2001:db8::/64", { dev: vc });
  const t = b.build();
  t.host.kernelVersion = "Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1";
  t.host.os = { name: "Debian GNU/Linux", version: "12 (bookworm)", id: "debian", versionId: "12", prettyName: "Debian GNU/Linux 12 (bookworm)" };
  t.host.cpusOnline = [[0, 3]];

  const systemd = proc(1, 0, "systemd", ["/sbin/init"], 10, host.key, HOST_PIDNS);
  const kthreadd = proc(2, 0, "kthreadd", [], 10, host.key, HOST_PIDNS);
  const dockerd = proc(900, 1, "dockerd", ["/usr/bin/dockerd", "-H", "fd://"], 100, host.key, HOST_PIDNS);
  const qemu = proc(950, 1, "qemu", ["qemu", "-netdev", "tap,ifname=tap0"], 150, host.key, HOST_PIDNS);
  const nginx = proc(4242, 1, "nginx", ["nginx", "-g", "daemon off;"], 777, pod.key, POD_PIDNS);
  const worker = proc(4243, 4242, "nginx", ["nginx: worker process"], 778, pod.key, POD_PIDNS);
  const envoy = proc(4300, 1, "envoy", ["envoy"], 800, pod.key, HOST_PIDNS);
  const app = proc(5000, 1, "app", ["/app", "--serve"], 900, shop.key, SHOP_PIDNS);
  app.scheduling = { policy: "SCHED_FIFO", rtPriority: 50, nice: 0 };
  app.cpuAffinity = [[1, 1], [3, 3]];
  nginx.scheduling = { policy: "SCHED_NORMAL", rtPriority: 0, nice: 5 };
  t.processes.push(systemd, kthreadd, dockerd, qemu, nginx, worker, envoy, app);
  t.pidNamespaces.push(
    { key: HOST_PIDNS, inode: 4026531836, level: 0, parent: null, init: systemd.key },
    { key: POD_PIDNS, inode: 4026532200, level: 1, parent: HOST_PIDNS, init: nginx.key },
    { key: SHOP_PIDNS, inode: 4026532300, level: 1, parent: HOST_PIDNS, init: app.key },
  );
  tap.users.push(qemu.key);

  const engine = engineKey("docker", dockerd.key);
  t.engines.push({
    key: engine,
    kind: "docker",
    process: dockerd.key,
    pid: 900,
    sockets: ["/run/docker.sock"],
    apiSocket: "/proc/900/root/run/docker.sock",
    apiVersion: "1.43",
    server: "Docker/24.0.7 (linux)",
    engineId: "ABCD:EFGH",
    version: "24.0.7",
    status: "ok",
    containerdNamespaces: [],
    cri: false,
  });
  const podGroup = { kind: "kubernetes-pod" as const, namespace: "default", name: "web-0" };
  const mk = (id: string, name: string, p: Process, ns: NetworkNamespace, state: string, labels: Record<string, string>, groups: Topology["containers"][number]["groups"], privileged = false) => ({
    key: containerKey("docker", id),
    engine,
    id,
    name,
    image: "local/busybox:1",
    state,
    enginePid: p.pid,
    containerdNamespace: null,
    pod: null,
    process: p.key,
    netns: ns.key,
    labels,
    privileged,
    groups,
    networks: [],
  });
  const web = mk("a".repeat(64), "web", nginx, pod, "running", { "io.kubernetes.pod.namespace": "default", "io.kubernetes.pod.name": "web-0" }, [podGroup]);
  const side = mk("b".repeat(64), "sidecar", envoy, pod, "paused", { "io.kubernetes.pod.namespace": "default", "io.kubernetes.pod.name": "web-0" }, [podGroup]);
  const shopApp = mk("c".repeat(64), "shop-app-1", app, shop, "running", { "com.docker.compose.project": "shop", "com.docker.compose.service": "app" }, [{ kind: "compose-project", name: "shop" }], true);
  t.containers.push(web, side, shopApp);
  pod.containers.push(web.key, side.key);
  shop.containers.push(shopApp.key);

  host.tenants.push(
    tenant(systemd, null, ["CAP_CHOWN", "CAP_SYS_ADMIN"]),
    tenant(kthreadd, null, ["CAP_CHOWN"]),
    tenant(dockerd, null, null),
    tenant(qemu, null, ["CAP_NET_ADMIN"]),
  );
  pod.tenants.push(
    tenant(nginx, web.key, ["CAP_CHOWN", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"], {
      utsHostname: "web",
      utsDomainname: "(none)",
      hostname: "web",
      domainname: null,
      hosts: [{ name: "localhost", addresses: ["127.0.0.1", "::1"] }],
      resolver: { nameservers: ["192.0.2.53"], search: ["lab.example"], options: [] },
    }),
    tenant(envoy, side.key, ["CAP_CHOWN"]),
  );
  shop.tenants.push(tenant(app, shopApp.key, ["CAP_CHOWN"]));

  pod.sockets.push(
    socket(pod, "77", { family: "ipv6", protocol: "tcp", localAddress: "::", localPort: 80, state: "LISTEN", simpleState: "listening", v6only: false, dualStack: true, interfaces: [vc.key], processes: [worker.key], service: "http" }),
    socket(pod, "78", { family: "ipv4", protocol: "tcp", localAddress: "172.17.0.2", localPort: 41000, remoteAddress: "192.0.2.53", remotePort: 443, state: "ESTABLISHED", simpleState: "connected", interfaces: [vc.key], processes: [nginx.key], remoteService: "https" }),
    socket(pod, "79", { family: "ipv6", protocol: "tcp", localAddress: "::ffff:172.17.0.2", localPort: 80, remoteAddress: "::ffff:172.17.0.9", remotePort: 51000, state: "ESTABLISHED", simpleState: "connected", interfaces: [vc.key], processes: [worker.key], service: "http" }),
    socket(pod, "80", { family: "ipv4", protocol: "udp", localAddress: "0.0.0.0", localPort: 5353, state: "CLOSE", simpleState: "listening", processes: [envoy.key] }),
    socket(pod, "81", { family: "ipv4", protocol: "tcp", localAddress: "172.17.0.2", localPort: 41001, state: "BOUND_INACTIVE", simpleState: "other" }),
  );
  t.forwardedPorts.push({
    key: `${host.key}/fwd:tcp:*:8080>172.17.0.2:80`,
    netns: host.key,
    family: "ipv4",
    protocol: "tcp",
    hostAddress: null,
    hostPorts: { first: 8080, last: 8080 },
    destinationAddress: "172.17.0.2",
    destinationAddressLast: null,
    destinationPorts: { first: 80, last: 80 },
    engine: "docker",
    destinationNetns: pod.key,
    destinationInterface: vc.key,
    listeners: [socketKey(pod.key, "77")],
    sources: [{ kind: "proxy", process: dockerd.key, pid: 900, engine: "docker" }],
    service: null,
  });
  return t;
}
