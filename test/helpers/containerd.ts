// A real containerd for tests, set up as /work/shared/recipes/containerd-cri.md says: Debian's
// containerd (installed when missing) with its own root, state, socket and runc root under the
// lab, its CRI plugin on, pods wired by a CNI bridge config (Debian's containernetworking-plugins
// in /usr/lib/cni) and a locally imported busybox image as sandbox image (no registry).
//
// Unlike the recipe, containerd runs inside a lab namespace (the "node"): the CNI bridge,
// the hostPort (portmap) and firewall rules, and the ip6 nat table portmap leaves all live in that
// namespace and go with it; the pods' netns bind mounts live in containerd's own mount namespace
// and go with it. Teardown removes the rest: pods through the CRI
// (CNI DEL), ctr containers, the daemon, stray shims, mounts, cgroups, the work directory, the
// libcni cache files and directories it created.

import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { unmountUnder } from "./engine-teardown.ts";
import { sh, type Lab } from "./lab.ts";
import { ensureTools } from "./packages.ts";

export const IMAGE = "local/busybox:1";
const CNI_BIN = "/usr/lib/cni";
const LIBCNI_CACHE = "/var/lib/cni";

/** Idempotent; the suite's preload (test/setup/packages.ts) normally installed them already. */
export function ensureContainerdInstalled(): void {
  ensureTools([
    ["containerd", "containerd"],
    ["ctr", "containerd"],
    ["runc", "runc"],
    [join(CNI_BIN, "bridge"), "containernetworking-plugins"],
    ["iptables-nft", "iptables"],
  ]);
}

type Rpc = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: any) => void) => void;

export interface PodSpec {
  namespace: string;
  name: string;
  uid: string;
  labels?: Record<string, string>;
  hostPort?: { container: number; host: number };
  containers: { name: string; command: string[] }[];
}

export class Containerd {
  readonly dir: string;
  readonly socket: string;
  /** The CNI network's name and bridge (unique per lab). */
  readonly network: string;
  readonly bridge: string;
  readonly subnet: string;
  readonly cgroupParent: string;
  pid = 0;
  private readonly libcniBefore: boolean;
  private client: (grpc.Client & Record<string, Rpc>) | null = null;
  private readonly ctrContainers: { ns: string; id: string }[] = [];

  constructor(
    private readonly lab: Lab,
    /** The lab namespace containerd runs in (its "node"). */
    readonly node: string,
    /** The third octet of 10.222.X.0/24, unique enough per run. */
    octet: number,
    /**
     * `as: "crio"` runs containerd's binary under the name crio (a copy), so that wiresight, which
     * tells engines apart by process name, asks it as CRI-O: over the CRI alone.
     */
    /**
     * `privateSocket`: the socket lives on a tmpfs of containerd's own mount namespace, as in a
     * container: its path means nothing on the host, only through /proc/PID/root.
     */
    private readonly options: { as?: "crio"; images?: string[]; privateSocket?: boolean } = {},
  ) {
    const tag = options.as ?? "ctrd";
    this.dir = join(lab.dir, tag);
    this.socket = join(this.dir, options.privateSocket ? "private" : "", options.as === "crio" ? "crio.sock" : "containerd.sock");
    this.network = `${lab.prefix}-${tag}`;
    this.bridge = `${lab.prefix}${options.as === "crio" ? "crio" : "cni0"}`;
    this.subnet = `10.222.${octet}.0/24`;
    this.cgroupParent = `/${lab.prefix}-${tag}`;
    this.libcniBefore = existsSync(LIBCNI_CACHE);
  }

  /** Where the host reaches the socket. */
  get reach(): string {
    return this.options.privateSocket ? `/proc/${this.pid}/root${this.socket}` : this.socket;
  }

  /** `ctr` against this containerd. */
  ctr(ns: string, ...args: string[]): string {
    return sh("ctr", ["-a", this.reach, "-n", ns, ...args]).trim();
  }

