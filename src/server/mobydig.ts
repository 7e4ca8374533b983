// /mobydig: Ghostwire's neighbourhood check over a websocket, as its UI uses it
// (`ws://HOST/mobydig?target=<Docker container name>`). The names come from the live topology
// (mobydig/neighborhood.ts); resolving and pinging them happens inside the container's network
// namespace, in a child process (`wiresight mobydig --job -`, mobydig/probe.ts), never on the
// server's thread. Each JSON line the child prints is one text message, as Ghostwire sends its
// verdicts; the socket closes with 1000 when the check is done, 4400 with the reason when the
// container is unknown or the check cannot run (Ghostwire's codes). A client that goes away, or
// the server stopping, ends the child.

import type { ServerWebSocket, Subprocess } from "bun";
import { fileURLToPath } from "node:url";
import { neighborhood, NeighborhoodError } from "../mobydig/neighborhood.ts";
import type { LiveTopology } from "../watch/live.ts";

/** Ghostwire's limits on the target: a Docker container name, at most 255 characters. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Checks running at once; more are refused (1013, try again later) rather than queued. */
export const MAX_CHECKS = 4;
/** What a child may say on stderr before it is cut (its reason for failing is its last line). */
const MAX_STDERR = 4096;

export interface MobydigSocketState {
  kind: "mobydig";
  target: string;
  child?: Subprocess<"pipe", "pipe", "pipe">;
  closed: boolean;
}

export class MobydigRequestError extends Error {
  override name = "MobydigRequestError";
}

/** The target of a /mobydig request, checked as Ghostwire checks it. */
export function mobydigTarget(search: URLSearchParams): string {
  const targets = search.getAll("target");
  if (targets.length !== 1) throw new MobydigRequestError("missing or multiple target query parameters");
  const target = targets[0]!;
  if (target.length > 255 || !CONTAINER_NAME.test(target)) throw new MobydigRequestError("invalid target name");
  return target;
}

/**
 * How to run wiresight itself: a compiled binary is its own command; from source (`bun
 * src/cli/main.ts`, the tests) bun runs the CLI's entry file.
 */
export function wiresightCommand(): string[] {
  if (Bun.main.startsWith("/$bunfs/")) return [process.execPath];
  return [process.execPath, fileURLToPath(new URL("../cli/main.ts", import.meta.url))];
}

export class MobydigChecks {
  readonly #running = new Set<ServerWebSocket<MobydigSocketState>>();

  constructor(private readonly live: LiveTopology) {}

  open(ws: ServerWebSocket<MobydigSocketState>): void {
    if (this.#running.size >= MAX_CHECKS) return ws.close(1013, `${MAX_CHECKS} neighbourhood checks are running; try again later`);
    const topology = this.live.current().topology;
    let names: string[];
    let proc;
    try {
      const n = neighborhood(topology, ws.data.target);
      names = n.names;
      proc = topology.processes.find((p) => p.key === n.start.process);
      if (!proc) throw new NeighborhoodError(`Docker container "${ws.data.target}": its init process is not visible to wiresight`);
    } catch (err) {
      if (err instanceof NeighborhoodError) return ws.close(4400, err.message);
      throw err;
    }
    this.#running.add(ws);
    const child = Bun.spawn([...wiresightCommand(), "mobydig", "--job", "-"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    ws.data.child = child;
    child.stdin.write(JSON.stringify({ pid: proc.pid, startTime: proc.startTime, names }));
    void child.stdin.end();
    void this.#relay(ws, child);
  }

  close(ws: ServerWebSocket<MobydigSocketState>): void {
    ws.data.closed = true;
    this.#running.delete(ws);
    ws.data.child?.kill("SIGTERM");
  }

  /** Checks running now. */
  get size(): number {
    return this.#running.size;
  }

  async #relay(ws: ServerWebSocket<MobydigSocketState>, child: Subprocess<"pipe", "pipe", "pipe">): Promise<void> {
    const stderr = new Response(child.stderr).text().then((t) => t.slice(-MAX_STDERR));
    let pending = "";
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line !== "" && !ws.data.closed) ws.send(line);
      }
    }
    const code = await child.exited;
    this.#running.delete(ws);
    if (ws.data.closed) return;
    if (code === 0) return ws.close(1000, "");
    const reason = (await stderr).trim().split("\n").at(-1)?.replace(/^wiresight: /, "") || `the check failed (exit ${code})`;
    // A close reason is at most 123 bytes.
    ws.close(4400, Buffer.byteLength(reason) > 123 ? `${reason.slice(0, 100)}…` : reason);
  }
}
