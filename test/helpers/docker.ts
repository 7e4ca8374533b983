// A real Docker Engine for tests, set up as /work/shared/recipes/docker-engine.md says: docker.io
// from Debian (installed only when missing), an image made locally from busybox-static (no
// registry), dockerd with its own data root, exec root, socket and default bridge under the lab,
// so it never touches another dockerd's state. Teardown removes everything it made: containers,
// the daemon, its bridges, the nft tables Docker created (only when they hold nothing but
// Docker's chains and no other dockerd runs), ip_forward as it was, the data root.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deleteEngineTables, deleteRulesNaming, nftTables, unmountUnder } from "./engine-teardown.ts";
import { sh, type Lab } from "./lab.ts";
import { ensureTools } from "./packages.ts";

export const IMAGE = "local/busybox:1";
const APPLETS = ["sh", "ls", "cat", "ip", "hostname", "ps", "nc", "sleep", "httpd", "nslookup"];

/** Idempotent: reuses an installed docker.io. */
export function ensureDockerInstalled(): void {
  ensureTools([
    ["dockerd", "docker.io"],
    ["docker", "docker.io"],
    ["nft", "nftables"],
    ["curl", "curl"],
  ]);
}

function otherDockerdRunning(exceptPid: number): boolean {
  const out = sh("pgrep", ["-x", "dockerd"], { allowFail: true });
  return out.split("\n").some((l) => l.trim() !== "" && Number(l) !== exceptPid);
}

export class DockerEngine {
  readonly dir: string;
  readonly socket: string;
  readonly defaultBridge: string;
  pid = 0;
  private readonly containers: string[] = [];
  private readonly networks: string[] = [];
  private readonly tablesBefore: Set<string>;
  private readonly ipForwardBefore: string;

  /**
   * `daemonArgs`: extra dockerd flags, e.g. --userland-proxy=false. `privateSocket`: dockerd runs
   * in a mount namespace of its own whose tmpfs holds its API socket, as an engine inside a
   * container does: the socket path means nothing on the host, only through /proc/PID/root.
   */
  constructor(
    private readonly lab: Lab,
    private readonly options: { daemonArgs?: string[]; privateSocket?: boolean } = {},
  ) {
    this.dir = join(lab.dir, "docker");
    this.socket = join(this.dir, options.privateSocket ? "private/docker.sock" : "docker.sock");
    this.defaultBridge = lab.hostLink("d0");
    this.tablesBefore = new Set(nftTables());
    this.ipForwardBefore = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();
  }

  /** Where the host reaches the API socket. */
  get reach(): string {
    return this.options.privateSocket ? `/proc/${this.pid}/root${this.socket}` : this.socket;
  }

  /** `docker` against this engine only. */
  docker(...args: string[]): string {
    return sh("docker", ["-H", `unix://${this.reach}`, ...args]).trim();
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    // Our own default bridge (dockerd -b), so docker0 of any other engine is never touched.
    sh("ip", ["link", "add", this.defaultBridge, "type", "bridge"]);
    sh("ip", ["addr", "add", "172.31.250.1/24", "dev", this.defaultBridge]);
    sh("ip", ["link", "set", this.defaultBridge, "up"]);
    const log = join(this.dir, "dockerd.log");
    const dockerd =
      `exec dockerd --data-root ${this.dir}/data --exec-root ${this.dir}/x --pidfile ${this.dir}/dockerd.pid ` +
      `-H unix://${this.socket} -b ${this.defaultBridge} ${(this.options.daemonArgs ?? []).join(" ")} >${log} 2>&1`;
    let argv = ["sh", "-c", dockerd];
    if (this.options.privateSocket) {
      const dir = join(this.dir, "private");
      mkdirSync(dir, { recursive: true });
      // unshare execs sh, which execs dockerd: the child's PID is dockerd's.
      argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", `mount -t tmpfs wiresight-test ${dir} && ${dockerd}`];
    }
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: "ignore" });
    child.unref();
    this.pid = child.pid!;
    for (let i = 0; i < 200; i++) {
      const r = spawnSync("curl", ["-s", "--max-time", "1", "--unix-socket", this.reach, "http://localhost/_ping"], { encoding: "utf8" });
      if (r.stdout === "OK") break;
      if (i === 199) throw new Error(`dockerd did not come up: ${readFileSync(log, "utf8").slice(-2000)}`);
      await Bun.sleep(100);
    }
    this.ensureImage();
  }

  private ensureImage(): void {
    const images = this.docker("images", "-q", IMAGE);
    if (images !== "") return;
    const work = join(this.dir, "image");
    mkdirSync(work, { recursive: true });
    sh("sh", ["-c", `cd ${work} && apt-get download busybox-static >/dev/null 2>&1 && dpkg-deb -x busybox-static_*.deb pkg`]);
    const rootfs = join(work, "rootfs");
    mkdirSync(join(rootfs, "bin"), { recursive: true });
    mkdirSync(join(rootfs, "etc"), { recursive: true });
    mkdirSync(join(rootfs, "www"), { recursive: true });
    sh("cp", [join(work, "pkg/bin/busybox"), join(rootfs, "bin/busybox")]);
    for (const a of APPLETS) symlinkSync("busybox", join(rootfs, "bin", a));
    writeFileSync(join(rootfs, "etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
    writeFileSync(join(rootfs, "etc/group"), "root:x:0:\n");
    writeFileSync(join(rootfs, "www/index.html"), "wiresight\n");
    sh("tar", ["-C", rootfs, "-cf", join(work, "bb.tar"), "."]);
    this.docker("import", "-c", 'CMD ["/bin/sh"]', "-c", "ENV PATH=/bin", join(work, "bb.tar"), IMAGE);
  }

  network(name: string, ...args: string[]): string {
    const id = this.docker("network", "create", ...args, name);
    this.networks.push(id);
    return id;
  }

  run(name: string, ...args: string[]): string {
    this.containers.push(name); // by name: a run that fails half-way can still leave a container
    return this.docker("run", "-d", "--init", "--name", name, ...args);
  }

  inspect(what: string): any {
    return JSON.parse(this.docker("inspect", what))[0];
  }

  /** Never throws: safe in afterAll. */
  async stop(): Promise<void> {
    const quiet = (f: () => void) => {
      try {
        f();
      } catch {}
    };
    for (const c of this.containers) quiet(() => this.docker("rm", "-f", c));
    const bridges = [this.defaultBridge];
    for (const n of this.networks) {
      quiet(() => this.docker("network", "rm", n));
      bridges.push(`br-${n.slice(0, 12)}`);
    }
    if (this.pid > 0) {
      quiet(() => process.kill(this.pid, "SIGTERM"));
      for (let i = 0; i < 200 && existsSync(`/proc/${this.pid}`) && !isZombie(this.pid); i++) await Bun.sleep(50);
      quiet(() => process.kill(this.pid, "SIGKILL"));
    }
    for (const b of bridges) sh("ip", ["link", "del", b], { allowFail: true });
    deleteRulesNaming(bridges);
    // The nft tables Docker created, only if nothing but Docker's chains are in them and no other
    // dockerd still relies on them.
    if (!otherDockerdRunning(this.pid)) {
      deleteEngineTables(this.tablesBefore, "DOCKER");
    }
    quiet(() => writeFileSync("/proc/sys/net/ipv4/ip_forward", this.ipForwardBefore));
    // dockerd unmounts its overlays on exit; anything left under the data root is unmounted first.
    unmountUnder(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}