  async start(): Promise<void> {
    const d = this.dir;
    for (const sub of ["net.d", "cni-ipam", "podlogs", "runc", "fifo"]) mkdirSync(join(d, sub), { recursive: true });
    writeFileSync(
      join(d, "cfg.toml"),
      `version = 2
root = "${d}/root"
state = "${d}/state"
[grpc]
  address = "${this.socket}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${d}/root/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${IMAGE}"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "${CNI_BIN}"
    conf_dir = "${d}/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${d}/runc"
`,
    );
    writeFileSync(
      join(d, "net.d", "10-pods.conflist"),
      JSON.stringify({
        cniVersion: "1.0.0",
        name: this.network,
        plugins: [
          {
            type: "bridge",
            bridge: this.bridge,
            isGateway: true,
            ipMasq: true,
            hairpinMode: true,
            ipam: { type: "host-local", dataDir: join(d, "cni-ipam"), ranges: [[{ subnet: this.subnet }]], routes: [{ dst: "0.0.0.0/0" }] },
          },
          { type: "portmap", capabilities: { portMappings: true } },
          { type: "firewall" },
        ],
      }),
    );
    const log = join(d, "containerd.log");
    let binary = "containerd";
    if (this.options.as === "crio") {
      binary = join(d, "crio");
      copyFileSync(sh("sh", ["-c", "command -v containerd"]).trim(), binary);
      chmodSync(binary, 0o755);
    }
    // The node's network namespace, and a mount namespace of containerd's own (slave: what it
    // mounts, the pods' netns files, stays in it). Not `ip netns exec`, whose fresh /sys hides
    // the cgroup mounts runc needs.
    const privateDir = join(d, "private");
    mkdirSync(privateDir, { recursive: true });
    const mount = this.options.privateSocket ? `mount -t tmpfs wiresight-test ${privateDir} && ` : "";
    const child = spawn(
      "unshare",
      ["--mount", "--propagation", "slave", "nsenter", `--net=/run/netns/${this.node}`, "sh", "-c", `${mount}exec ${binary} --config ${d}/cfg.toml >${log} 2>&1`],
      { detached: true, stdio: "ignore" },
    );
    child.unref();
    this.pid = child.pid!; // unshare execs nsenter, which execs sh, which execs containerd
    for (let i = 0; ; i++) {
      if (spawnSync("ctr", ["-a", this.reach, "version"], { encoding: "utf8" }).status === 0) break;
      if (i === 100) throw new Error(`containerd did not come up: ${readFileSync(log, "utf8").slice(-2000)}`);
      await Bun.sleep(100);
    }
    this.importImage();
  }

