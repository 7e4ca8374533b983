// Tenants and their DNS settings against real processes: a tenant made with unshare (own UTS and
// mount namespace, chrooted into a small root under the lab dir) in a test namespace, with a
// private /etc/hosts bind-mounted over the root's own and a resolv.conf that is an ABSOLUTE
// symlink. The link's target path also exists on the host with decoy contents, so reading the
// host's file instead of the tenant's cannot go unnoticed.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { closeFd, openRootDir, readFileInRoot, threadUtsLink } from "../../src/ffi/index.ts";
import { discover } from "../../src/discovery/discover.ts";
import { indexTopology } from "../../src/model/index-topology.ts";
import type { NetworkNamespace, Topology } from "../../src/model/topology.ts";
import type { Tenant } from "../../src/model/tenants.ts";
import { renderLs } from "../../src/cli/render/ls-tree.ts";
import { makeStyle } from "../../src/cli/render/style.ts";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";

const root = requireRoot();
const lab = new Lab();
let nsName = "";
let rootDir = "";
let decoy = "";
let chrooted = 0; // the unshare'd, chrooted tenant (a shell with a child)
let plain = 0; // a second tenant of the same namespace: no chroot, reduced bounding set
let loner = 0; // the only process of a namespace no bind mount names
let topo: Topology;
let utsBefore = "";

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  if (!root) return;
  try {
    nsName = lab.netns("tn");
    rootDir = join(lab.dir, "root");
    for (const d of ["etc", "usr", "dev", "run", lab.dir.slice(1)]) mkdirSync(join(rootDir, d), { recursive: true });
    for (const l of ["bin", "lib", "lib64", "sbin"]) symlinkSync(`usr/${l}`, join(rootDir, l));
    writeFileSync(join(rootDir, "etc/hosts"), "10.66.0.1 hidden-under-the-bind-mount\n");
    writeFileSync(join(lab.dir, "private-hosts"), "# tenant's own\n10.66.0.2 tenant-web web\nfd66::2 tenant-web\n");
    writeFileSync(join(rootDir, "etc/hostname"), "tenant-file-name\n");
    writeFileSync(join(rootDir, "etc/domainname"), "tenant.example\n");
    // The absolute link, and the file it means inside the root…
    decoy = join(lab.dir, "resolv.conf");
    symlinkSync(decoy, join(rootDir, "etc/resolv.conf"));
    writeFileSync(join(rootDir, decoy), "nameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch lab.example corp.example\noptions ndots:2\n");
    // …and the same path on the host, which must NOT be read.
    writeFileSync(decoy, "nameserver 198.51.100.66\nsearch decoy.example\n");

    const script = [
      `mount --bind /usr ${rootDir}/usr`,
      `mount --bind /dev ${rootDir}/dev`, // sh gives a background job /dev/null as stdin
      `mount --bind ${lab.dir}/private-hosts ${rootDir}/etc/hosts`,
      "hostname tenant-uts",
      `exec chroot ${rootDir} /bin/sh -c 'sleep 1000 & echo ready; wait'`,
    ].join(" && ");
    const a = lab.spawn("ip", ["netns", "exec", nsName, "unshare", "--mount", "--uts", "--propagation", "private", "sh", "-c", script]);
    await lab.waitFor(a, "ready");
    chrooted = a.pid!;
    await sleepMs(50); // start times are in clock ticks: make the second tenant visibly younger
    const b = lab.spawn("ip", ["netns", "exec", nsName, "setpriv", "--bounding-set", "-net_raw", "sh", "-c", "echo ready; exec sleep 1000"]);
    await lab.waitFor(b, "ready", { exec: "sleep" });
    plain = b.pid!;
    const c = lab.spawn("unshare", ["--net", "sh", "-c", "echo ready; exec sleep 1000"]);
    await lab.waitFor(c, "ready", { exec: "sleep" });
    loner = c.pid!;
    utsBefore = threadUtsLink();
    topo = discover();
  } catch (err) {
    lab.cleanup();
    throw err;
  }
});

afterAll(() => lab.cleanup());

function nsOf(pid: number): NetworkNamespace {
  const ino = Number(/net:\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))![1]);
  const ns = topo.namespaces.find((n) => n.inode === ino);
  if (!ns) throw new Error(`namespace of pid ${pid} not discovered`);
  return ns;
}

function tenant(pid: number): Tenant {
  const t = nsOf(pid).tenants.find((x) => x.pid === pid);
  if (!t) throw new Error(`pid ${pid} is not a tenant of its namespace`);
  return t;
}

