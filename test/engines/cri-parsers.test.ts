// The pure parts of the containerd / CRI / CNI / kube-proxy readers, on hand-made inputs: CNI
// configuration files (bridge, nerdctl's, a single-plugin .conf, garbage), containerd container
// names and OCI spec facts, CRI timestamps, kube-proxy's concatenated map keys, libnftnl comment
// TLVs, nf_tables set element messages, and the GraphQL label selector.

import { describe, expect, test } from "bun:test";
import { parseCniConfig } from "../../src/discovery/engines/cni-networks.ts";
import { containerName, specFacts } from "../../src/discovery/engines/containerd-api.ts";
import { nanosToIso } from "../../src/discovery/engines/cri-api.ts";
import { decodeKey } from "../../src/discovery/forwarded-ports/kube-proxy-nftables.ts";
import { encodeAttribute, encodeNested } from "../../src/netlink/attributes.ts";
import { encodeMessage } from "../../src/netlink/message.ts";
import { buildNftSetElementDump, decodeNftSetElements, userdataString } from "../../src/netlink/nft-sets.ts";
import { labelSelector } from "../../src/schema/types/pods.ts";

describe("CNI configurations", () => {
  test("a bridge conflist: its bridge (cni0 when unnamed), plugin chain, subnets", () => {
    const n = parseCniConfig(
      JSON.stringify({ cniVersion: "1.0.0", name: "k8s-pod-network", plugins: [{ type: "bridge", ipam: { type: "host-local", ranges: [[{ subnet: "10.244.0.0/24" }], [{ subnet: "fd00::/64" }]] } }, { type: "portmap" }] }),
      "/etc/cni/net.d/10-pods.conflist",
    )!;
    expect([n.id, n.name, n.driver]).toEqual(["cni:k8s-pod-network", "k8s-pod-network", "bridge"]);
    expect(n.cni).toEqual({ file: "/etc/cni/net.d/10-pods.conflist", cniVersion: "1.0.0", plugins: ["bridge", "portmap"], subnets: ["10.244.0.0/24", "fd00::/64"], bridge: "cni0" });
  });

  test("nerdctl's network file: its id and labels", () => {
    const n = parseCniConfig(
      JSON.stringify({ cniVersion: "1.0.0", name: "front", nerdctlID: "ab".repeat(32), nerdctlLabels: { tier: "web" }, plugins: [{ type: "bridge", bridge: "br-abababababab", ipam: { type: "host-local", ranges: [[{ subnet: "10.4.0.0/24" }]] } }] }),
      "/etc/cni/net.d/nerdctl-front.conflist",
    )!;
    expect([n.id, n.labels, n.cni!.bridge]).toEqual(["ab".repeat(32), { tier: "web" }, "br-abababababab"]);
  });

  test("a single-plugin .conf; a macvlan network makes no bridge; garbage is no network", () => {
    const n = parseCniConfig(JSON.stringify({ cniVersion: "0.4.0", name: "lan", type: "macvlan", master: "eth0", ipam: { type: "host-local", subnet: "192.0.2.0/24" } }), "/etc/cni/net.d/20-lan.conf")!;
    expect([n.driver, n.cni!.plugins, n.cni!.subnets, n.cni!.bridge]).toEqual(["macvlan", ["macvlan"], ["192.0.2.0/24"], null]);
    expect(parseCniConfig("{", "x")).toBeNull();
    expect(parseCniConfig(JSON.stringify({ name: "n", plugins: [] }), "x")).toBeNull();
    expect(parseCniConfig(JSON.stringify({ plugins: [{ type: "bridge" }] }), "x")).toBeNull();
  });
});

describe("containerd", () => {
  test("names: nerdctl's label, else the Kubernetes container name, POD for a sandbox, else the id", () => {
    expect(containerName("c1", { "nerdctl/name": "web1", "io.kubernetes.container.name": "x" })).toBe("web1");
    expect(containerName("c2", { "io.kubernetes.container.name": "httpd" })).toBe("httpd");
    expect(containerName("c3", { "io.cri-containerd.kind": "sandbox" })).toBe("POD");
    expect(containerName("c4", {})).toBe("c4");
  });

  test("OCI spec facts: the netns path it joins, host network, privileged", () => {
    expect(specFacts({ linux: { namespaces: [{ type: "pid" }, { type: "network", path: "/var/run/netns/cni-1" }] } })).toEqual({ netnsPath: "/var/run/netns/cni-1", privileged: false, hostNetwork: false });
    expect(specFacts({ linux: { namespaces: [{ type: "pid" }] } }).hostNetwork).toBe(true);
    expect(specFacts({ process: { capabilities: { bounding: ["CAP_SYS_ADMIN"] } }, linux: { maskedPaths: [], namespaces: [] } }).privileged).toBe(true);
    expect(specFacts({ process: { capabilities: { bounding: ["CAP_SYS_ADMIN"] } }, linux: { maskedPaths: ["/proc/kcore"] } }).privileged).toBe(false);
    expect(specFacts("garbage")).toEqual({ netnsPath: "", privileged: false, hostNetwork: false });
  });

  test("CRI timestamps are nanoseconds", () => {
    expect(nanosToIso("1700000000123456789")).toBe("2023-11-14T22:13:20.123Z");
    expect(nanosToIso("0")).toBeNull();
    expect(nanosToIso("-5")).toBeNull();
  });
});

