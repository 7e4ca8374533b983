// Listening unix sockets from /proc/PID/net/unix: the table of every unix socket in that
// process's network namespace. Crossed with the process's own fds ("socket:[INODE]" in the fd
// table), it says which listening sockets the process itself holds, i.e. where it serves.
//
// Format (net/unix/af_unix.c, unix_seq_show):
//   Num       RefCount Protocol Flags    Type St Inode Path
//   0000000000000000: 00000002 00000000 00010000 0001 01 21313 /run/docker.sock
// Flags is hex with __SO_ACCEPTCON (1 << 16) set on a listening socket; Type is SOCK_STREAM (1)
// or SOCK_SEQPACKET (5); Path is absent for unnamed sockets and starts with "@" for abstract ones.

import { readFileSync } from "node:fs";

/** include/linux/net.h: __SO_ACCEPTCON, set once listen() was called. */
const SO_ACCEPTCON = 1 << 16;
const SOCK_STREAM = 1;

export interface ListeningUnixSocket {
  inode: number;
  /** As bound, inside the binder's root; never abstract (those start with "@" and are skipped). */
  path: string;
}

/** Stream sockets that are listening and bound to a filesystem path. Malformed lines are skipped. */
export function parseListeningUnixSockets(text: string): ListeningUnixSocket[] {
  const out: ListeningUnixSocket[] = [];
  const lines = text.split("\n");
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line === "") continue;
    // The path is the 8th field and may contain spaces: split only the first seven.
    const m = /^\s*[0-9a-fA-F]+:\s+[0-9a-fA-F]+\s+[0-9a-fA-F]+\s+([0-9a-fA-F]+)\s+([0-9a-fA-F]+)\s+[0-9a-fA-F]+\s+(\d+)(?: (.*))?$/.exec(line);
    if (!m) continue;
    const flags = parseInt(m[1]!, 16);
    const type = parseInt(m[2]!, 16);
    const path = m[4];
    if ((flags & SO_ACCEPTCON) === 0 || type !== SOCK_STREAM || !path || path.startsWith("@")) continue;
    out.push({ inode: Number(m[3]), path });
  }
  return out;
}

/** The socket inodes among a process's fds ("socket:[INODE]" link targets). */
export function socketInodes(fds: Map<number, string> | undefined): Set<number> {
  const out = new Set<number>();
  if (!fds) return out;
  for (const target of fds.values()) {
    if (!target.startsWith("socket:[") || !target.endsWith("]")) continue;
    const ino = Number(target.slice(8, -1));
    if (Number.isInteger(ino) && ino > 0) out.add(ino);
  }
  return out;
}

/**
 * The listening path-bound unix sockets that `pid` itself holds, in fd order of first sight.
 * Throws (ENOENT, EACCES…) when /proc/PID/net/unix cannot be read.
 */
export function listeningSocketsOf(pid: number, fds: Map<number, string> | undefined, procRoot: string): ListeningUnixSocket[] {
  const held = socketInodes(fds);
  if (held.size === 0) return [];
  const table = parseListeningUnixSockets(readFileSync(`${procRoot}/${pid}/net/unix`, "latin1"));
  return table.filter((s) => held.has(s.inode));
}