describe.if(root)("tenants", () => {
  test("the leaders of the namespace are its tenants, oldest first; forked children are not (nor listed)", () => {
    const ns = nsOf(chrooted);
    expect(ns.tenants.map((t) => t.pid)).toEqual([chrooted, plain]);
    expect(ns.tenants.map((t) => t.oldest)).toEqual([true, false]);
    expect(ns.tenants.map((t) => t.comm)).toEqual(["sh", "sleep"]);
    // The shell's background sleep is attached to the namespace but is not a tenant, and with no
    // other part in the network it is not listed at all (docs/dump.md, Which processes).
    const child = Number(sh("pgrep", ["-P", String(chrooted)]).trim().split("\n")[0]);
    expect(topo.processes.map((p) => p.pid)).not.toContain(child);
    expect(ns.references).not.toContainEqual({ kind: "process", pid: child });
    expect(ns.tenants.map((t) => t.pid)).not.toContain(child);
    expect(new Set(ns.processes)).toEqual(new Set(ns.tenants.map((t) => t.process)));
    expect(ns.tenants.every((t) => t.kind === "process")).toBe(true);
    expect(tenant(chrooted).process).toBe(topo.processes.find((p) => p.pid === chrooted)!.key);
  });

  test("a namespace no bind mount names is named after its tenants", () => {
    expect(nsOf(loner).displayName).toBe("sleep");
    expect(nsOf(chrooted).displayName).toBe(nsName);
  });

  test("bounding capabilities come from CapBnd", () => {
    const full = tenant(chrooted).boundingCapabilities!;
    const reduced = tenant(plain).boundingCapabilities!;
    expect(full).toContain("CAP_NET_RAW");
    expect(reduced).not.toContain("CAP_NET_RAW");
    expect(reduced).toContain("CAP_NET_ADMIN");
    expect(reduced.length).toBe(full.length - 1);
  });

  test("UTS hostname is the tenant's, read without leaving this thread elsewhere", () => {
    expect(tenant(chrooted).dns.utsHostname).toBe("tenant-uts");
    expect(tenant(plain).dns.utsHostname).toBe(hostname());
    expect(threadUtsLink()).toBe(utsBefore);
    expect(readFileSync("/proc/sys/kernel/hostname", "utf8").trim()).toBe(hostname());
  });

  test("/etc/hostname and /etc/domainname are read inside the tenant's root", () => {
    expect(tenant(chrooted).dns.hostname).toBe("tenant-file-name");
    expect(tenant(chrooted).dns.domainname).toBe("tenant.example");
  });

  test("/etc/hosts is the file bind-mounted in the tenant's mount namespace", () => {
    expect(tenant(chrooted).dns.hosts).toEqual([
      { name: "tenant-web", addresses: ["10.66.0.2", "fd66::2"] },
      { name: "web", addresses: ["10.66.0.2"] },
    ]);
  });

  test("resolv.conf: the absolute symlink is followed inside the tenant's root, not the host's", () => {
    expect(tenant(chrooted).dns.resolver).toEqual({
      nameservers: ["192.0.2.53", "2001:db8::53"],
      search: ["lab.example", "corp.example"],
      options: ["ndots:2"],
    });
    // The oracle: the host resolves the same link to the decoy.
    expect(readFileSync(join(rootDir, "etc/resolv.conf"), "utf8")).toContain("198.51.100.66");
  });

  test("openat2 RESOLVE_IN_ROOT keeps absolute links and '..' inside the root", () => {
    symlinkSync(`../../../../../../../..${decoy}`, join(rootDir, "etc/dotdot"));
    const fd = openRootDir(rootDir);
    try {
      const text = (p: string) => new TextDecoder().decode(readFileInRoot(fd, p, 4096)!.bytes);
      expect(text("/etc/resolv.conf")).toContain("192.0.2.53");
      expect(text("etc/dotdot")).toContain("192.0.2.53");
      expect(readFileInRoot(fd, "/etc/no-such-file", 4096)).toBeNull();
      expect(readFileInRoot(fd, "/etc/hosts", 10)).toMatchObject({ truncated: true });
    } finally {
      closeFd(fd);
    }
  });

  test("DNS files are read once per mount namespace and root; UTS names once per UTS namespace", () => {
    const all = topo.namespaces.flatMap((n) => n.tenants);
    expect(topo.stats.tenants).toBe(all.length);
    const uts = new Set(all.map((t) => readlinkSync(`/proc/${t.pid}/ns/uts`)));
    expect(topo.stats.utsNamespaces).toBeLessThanOrEqual(uts.size);
    expect(topo.stats.dnsFileSets).toBeLessThan(all.length + 1);
  });

  test("ls -t shows tenants and their DNS settings", () => {
    const out = renderLs(indexTopology(topo), { routes: false, tenants: true, style: makeStyle(false) });
    const block = out.slice(out.indexOf(`${nsName}  net:`));
    // This test's own bounding set may already lack some capabilities (a sandbox): count them.
    const n = tenant(chrooted).boundingCapabilities!.length;
    expect(block).toContain(`sh (${chrooted})  oldest  uts tenant-uts  caps ${n >= 41 ? "all" : `${n}/41`}`);
    expect(block).toContain(`sleep (${plain})  uts ${hostname()}  caps ${n - 1}/41`);
    expect(block).toContain("resolv.conf nameserver 192.0.2.53, 2001:db8::53 · search lab.example corp.example · options ndots:2");
    expect(block).toContain("hosts tenant-web 10.66.0.2,fd66::2 · web 10.66.0.2");
    expect(renderLs(indexTopology(topo), { routes: false, tenants: false, style: makeStyle(false) })).not.toContain("tenant-uts");
  });
});
