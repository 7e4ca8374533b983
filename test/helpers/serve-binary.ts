// `dist/wiresight serve` as a child process, for tests that must survive what it does: a server
// frozen by one request cannot freeze the test too, and is killed (SIGKILL if it ignores SIGTERM)
// whatever happened. It listens on a free port (`--listen 127.0.0.1:0`) and the URL is read from
// what it prints.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const BUILT_BINARY = join(import.meta.dir, "../../dist/wiresight");

export interface ServeProcess {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  child: ChildProcess;
  /** Everything it printed on stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts `wiresight serve --listen 127.0.0.1:0 ARGS` and resolves once it says where it listens;
 * rejects (after killing it) when it exits first or says nothing within `startMs`.
 */
export async function startServeBinary(args: string[], opts: { startMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  if (!existsSync(BUILT_BINARY)) throw new Error("dist/wiresight is missing: run `npm run build` (npm test does it first)");
  const child = spawn(BUILT_BINARY, ["serve", "--listen", "127.0.0.1:0", ...args], { stdio: ["ignore", "ignore", "pipe"], env: opts.env ?? process.env });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const stop = async (graceMs = 10_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  const deadline = Date.now() + (opts.startMs ?? 60_000);
  for (;;) {
    const m = /listening on (http:\/\/\S+?) /.exec(stderr);
    if (m) return { url: m[1]!, child, stderr: () => stderr, stop };
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`serve exited (${child.exitCode ?? child.signalCode}) before listening: ${stderr}`);
    if (Date.now() > deadline) {
      await stop(0);
      throw new Error(`serve did not start listening within ${opts.startMs ?? 60_000} ms: ${stderr}`);
    }
    await Bun.sleep(50);
  }
}
