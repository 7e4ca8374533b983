// Shared by the procfs tests: root gating, a unique prefix, spawning, oracles and cleanup that
// runs even when a test (or the setup) fails.

import { test } from "bun:test";
import { existsSync, mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const isRoot = process.getuid?.() === 0;
export const inCI = process.env.CI === "true";

/**
 * Real-topology tests need root. Off CI they are skipped without it; in CI a missing root is a
 * failure, not a skip. Call at module top level; use the result with describe.skipIf(!root).
 */
export function requireRoot(what: string): boolean {
  if (!isRoot && inCI) {
    test(`${what}: requires root (CI=true)`, () => {
      throw new Error(`${what} must run as root in CI; uid is ${process.getuid?.()}`);
    });
  }
  return isRoot;
}

/** A prefix unique to this run, short enough for interface and netns names. */
export function uniquePrefix(): string {
  return `wsp-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Run a command synchronously; throws with its stderr if it fails. Returns trimmed stdout. */
export function run(cmd: string[], env?: Record<string, string>): string {
  const r = Bun.spawnSync({ cmd, stdout: "pipe", stderr: "pipe", env: env ? { ...process.env, ...env } : undefined });
  if (r.exitCode !== 0) {
    throw new Error(`${cmd.join(" ")} exited ${r.exitCode}: ${r.stderr.toString().trim()}`);
  }
  return r.stdout.toString().trim();
}

/** The inode of a namespace file, from readlink ("net:[N]") — the oracle, independent of the code under test. */
export function nsInode(path: string): number {
  const m = /^\w+:\[(\d+)\]$/.exec(readlinkSync(path));
  if (!m?.[1]) throw new Error(`${path} is not a namespace link`);
  return Number(m[1]);
}

/** `stat -L -c %i` of a path, via coreutils (independent oracle). */
export function statInode(path: string, nsenterPid?: number): number {
  const cmd = ["stat", "-L", "-c", "%i", path];
  return Number(run(nsenterPid === undefined ? cmd : ["nsenter", "-t", String(nsenterPid), "-m", ...cmd]));
}

/** Read a child's stdout until `pattern` matches (or time out); returns the match. */
export async function waitForLine(proc: Subprocess<"ignore" | "pipe", "pipe", "pipe">, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        Bun.sleep(deadline - Date.now()).then(() => null),
        proc.exited.then(() => null),
      ]);
      if (chunk === null) break;
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
      const m = text.match(pattern);
      if (m) return m;
    }
  } finally {
    reader.releaseLock();
  }
  const stderr = proc.exitCode !== null ? await new Response(proc.stderr).text() : "";
  throw new Error(`no ${pattern} from pid ${proc.pid} (exit ${proc.exitCode}); stdout ${JSON.stringify(text)} stderr ${JSON.stringify(stderr)}`);
}

/** Poll until `check` is true. */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (check()) return;
    } catch {
      // not yet
    }
    await Bun.sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Everything a test file created, undone in reverse order: processes (SIGKILL, then waited for),
 * `ip netns` names, temp directories. Idempotent; also hooked to process exit so an aborted run
 * does not leave sleepers behind. Touches only what was registered.
 */
export class Cleanup {
  private readonly procs: Subprocess[] = [];
  private readonly netns: string[] = [];
  private readonly dirs: string[] = [];
  private readonly onExit = () => this.runSync();

  constructor() {
    process.on("exit", this.onExit);
  }

  spawn<T extends Subprocess>(proc: T): T {
    this.procs.push(proc);
    return proc;
  }

  /** `ip netns add NAME`, remembered for deletion. */
  addNetns(name: string): void {
    this.netns.push(name);
    run(["ip", "netns", "add", name]);
  }

  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  private killAll(): void {
    for (const p of this.procs) {
      if (p.exitCode === null && p.signalCode === null) {
        try {
          p.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  }

  private removeRest(errors: string[]): void {
    for (const name of this.netns.splice(0).reverse()) {
      if (!existsSync(`/run/netns/${name}`)) continue; // a test already deleted it
      const r = Bun.spawnSync({ cmd: ["ip", "netns", "del", name], stderr: "pipe" });
      if (r.exitCode !== 0) errors.push(`ip netns del ${name}: ${r.stderr.toString().trim()}`);
    }
    for (const dir of this.dirs.splice(0).reverse()) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch (err) {
        errors.push(`rm ${dir}: ${String(err)}`);
      }
    }
  }

  /** Synchronous best effort (process exit). */
  runSync(): void {
    this.killAll();
    this.removeRest([]);
  }

  /** Kill, wait for the processes to be gone, then remove netns names and directories. */
  async run(): Promise<void> {
    const errors: string[] = [];
    this.killAll();
    await Promise.all(this.procs.splice(0).map((p) => Promise.race([p.exited, Bun.sleep(5000)])));
    this.removeRest(errors);
    process.off("exit", this.onExit);
    if (errors.length > 0) throw new Error(`cleanup: ${errors.join("; ")}`);
  }
}