  /** busybox-static as a docker-archive image, imported into both namespaces the tests use. */
  private importImage(): void {
    const w = join(this.dir, "img");
    const rootfs = join(w, "rootfs");
    for (const sub of ["bin", "www", "etc", "tmp"]) mkdirSync(join(rootfs, sub), { recursive: true });
    mkdirSync(join(w, "arc"), { recursive: true });
    sh("sh", ["-c", `cd ${w} && apt-get download busybox-static >/dev/null 2>&1 && dpkg-deb -x busybox-static_*.deb bb`]);
    sh("cp", [join(w, "bb/bin/busybox"), join(rootfs, "bin/busybox")]);
    for (const a of sh(join(w, "bb/bin/busybox"), ["--list"]).split("\n")) if (a !== "" && a !== "busybox") symlinkSync("busybox", join(rootfs, "bin", a));
    writeFileSync(join(rootfs, "www/index.html"), "hello from a CRI pod\n");
    writeFileSync(join(rootfs, "etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
    writeFileSync(join(rootfs, "etc/group"), "root:x:0:\n");
    sh("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C", rootfs, "-cf", join(w, "arc/layer.tar"), "."]);
    const diff = `sha256:${sh("sha256sum", [join(w, "arc/layer.tar")]).split(" ")[0]}`;
    writeFileSync(join(w, "arc/config.json"), JSON.stringify({ architecture: "amd64", os: "linux", config: { Env: ["PATH=/bin"], Cmd: ["/bin/sleep", "infinity"] }, rootfs: { type: "layers", diff_ids: [diff] } }));
    writeFileSync(join(w, "arc/manifest.json"), JSON.stringify([{ Config: "config.json", RepoTags: [IMAGE], Layers: ["layer.tar"] }]));
    sh("tar", ["-C", join(w, "arc"), "-cf", join(w, "image.tar"), "manifest.json", "config.json", "layer.tar"]);
    for (const ns of ["k8s.io", ...(this.options.images ?? [])]) this.ctr(ns, "images", "import", join(w, "image.tar"));
  }

  private cri(): grpc.Client & Record<string, Rpc> {
    if (this.client) return this.client;
    const def = loadSync(join(import.meta.dir, "cri-write.proto"), { keepCase: true, longs: String, enums: String, defaults: true });
    const Ctor = (grpc.loadPackageDefinition(def) as any).runtime.v1.RuntimeService;
    this.client = new Ctor(`unix://${this.reach}`, grpc.credentials.createInsecure());
    return this.client!;
  }

  private rpc(method: string, req: object): Promise<any> {
    const c = this.cri();
    return new Promise((ok, ko) => c[method]!.call(c, req, new grpc.Metadata(), { deadline: Date.now() + 60_000 }, (e, r) => (e ? ko(new Error(`${method}: ${e.details || e.message}`)) : ok(r))));
  }

  /** A pod through the CRI: RunPodSandbox (CNI ADD), then each container created and started. */
  async runPod(spec: PodSpec): Promise<{ podId: string; containerIds: string[] }> {
    const logDir = join(this.dir, "podlogs", spec.name);
    mkdirSync(logDir, { recursive: true });
    const config = {
      metadata: { name: spec.name, namespace: spec.namespace, uid: spec.uid, attempt: 0 },
      hostname: spec.name,
      log_directory: logDir,
      labels: spec.labels ?? {},
      port_mappings: spec.hostPort ? [{ protocol: "TCP", container_port: spec.hostPort.container, host_port: spec.hostPort.host }] : [],
      linux: { cgroup_parent: `${this.cgroupParent}/pod-${spec.name}`, security_context: { namespace_options: { network: "POD", pid: "CONTAINER", ipc: "POD" } } },
    };
    const { pod_sandbox_id: podId } = await this.rpc("RunPodSandbox", { config });
    const containerIds: string[] = [];
    for (const c of spec.containers) {
      const { container_id } = await this.rpc("CreateContainer", {
        pod_sandbox_id: podId,
        sandbox_config: config,
        config: {
          metadata: { name: c.name },
          image: { image: IMAGE },
          command: c.command,
          log_path: `${c.name}.log`,
          linux: { security_context: { namespace_options: { pid: "CONTAINER" } } },
        },
      });
      await this.rpc("StartContainer", { container_id });
      containerIds.push(container_id);
    }
    return { podId, containerIds };
  }

  /** A container made through the containerd API (ctr run), labelled the way nerdctl labels its own. */
  runCtr(ns: string, id: string, labels: Record<string, string>, command: string[]): void {
    this.ctrContainers.push({ ns, id });
    const l = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    // Its cgroup under ours: by default it would be /<containerd namespace>/<id>, whose parent stays.
    this.ctr(ns, "run", "-d", "--runc-root", join(this.dir, "runc"), "--fifo-dir", join(this.dir, "fifo"), "--cgroup", `${this.cgroupParent}/ctr-${id}`, ...l, `docker.io/${IMAGE}`, id, ...command);
  }

  /** The task PID of a ctr container. */
  taskPid(ns: string, id: string): number {
    const line = this.ctr(ns, "tasks", "ls").split("\n").find((l) => l.split(/\s+/)[0] === id);
    return Number(line?.split(/\s+/)[1] ?? 0);
  }

  /** Never throws: safe in afterAll. */
  async stop(): Promise<void> {
    const quiet = async (f: () => unknown) => {
      try {
        await f();
      } catch {}
    };
    if (this.pid > 0 && existsSync(`/proc/${this.pid}`)) {
      // StopPodSandbox runs CNI DEL: veth, netns, IPAM entry and libcni cache file go.
      await quiet(async () => {
        for (const s of (await this.rpc("ListPodSandbox", {})).items) {
          await quiet(() => this.rpc("StopPodSandbox", { pod_sandbox_id: s.id }));
          await quiet(() => this.rpc("RemovePodSandbox", { pod_sandbox_id: s.id }));
        }
      });
      for (const c of this.ctrContainers) {
        await quiet(() => this.ctr(c.ns, "tasks", "kill", "-s", "SIGKILL", c.id));
        for (let i = 0; i < 50 && this.taskPid(c.ns, c.id) > 0 && !/STOPPED/.test(this.ctr(c.ns, "tasks", "ls")); i++) await Bun.sleep(100);
        await quiet(() => this.ctr(c.ns, "tasks", "rm", "-f", c.id));
        await quiet(() => this.ctr(c.ns, "containers", "rm", c.id));
      }
    }
    this.client?.close();
    if (this.pid > 0) {
      await quiet(() => process.kill(this.pid, "SIGTERM"));
      for (let i = 0; i < 100 && existsSync(`/proc/${this.pid}`) && !isZombie(this.pid); i++) await Bun.sleep(50);
      await quiet(() => process.kill(this.pid, "SIGKILL"));
    }
    // Shims outlive containerd (reparented to PID 1): ours are the ones given our socket.
    for (const pid of shimsOf(this.socket)) await quiet(() => process.kill(pid, "SIGKILL"));
    unmountUnder(this.dir);
    // runc removes only a container's leaf cgroup; its parents under ours stay.
    for (const ctl of safeReaddir("/sys/fs/cgroup")) removeCgroupTree(join("/sys/fs/cgroup", ctl, this.cgroupParent.slice(1)));
    rmSync(this.dir, { recursive: true, force: true });
    // libcni's result cache (not configurable in containerd 1.6): its files go with CNI DEL, its directories stay.
    if (!this.libcniBefore) {
      for (const d of [join(LIBCNI_CACHE, "results"), LIBCNI_CACHE]) await quiet(() => rmdirSync(d));
    }
  }
}

function shimsOf(socket: string): number[] {
  const out: number[] = [];
  for (const e of safeReaddir("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0");
      if (argv[0]?.endsWith("containerd-shim-runc-v2") && argv.includes(socket)) out.push(Number(e));
    } catch {}
  }
  return out;
}

/** Depth first: a cgroup directory goes only once its children have (its files are not real files). */
function removeCgroupTree(dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeCgroupTree(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {}
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isZombie(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}
