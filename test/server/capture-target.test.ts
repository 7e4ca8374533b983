// Capture targets given as GraphQL node ids (model/node-id.ts), on a hand-built topology.
import { describe, expect, test } from "bun:test";
import { nodeIdTarget, resolveTarget, TargetError } from "../../src/capture/target.ts";
import { encodeNodeId } from "../../src/model/node-id.ts";
import type { Container } from "../../src/model/containers.ts";
import { TopologyBuilder } from "../model/build-topology.ts";

function topology() {
  const b = new TopologyBuilder();
  const web = b.ns("web");
  const db = b.ns("db");
  const eth = b.iface(web, "eth0", "veth");
  const t = b.build();
  t.processes.push({ key: "proc:boot:42:1000", pid: 42, ppid: 1, comm: "nginx", cmdline: ["nginx"], startTime: 1000, uid: 0, netns: web.key, pidns: null, scheduling: null, cpuAffinity: null });
  t.containers.push({ key: "container:docker:abc", netns: db.key } as unknown as Container);
  return { t, web, db, eth };
}

describe("node ids as capture targets", () => {
  test("a namespace, an interface (with the interface), a process and a container lead to their namespace", () => {
    const { t, web, db, eth } = topology();
    expect(nodeIdTarget(t, encodeNodeId("NetworkNamespace", web.key))).toEqual({ ns: web });
    expect(nodeIdTarget(t, encodeNodeId("Veth", eth.key))).toEqual({ ns: web, iface: eth });
    expect(nodeIdTarget(t, encodeNodeId("Process", "proc:boot:42:1000"))).toEqual({ ns: web });
    expect(nodeIdTarget(t, encodeNodeId("Container", "container:docker:abc"))).toEqual({ ns: db });
    expect(resolveTarget(t, encodeNodeId("NetworkNamespace", db.key))).toBe(db);
    expect(resolveTarget(t, encodeNodeId("Veth", eth.key))).toBe(web);
  });

  test("not an id, or an id of nothing here: null, and resolveTarget's usual error", () => {
    const { t } = topology();
    expect(nodeIdTarget(t, "web!")).toBeNull();
    expect(nodeIdTarget(t, encodeNodeId("NetworkNamespace", "netns:other:1"))).toBeNull();
    expect(nodeIdTarget(t, Buffer.from("lowercase:x").toString("base64url"))).toBeNull();
    expect(() => resolveTarget(t, encodeNodeId("NetworkNamespace", "netns:other:1"))).toThrow(TargetError);
  });

  test("a display name wins over an id that happens to decode", () => {
    const { t, db } = topology();
    const id = encodeNodeId("NetworkNamespace", t.namespaces[0]!.key);
    db.displayName = id;
    expect(resolveTarget(t, id)).toBe(db);
  });
});

// Issue 14, item 7: a path is matched against what discovery found, never looked at, so a client
// of the server (which runs as root) cannot learn whether some file exists.
describe("paths as capture targets", () => {
  function withReferences() {
    const { t, web, db } = topology();
    web.references.push({ kind: "bindmount", path: "/run/netns/web", viaPid: 1, mountNamespace: 4026531840 });
    db.references.push({ kind: "thread", pid: 7, tid: 77 });
    return { t, web, db };
  }

  test("bind mounts discovery saw (also through /var/run), /proc/PID/ns/net of listed processes and threads", () => {
    const { t, web, db } = withReferences();
    expect(resolveTarget(t, "/run/netns/web")).toBe(web);
    expect(resolveTarget(t, "/var/run/netns/web")).toBe(web);
    expect(resolveTarget(t, "/proc/42/ns/net")).toBe(web); // nginx, from the process list
    expect(resolveTarget(t, "/proc/7/task/77/ns/net")).toBe(db);
  });

  test("any other path gets the same answer whether or not it exists", () => {
    const { t } = withReferences();
    const answer = (path: string) => {
      try {
        resolveTarget(t, path);
      } catch (err) {
        return (err as Error).message.replace(path, "PATH");
      }
      return "resolved";
    };
    const existing = answer("/etc/passwd");
    expect(existing).toContain("is not a namespace path wiresight found");
    for (const path of ["/nonexistent/x", "/proc/self/ns/net", "/proc/1/ns/net", "/run/netns/nothere", "/proc/99999/ns/net"]) expect(answer(path)).toBe(existing);
  });
});
