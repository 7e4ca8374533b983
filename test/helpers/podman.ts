// A real Podman for tests, as /work/shared/recipes/docker-engine.md says: podman from Debian
// (installed when missing, with both network backends it supports: CNI plugins and netavark),
// pinned to one backend per instance, with its own storage root, run root, network config dir
// and tmp dir under the lab, the vfs storage driver (no overlay mounts to leave behind), cgroupfs and
// file events (no systemd here), and its Docker-compatible API service on a socket under the lab.
// Containers need explicit ulimits on this machine kind (no CAP_SYS_RESOURCE). Teardown removes
// what it made: containers (CNI removes their rules and netns), networks (and their bridges), the
// API service, the nft tables CNI created when nothing else is in them, ip_forward as it was, the
// host-local IPAM state of our networks, the storage.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deleteEngineTables, nftTables, unmountUnder } from "./engine-teardown.ts";
import { sh, type Lab } from "./lab.ts";
import { ensureTool } from "./packages.ts";

export const PODMAN_IMAGE = "localhost/local/busybox:1";
const APPLETS = ["sh", "sleep", "httpd"];
/** What a container needs to start here: the machine's hard limits are below Podman's defaults. */
export const PODMAN_ULIMITS = ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"];


/** Podman's network backends: which one a machine uses depends on what apt brought along. */
export type PodmanBackend = "cni" | "netavark";
export const PODMAN_BACKENDS: PodmanBackend[] = ["cni", "netavark"];
/** The prefix of every chain each backend makes, and of the chains holding its DNAT rules. */
export const BACKEND_CHAINS: Record<PodmanBackend, { all: string; dnat: string }> = {
  cni: { all: "CNI-", dnat: "CNI-DN-" },
  netavark: { all: "NETAVARK", dnat: "NETAVARK-DN-" }, // also NETAVARK_FORWARD
};
/** netavark's state, outside any directory Podman can be told (its IPAM database, aardvark-dns). */
const NETAVARK_RUN_DIR = "/run/containers/networks";

export function ensurePodmanInstalled(): void {
  ensureTool("nft", "nftables");
  ensureTool("curl", "curl");
  ensureTool("podman", "podman");
  ensureTool("/usr/lib/cni/bridge", "containernetworking-plugins");
  ensureTool("/usr/lib/podman/netavark", "netavark");
}

export class Podman {
  readonly dir: string;
  readonly socket: string;
  pid = 0;
  private readonly containers: string[] = [];
  private readonly networks: string[] = [];
  private readonly bridges: string[] = [];
  private readonly tablesBefore: Set<string>;
  private readonly ipForwardBefore: string;
  private readonly netavarkRunDirBefore = existsSync(NETAVARK_RUN_DIR);

  constructor(
    private readonly lab: Lab,
    readonly backend: PodmanBackend,
  ) {
    this.dir = join(lab.dir, `podman-${backend}`);
    this.socket = join(this.dir, "podman.sock");
    this.tablesBefore = new Set(nftTables());
    this.ipForwardBefore = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();
  }

  private get globalArgs(): string[] {
    return [
      "--root", join(this.dir, "root"),
      "--runroot", join(this.dir, "run"),
      "--network-config-dir", join(this.dir, "net"),
      "--tmpdir", join(this.dir, "tmp"),
      "--storage-driver", "vfs",
      "--cgroup-manager", "cgroupfs",
      "--events-backend", "file",
      "--network-backend", this.backend,
    ];
  }

  podman(...args: string[]): string {
    return sh("podman", [...this.globalArgs, ...args]).trim();
  }

  /** Imports the image and starts the API service; resolves when it answers /_ping. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.importImage();
    const log = join(this.dir, "service.log");
    const args = [...this.globalArgs, "system", "service", "--time=0", `unix://${this.socket}`].join(" ");
    const child = spawn("sh", ["-c", `exec podman ${args} >${log} 2>&1`], { detached: true, stdio: "ignore" });
    child.unref();
    this.pid = child.pid!;
    for (let i = 0; i < 200; i++) {
      const r = spawnSync("curl", ["-s", "--max-time", "1", "--unix-socket", this.socket, "http://localhost/_ping"], { encoding: "utf8" });
      if (r.stdout === "OK") return;
      if (i === 199) throw new Error(`podman system service did not come up: ${readFileSync(log, "utf8").slice(-2000)}`);
      await Bun.sleep(100);
    }
  }

  private importImage(): void {
    const work = join(this.dir, "image");
    mkdirSync(work, { recursive: true });
    sh("sh", ["-c", `cd ${work} && apt-get download busybox-static >/dev/null 2>&1 && dpkg-deb -x busybox-static_*.deb pkg`]);
    const rootfs = join(work, "rootfs");
    for (const d of ["bin", "etc", "www"]) mkdirSync(join(rootfs, d), { recursive: true });
    sh("cp", [join(work, "pkg/bin/busybox"), join(rootfs, "bin/busybox")]);
    for (const a of APPLETS) symlinkSync("busybox", join(rootfs, "bin", a));
    writeFileSync(join(rootfs, "etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
    writeFileSync(join(rootfs, "www/index.html"), "wiresight\n");
    sh("tar", ["-C", rootfs, "-cf", join(work, "bb.tar"), "."]);
    this.podman("import", "-c", 'CMD ["/bin/sh"]', "-c", "ENV PATH=/bin", join(work, "bb.tar"), "local/busybox:1");
  }

  /**
   * A bridge network; returns the bridge device Podman picked for it (a free cni-podmanN: this
   * Podman cannot be told a name), which teardown removes if CNI left it behind.
   */
  network(name: string, ...args: string[]): string {
    this.networks.push(name);
    this.podman("network", "create", ...args, name);
    const bridge = JSON.parse(this.podman("network", "inspect", name))[0].network_interface as string;
    this.bridges.push(bridge);
    return bridge;
  }

  run(name: string, ...args: string[]): string {
    this.containers.push(name);
    return this.podman("run", "-d", "--name", name, ...PODMAN_ULIMITS, ...args);
  }

  inspect(what: string): any {
    return JSON.parse(this.podman("inspect", what))[0];
  }

  /** Never throws: safe in afterAll. */
  async stop(): Promise<void> {
    const quiet = (f: () => void) => {
      try {
        f();
      } catch {}
    };
    for (const c of this.containers) quiet(() => this.podman("rm", "-f", "-t", "0", c));
    for (const n of this.networks) {
      quiet(() => this.podman("network", "rm", "-f", n));
      rmSync(`/var/lib/cni/networks/${n}`, { recursive: true, force: true });
    }
    for (const b of this.bridges) sh("ip", ["link", "del", b], { allowFail: true });
    if (this.pid > 0) {
      quiet(() => process.kill(this.pid, "SIGTERM"));
      for (let i = 0; i < 100 && existsSync(`/proc/${this.pid}`); i++) await Bun.sleep(50);
      quiet(() => process.kill(this.pid, "SIGKILL"));
    }
    deleteEngineTables(this.tablesBefore, BACKEND_CHAINS[this.backend].all);
    if (!this.netavarkRunDirBefore) rmSync(NETAVARK_RUN_DIR, { recursive: true, force: true });
    quiet(() => writeFileSync("/proc/sys/net/ipv4/ip_forward", this.ipForwardBefore));
    unmountUnder(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
