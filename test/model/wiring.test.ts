// The wiring the map draws and dump --format dot/mermaid export (src/model/wiring.ts), over the
// hand-built host of sample-host.ts.

import { describe, expect, test } from "bun:test";
import { wiringOf, type Wiring } from "../../src/model/wiring.ts";
import { sampleHost } from "./sample-host.ts";

/** `group/row` names, indented by depth, for readable expectations. */
function tree(w: Wiring): string[] {
  return w.groups.flatMap((g) => [`${g.name}${g.caption ? ` (${g.caption})` : ""}`, ...g.rows.map((r) => `${"  ".repeat(r.depth + 1)}${r.name}`)]);
}

function wires(w: Wiring): string[] {
  const name = new Map(w.groups.flatMap((g) => g.rows.map((r) => [r.key, `${g.name}/${r.name}`] as const)));
  return w.wires.map((x) => `${x.kind} ${name.get(x.from)} -> ${name.get(x.to)}${x.internal ? " (internal)" : ""}`).sort();
}

describe("wiringOf", () => {
  const t = sampleHost();
  const w = wiringOf(t);

  test("a group per namespace; rows as a tree: ports under their bridge, a vxlan under its underlay, a process under its tun device", () => {
    expect(tree(w)).toEqual([
      "host",
      "  lo",
      "  eth0",
      "    vxlan42",
      "  docker0",
      "    vethweb",
      "    vethdb",
      "  tap0",
      "    qemu-system-x86 [4242]",
      "  tcp *:8080",
      "web (nginx:1.25 · compose shop)",
      "  lo",
      "  eth0",
      "db",
      "  lo",
      "  eth0",
      "  mac0",
    ]);
    const host = w.groups[0]!;
    expect(host.initial).toBe(true);
    expect(host.rows.find((r) => r.name === "docker0")).toMatchObject({ kind: "bridge", addresses: ["172.17.0.1/16"], note: "network bridge", operState: "UP", up: true });
    expect(host.rows.find((r) => r.name === "tap0")).toMatchObject({ kind: "tuntap", operState: "DOWN", up: false });
    expect(host.rows.find((r) => r.type === "forward")).toMatchObject({ name: "tcp *:8080", note: "→ 172.17.0.2:80" });
  });

  test("a wire per relation, each once; veths from the smaller namespace; internal when both ends share a group", () => {
    expect(wires(w)).toEqual([
      "bridge host/vethdb -> host/docker0 (internal)",
      "bridge host/vethweb -> host/docker0 (internal)",
      "forward host/tcp *:8080 -> web/eth0",
      "lower db/mac0 -> host/eth0",
      "tun host/tap0 -> host/qemu-system-x86 [4242] (internal)",
      "underlay host/vxlan42 -> host/eth0 (internal)",
      "veth db/eth0 -> host/vethdb",
      "veth web/eth0 -> host/vethweb",
    ]);
    expect(new Set(w.wires.map((x) => x.key)).size).toBe(w.wires.length);
  });

  test("a relation to something not in the topology (a namespace not seen) draws no wire", () => {
    const c = structuredClone(t);
    c.namespaces.splice(2, 1); // db gone: its veth's host end points nowhere
    const x = wiringOf(c);
    expect(wires(x).filter((s) => / db\//.test(s))).toEqual([]);
    expect(wires(x)).toContain("bridge host/vethdb -> host/docker0 (internal)");
    expect(x.groups.map((g) => g.name)).toEqual(["host", "web"]);
  });

  test("the same topology gives the same wiring; wire keys survive a revision", () => {
    expect(wiringOf(structuredClone(t))).toEqual(w);
    const c = structuredClone(t);
    c.namespaces[0]!.interfaces.find((i) => i.name === "docker0")!.operState = "DOWN";
    expect(wiringOf(c).wires.map((x) => x.key)).toEqual(w.wires.map((x) => x.key));
  });
});
