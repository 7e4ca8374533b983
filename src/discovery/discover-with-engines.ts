// Discovery plus container engines: the synchronous netlink/procfs pass (discover.ts), then every
// engine found in the process table is asked over its API (Docker's HTTP API for Docker and
// Podman, gRPC for containerd and CRI-O), concurrently, each call under a time limit. The engine
// step is async, which is why it runs after the namespace switches are
// all over and not inside discover(). An engine that does not answer, answers slowly or answers
// garbage leaves its containers undecorated with a warning; the topology is still returned.

import { readFileSync } from "node:fs";
import type { Topology, Warning } from "../model/topology.ts";
import { discoverNamespaces, finish, type Discovered, type DiscoverOptions } from "./discover.ts";
import type { EngineResult } from "./engines/decorate.ts";
import { DEFAULT_CALL_TIMEOUT_MS, ping } from "./engines/docker-api.ts";
import type { EngineCandidate } from "./engines/find-engines.ts";
import { readInventory } from "./engines/inventory.ts";
import { parseStat } from "./procfs/processes.ts";

export interface EngineDiscoverOptions extends DiscoverOptions {
  /** Time limit for each API call (connect, headers and body). */
  engineCallTimeoutMs?: number;
}

/**
 * A discovery with its containers named. `read` does the namespaces (on this thread by default;
 * parallel.ts passes its Worker version).
 */
export async function discoverWithEngines(
  options: EngineDiscoverOptions = {},
  read: (options: DiscoverOptions) => Discovered | Promise<Discovered> = discoverNamespaces,
): Promise<Topology> {
  const d = await read(options);
  const warnings: Warning[] = [];
  const results = await askEngines(d.procfs.engines, d.procfs.procRoot, options.engineCallTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, (subject, message) =>
    warnings.push({ subject, message }),
  );
  d.assembly.setEngines({ results, warnings });
  return finish(d, options); // duration: procfs + netlink + engines
}

/**
 * Every engine the procfs pass found, asked over its API (concurrently, each call under a time
 * limit). The results decorate a topology (Assembly.setEngines); a watcher keeps them to decorate
 * the topologies of its incremental passes too.
 */
export async function askEngines(
  candidates: EngineCandidate[],
  procRoot: string,
  timeoutMs: number,
  warn: (subject: string, message: string) => void,
): Promise<EngineResult[]> {
  const results = await Promise.all(
    candidates.map(async (c) => {
      const said: Warning[] = [];
      const note = (subject: string, message: string) => said.push({ subject, message });
      // gRPC and protobuf (≈12 MB, ≈20 ms to load) only on a host that runs containerd or CRI-O.
      const r = await (c.kind === "containerd" || c.kind === "cri-o"
        ? import("./engines/ask-grpc.ts").then((m) => m.askGrpcEngine(c, procRoot, timeoutMs, note))
        : askDockerApi(c, timeoutMs, note));
      // The procfs pass found it before the namespaces were read: one that died since is no
      // engine of this discovery, and its unreachable socket is no news.
      if (r.status !== "ok" && exited(c.pid, procRoot)) {
        warn(`engine:${c.kind}:${c.pid}`, "the engine exited during discovery; skipped");
        return null;
      }
      for (const w of said) warn(w.subject, w.message);
      return r;
    }),
  );
  return results.filter((r) => r !== null);
}

/** Whether a process is gone (or a zombie, which answers nothing). */
function exited(pid: number, procRoot: string): boolean {
  try {
    const state = parseStat(readFileSync(`${procRoot}/${pid}/stat`, "utf8"))?.state;
    return state === "Z" || state === "X";
  } catch {
    return true;
  }
}

/** Docker and Podman: the Docker Engine API (Podman's compatible one, plus its libpod networks). */
async function askDockerApi(candidate: EngineCandidate, timeoutMs: number, warn: (s: string, m: string) => void): Promise<EngineResult> {
  const subject = `engine:${candidate.kind}:${candidate.pid}`;
  const result: EngineResult = { candidate, status: "not-queried", apiSocket: null, apiVersion: null, server: null, inventory: null };
  const failures: string[] = [];
  for (const s of candidate.sockets) {
    if (s.reach === null) {
      failures.push(`${s.path}: no path from here fits a unix socket address`);
      continue;
    }
    try {
      const p = await ping(s.reach, timeoutMs);
      result.apiSocket = s.reach;
      result.apiVersion = p.apiVersion;
      result.server = p.server;
      break;
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  if (result.apiSocket === null) {
    result.status = "unreachable";
    const tried = failures.length === 0 ? "it holds no listening unix socket" : failures.join("; ");
    warn(subject, `engine API unreachable, its containers stay undecorated: ${tried}`);
    return result;
  }
  try {
    result.inventory = await readInventory(result.apiSocket, timeoutMs, candidate.kind);
    result.status = "ok";
  } catch (err) {
    result.status = "partial";
    warn(subject, `engine API answered /_ping but not the inventory, its containers stay undecorated: ${(err as Error).message}`);
  }
  return result;
}
