// Discovery plus container engines: the synchronous netlink/procfs pass (discover.ts), then every
// engine found in the process table is asked over its API (Docker's HTTP API for Docker and
// Podman, gRPC for containerd and CRI-O), concurrently, each call under a time limit. The engine
// step is async, which is why it runs after the namespace switches are
// all over and not inside discover(). An engine that does not answer, answers slowly or answers
// garbage leaves its containers undecorated with a warning; the topology is still returned.

import { withoutNoise } from "../model/without-noise.ts";
import type { Topology } from "../model/topology.ts";
import { discoverDetailed, type DiscoverOptions } from "./discover.ts";
import { decorateTopology, type EngineResult } from "./engines/decorate.ts";
import { DEFAULT_CALL_TIMEOUT_MS, ping } from "./engines/docker-api.ts";
import { findEngines, type EngineCandidate } from "./engines/find-engines.ts";
import { readInventory } from "./engines/inventory.ts";
import type { FdTable } from "./procfs/namespaces.ts";
import type { ProcessInfo } from "./procfs/processes.ts";

export interface EngineDiscoverOptions extends DiscoverOptions {
  /** Time limit for each API call (connect, headers and body). */
  engineCallTimeoutMs?: number;
}

export async function discoverWithEngines(options: EngineDiscoverOptions = {}): Promise<Topology> {
  const started = performance.now();
  const procRoot = options.procRoot ?? "/proc";
  const { topology, processes, fdTable } = discoverDetailed(options);
  const warn = (subject: string, message: string) => topology.warnings.push({ subject, message });
  const timeoutMs = options.engineCallTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const results = await askEngines(processes, fdTable, procRoot, timeoutMs, warn);
  decorateTopology(topology, results, procRoot, warn);
  withoutNoise(topology); // after engines and containers are matched to their processes
  topology.stats.durationMs = Math.round((performance.now() - started) * 100) / 100; // procfs + netlink + engines
  return topology;
}

/**
 * Every engine in the process table, asked over its API (concurrently, each call under a time
 * limit). The results decorate a topology (decorateTopology); a watcher keeps them to decorate
 * the topologies of its incremental passes too.
 */
export async function askEngines(
  processes: Map<number, ProcessInfo>,
  fdTable: FdTable,
  procRoot: string,
  timeoutMs: number,
  warn: (subject: string, message: string) => void,
): Promise<EngineResult[]> {
  const candidates = findEngines(processes, fdTable, procRoot, warn);
  return Promise.all(
    candidates.map((c) =>
      // gRPC and protobuf (≈12 MB, ≈20 ms to load) only on a host that runs containerd or CRI-O.
      c.kind === "containerd" || c.kind === "cri-o" ? import("./engines/ask-grpc.ts").then((m) => m.askGrpcEngine(c, procRoot, timeoutMs, warn)) : askDockerApi(c, timeoutMs, warn),
    ),
  );
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