describe("kube-proxy's nftables maps", () => {
  test("concatenated keys: address . l4proto . port, each part in its own register slot", () => {
    expect(decodeKey("ac1e002906000000005000000", 4)).toBeNull(); // one nibble short
    expect(decodeKey("ac1e0029" + "06000000" + "00500000", 4)).toEqual({ address: "172.30.0.41", protocol: "tcp", port: 80 });
    expect(decodeKey("11000000" + "0bb90000", 0)).toEqual({ address: null, protocol: "udp", port: 3001 });
    expect(decodeKey("20010db8000000000000000000000001" + "84000000" + "00350000", 16)).toEqual({ address: "2001:db8::1", protocol: "sctp", port: 53 });
  });

  test("comments in libnftnl user data (type, length, NUL-terminated value)", () => {
    const ud = Uint8Array.from([1, 2, 9, 9, 0, 13, ...new TextEncoder().encode("ns1/svc1:p80"), 0]);
    expect(userdataString(ud, 0)).toBe("ns1/svc1:p80");
    expect(userdataString(ud, 5)).toBeUndefined();
    expect(userdataString(Uint8Array.from([0, 40, 65]), 0)).toBeUndefined(); // length past the end
  });

  test("a set element message: key, verdict, comment; the dump request names table and set", () => {
    const str = (s: string) => Uint8Array.from([...new TextEncoder().encode(s), 0]);
    const be32 = (n: number) => Uint8Array.from([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    const element = encodeNested(1, [
      encodeNested(1, [encodeAttribute(1, Uint8Array.from([172, 30, 0, 41, 6, 0, 0, 0, 0, 80, 0, 0]))]), // KEY / DATA_VALUE
      encodeNested(2, [encodeNested(2, [encodeAttribute(1, be32(-4 >>> 0)), encodeAttribute(2, str("service-X-ns1/svc1/tcp/p80"))])]), // DATA / VERDICT: goto
      encodeAttribute(6, Uint8Array.from([0, 4, 65, 66, 67, 0])), // USERDATA: comment "ABC"
    ]);
    const payload = Uint8Array.from([...[2, 0, 0, 0], ...encodeAttribute(1, str("kube-proxy")), ...encodeAttribute(2, str("service-ips")), ...encodeNested(3, [element])]);
    const msg = { type: (10 << 8) | 12, flags: 0, seq: 1, pid: 0, payload };
    const decoded = decodeNftSetElements(msg as never);
    expect(decoded).toEqual({
      family: 2,
      table: "kube-proxy",
      set: "service-ips",
      elements: [{ key: "ac1e0029060000000050" + "0000", flags: 0, verdict: { kind: "goto", chain: "service-X-ns1/svc1/tcp/p80" }, comment: "ABC" }],
    });
    const req = buildNftSetElementDump(7, 2, "kube-proxy", "service-ips");
    expect(Buffer.from(req).toString("hex")).toBe(
      Buffer.from(encodeMessage({ type: (10 << 8) | 13, flags: 0x301, seq: 7 }, Uint8Array.from([2, 0, 0, 0, ...encodeAttribute(1, str("kube-proxy")), ...encodeAttribute(2, str("service-ips"))]))).toString("hex"),
    );
  });
});

describe("GraphQL label selectors (kubectl's equality-based syntax)", () => {
  test("=, ==, !=, existence and its negation, all terms ANDed", () => {
    const l = { app: "web", tier: "front" };
    expect(labelSelector("app=web")(l)).toBe(true);
    expect(labelSelector("app==web,tier=front")(l)).toBe(true);
    expect(labelSelector("app!=db")(l)).toBe(true);
    expect(labelSelector("app!=web")(l)).toBe(false);
    expect(labelSelector("tier")(l)).toBe(true);
    expect(labelSelector("!canary")(l)).toBe(true);
    expect(labelSelector("!tier")(l)).toBe(false);
    expect(labelSelector("app=web,canary")(l)).toBe(false);
  });

  test("a malformed term is a clear client error", () => {
    expect(() => labelSelector("app in (web)")).toThrow(/not a label selector term/);
    expect(() => labelSelector("!app=web")).toThrow(/not a label selector term/);
  });
});
