// A hand-built host for the wiring's tests (model, exports, map): a bridge with two container
// veths, a macvlan whose lower device is in another namespace, a vxlan on an underlay, a tun
// device held by a process, a container with an image and a compose project, a forwarded port.

import { processKey } from "../../src/model/keys.ts";
import type { Topology } from "../../src/model/topology.ts";
import { TopologyBuilder } from "./build-topology.ts";

export function sampleHost(): Topology {
  const b = new TopologyBuilder();
  const host = b.ns("host", { initial: true });
  const web = b.ns("web");
  const db = b.ns("db");
  const eth0 = b.iface(host, "eth0", "physical", ["192.0.2.10/24"]);
  const [vweb, webEth0] = b.veth(host, "vethweb", web, "eth0", [], ["172.17.0.2/16"]);
  const [vdb] = b.veth(host, "vethdb", db, "eth0", [], ["172.17.0.3/16"]);
  const docker0 = b.bridge(host, "docker0", [vweb, vdb], ["172.17.0.1/16"]);
  docker0.containerNetwork = { network: "container-network:docker:n1", engine: "docker", name: "bridge", internal: false, default: true, labels: {} };
  const mac = b.iface(db, "mac0", "macvlan");
  mac.relations.master = eth0.key;
  const vx = b.iface(host, "vxlan42", "vxlan");
  vx.relations.underlay = eth0.key;
  const tap = b.iface(host, "tap0", "tuntap");
  tap.operState = "DOWN";
  tap.up = false;
  const qemu = processKey("00000000-0000-0000-0000-000000000000", 4242, 99);
  tap.users = [qemu];
  const t = b.build();
  t.processes.push({ key: qemu, pid: 4242, ppid: 1, comm: "qemu-system-x86", cmdline: [], startTime: 99, uid: 0, netns: host.key, pidns: null, scheduling: null, cpuAffinity: null });
  web.containers = ["container:docker:abc"];
  t.containers.push({ key: "container:docker:abc", engine: "e", id: "abc", name: "web", image: "nginx:1.25", state: "running", enginePid: 1, process: null, netns: web.key, labels: {}, privileged: false, groups: [{ kind: "compose-project", name: "shop" }], networks: [], containerdNamespace: null, pod: null });
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
    destinationNetns: web.key,
    destinationInterface: webEth0.key,
    listeners: [],
    sources: [],
    service: null,
  });
  return t;
}
