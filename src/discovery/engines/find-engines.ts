// Container engines from the process table, without configuration: a process is an engine by its
// name (dockerd, containerd, crio, `podman system service`), and its API socket is one of the listening
// unix sockets it holds itself (its fds crossed with /proc/PID/net/unix), reached through
// /proc/PID/root so that an engine running inside a container is reached the same way.

import { readlinkSync, statSync } from "node:fs";
import type { EngineKind } from "../../model/containers.ts";
import type { FdTable } from "../procfs/namespaces.ts";
import type { ProcessInfo } from "../procfs/processes.ts";
import { resolveInRoot } from "./in-root.ts";
import { listeningSocketsOf } from "./unix-sockets.ts";

/** sockaddr_un.sun_path holds 108 bytes including the terminating NUL. */
const SUN_PATH_MAX = 107;

export interface EngineSocket {
  /** As the engine bound it, inside its own root. */
  path: string;
  /** How to connect from here; null when no usable path exists (too long for sun_path). */
  reach: string | null;
}

export interface EngineCandidate {
  kind: EngineKind;
  pid: number;
  /** API sockets first (docker.sock, podman.sock), then the others in fd order. */
  sockets: EngineSocket[];
  /** False when the engine is in another PID namespace: the PIDs it reports are not ours. */
  samePidNamespace: boolean;
}

export function engineKindOf(p: ProcessInfo): EngineKind | null {
  if (p.comm === "dockerd") return "docker";
  if (p.comm === "containerd") return "containerd";
  if (p.comm === "crio") return "cri-o";
  if (p.comm === "podman") {
    // `podman [global options] system service [options] [URI]`: only the API service serves.
    const system = p.cmdline.indexOf("system");
    if (system >= 0 && p.cmdline.indexOf("service", system + 1) > system) return "podman";
  }
  return null;
}

/** The API socket names (Docker-compatible, containerd's gRPC, CRI-O's), tried before any other socket the engine holds. */
function apiRank(path: string): number {
  return /(^|\/)(docker|podman|containerd|crio)\.sock$/.test(path) ? 0 : 1;
}

export function findEngines(
  processes: Map<number, ProcessInfo>,
  fdTable: FdTable,
  procRoot: string,
  warn: (subject: string, message: string) => void,
): EngineCandidate[] {
  const ownPidNs = readLinkOrNull(`${procRoot}/self/ns/pid`);
  const ownRoot = statOrNull(`${procRoot}/self/root`);
  const out: EngineCandidate[] = [];
  for (const p of [...processes.values()].sort((a, b) => a.pid - b.pid)) {
    const kind = engineKindOf(p);
    if (kind === null) continue;
    const subject = `engine:${kind}:${p.pid}`;
    let listening;
    try {
      listening = listeningSocketsOf(p.pid, fdTable.byPid.get(p.pid), procRoot);
    } catch (err) {
      // A zombie or vanished process has no net/unix: it died since the process scan.
      const gone = (err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ESRCH";
      warn(subject, gone ? "the engine exited during discovery; skipped" : `cannot read its unix sockets: ${(err as Error).message}`);
      continue;
    }
    if (!fdTable.byPid.has(p.pid)) warn(subject, "its fds could not be read, so its API socket is unknown");
    const root = `${procRoot}/${p.pid}/root`;
    const engineRoot = statOrNull(root);
    const sameRoot = ownRoot !== null && engineRoot !== null && ownRoot.dev === engineRoot.dev && ownRoot.ino === engineRoot.ino;
    const sockets: EngineSocket[] = [];
    for (const s of [...listening].sort((a, b) => apiRank(a.path) - apiRank(b.path))) {
      if (!s.path.startsWith("/")) continue; // bound relative to a cwd we do not know
      let reach: string | null = null;
      try {
        reach = resolveInRoot(root, s.path);
      } catch (err) {
        warn(subject, `${s.path}: ${(err as Error).message}`);
      }
      // A long path through /proc/PID/root may not fit sun_path; with the same root the plain one does the same.
      if (reach !== null && Buffer.byteLength(reach) > SUN_PATH_MAX) reach = sameRoot ? s.path : null;
      if (reach !== null && Buffer.byteLength(reach) > SUN_PATH_MAX) reach = null;
      sockets.push({ path: s.path, reach });
    }
    const pidNs = readLinkOrNull(`${procRoot}/${p.pid}/ns/pid`);
    out.push({ kind, pid: p.pid, sockets, samePidNamespace: pidNs !== null && pidNs === ownPidNs });
  }
  return out;
}

function readLinkOrNull(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

function statOrNull(path: string): { dev: number; ino: number } | null {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return null;
  }
}
