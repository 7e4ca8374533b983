// A test lab: network namespaces, interfaces and helper processes created under one unique
// prefix, and removed again whatever happens. Tests never touch anything outside their prefix.

import { spawnSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const isRoot = process.getuid?.() === 0;
export const inCI = process.env.CI === "true";

/**
 * Root-only tests: in CI (which runs as root) a missing privilege is a failure, never a skip;
 * on a developer machine without root they are skipped with a visible reason.
 */
export function requireRoot(): boolean {
  if (isRoot) return true;
  if (inCI) throw new Error("this test needs root, and CI runs as root: refusing to skip");
  console.warn("skipping: needs root");
  return false;
}

export function sh(cmd: string, args: string[], opts: { allowFail?: boolean; input?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", input: opts.input, maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0 && !opts.allowFail)
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout ?? "";
}

export class Lab {
  /** Short enough that `<prefix>-xx` fits in IFNAMSIZ (15 characters). */
  readonly prefix = `ws${randomBytes(3).toString("hex")}`;
  readonly dir = mkdtempSync(join(tmpdir(), "wiresight-lab-"));
  private readonly namespaces: string[] = [];
  private readonly hostLinks: string[] = [];
  private readonly children: ChildProcess[] = [];

  /** `ip netns add`: a process-less namespace bind-mounted at /run/netns/<name>. */
  netns(suffix: string): string {
    const name = `${this.prefix}-${suffix}`;
    sh("ip", ["netns", "add", name]);
    this.namespaces.push(name);
    // No duplicate address detection: IPv6 addresses (and their local routes) are final at once,
    // so what a test reads does not change under it while the kernel finishes DAD.
    sh("ip", ["netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"]);
    sh("ip", ["-n", name, "link", "set", "lo", "up"]);
    return name;
  }

  /** Forget a namespace we deleted ourselves (so cleanup does not complain). */
  forgetNetns(name: string): void {
    const i = this.namespaces.indexOf(name);
    if (i >= 0) this.namespaces.splice(i, 1);
  }

  /** `ip [-n ns] ...` */
  ip(ns: string | null, ...args: string[]): string {
    return sh("ip", ns ? ["-n", ns, ...args] : args);
  }

  /**
   * Joins namespaces `a` and `b` with a veth pair made directly inside them (nothing appears in
   * the initial namespace): `a.name` holds `a.cidr`, `b.name` holds `b.cidr`, both up.
   */
  veth(a: { ns: string; name: string; cidr: string }, b: { ns: string; name: string; cidr: string }): void {
    sh("ip", ["link", "add", a.name, "netns", a.ns, "type", "veth", "peer", "name", b.name, "netns", b.ns]);
    for (const end of [a, b]) {
      this.ip(end.ns, "addr", "add", end.cidr, "dev", end.name);
      this.ip(end.ns, "link", "set", end.name, "up");
    }
  }

  /** A host-side interface name under our prefix, remembered for cleanup. */
  hostLink(suffix: string): string {
    const name = `${this.prefix}${suffix}`;
    this.hostLinks.push(name);
    return name;
  }

  /**
   * Starts a helper process that lives until cleanup. It leads its own process group (detached),
   * so cleanup kills whatever it forked too, not only the process itself.
   */
  spawn(cmd: string, args: string[]): ChildProcess {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.children.push(child);
    return child;
  }

  /**
   * Resolves when the child has printed `marker` on stdout and, with `exec`, once its process runs
   * that program (/proc/PID/comm): `sh -c 'echo ready; exec sleep 600'` prints before it execs,
   * and a discovery in between would see `sh`. Wait for the state a test asserts, never race it.
   */
  async waitFor(child: ChildProcess, marker: string, opts: { exec?: string; timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`timed out waiting for '${marker}'; got: ${out}`)), timeoutMs);
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes(marker)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`helper exited (${code}) before '${marker}': ${out}`));
      });
    });
    if (opts.exec === undefined) return;
    const comm = () => {
      try {
        return readFileSync(`/proc/${child.pid}/comm`, "utf8").trim();
      } catch {
        return "(gone)";
      }
    };
    while (comm() !== opts.exec) {
      if (Date.now() > deadline) throw new Error(`pid ${child.pid} printed '${marker}' but runs '${comm()}', not '${opts.exec}'`);
      await Bun.sleep(5);
    }
  }

  /** Removes everything the lab made; never throws, so it is safe in afterAll. */
  cleanup(): void {
    for (const c of this.children) {
      try {
        if (c.pid !== undefined) process.kill(-c.pid, "SIGKILL"); // the whole group
      } catch {}
      try {
        c.kill("SIGKILL");
      } catch {}
    }
    for (const name of this.namespaces) sh("ip", ["netns", "del", name], { allowFail: true });
    for (const link of this.hostLinks) sh("ip", ["link", "del", link], { allowFail: true });
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs iproute2 inside the namespace behind a path (bind mount, /proc/PID/ns/net, an fd…). */
export function ipJsonIn(nsPath: string, args: string[]): any[] {
  const out = sh("nsenter", [`--net=${nsPath}`, "ip", "-j", ...args]);
  return out.trim() === "" ? [] : JSON.parse(out);
}
