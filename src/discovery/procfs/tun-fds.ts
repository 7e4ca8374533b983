// The /dev/net/tun files processes hold open, from the shared fd table (no extra fd walk), with
// the device name each is attached to from /proc/PID/fdinfo/FD (drivers/net/tun.c,
// tun_chr_show_fdinfo: "iff:\tNAME", empty when the file is not attached to a device).

import { readFileSync } from "node:fs";
import { errnoCode, isVanished } from "./errors.ts";
import type { FdTable } from "./namespaces.ts";

export const TUN_PATH = "/dev/net/tun";

export interface TunFd {
  pid: number;
  fd: number;
  /** The device name from fdinfo, in the device's own namespace. */
  iff: string;
}

/** The "iff:" value of a tun file's fdinfo text; null when absent or empty (not attached). */
export function parseFdinfoIff(text: string): string | null {
  const m = /^iff:[ \t]*(\S+)[ \t]*$/m.exec(text);
  return m?.[1] ?? null;
}

/** Every attached /dev/net/tun fd in the table, by pid then fd. Unreadable fdinfo: one warning. */
export function readTunFds(table: FdTable, procRoot: string, warnings: string[]): TunFd[] {
  const out: TunFd[] = [];
  for (const pid of [...table.byPid.keys()].sort((a, b) => a - b)) {
    for (const [fd, target] of table.byPid.get(pid)!) {
      if (target !== TUN_PATH) continue;
      const path = `${procRoot}/${pid}/fdinfo/${fd}`;
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch (err) {
        if (!isVanished(err)) warnings.push(`pid ${pid}: cannot read ${path}: ${errnoCode(err)}; its tun/tap fd is not attributed`);
        continue;
      }
      const iff = parseFdinfoIff(text);
      if (iff !== null) out.push({ pid, fd, iff });
    }
  }
  return out.sort((a, b) => a.pid - b.pid || a.fd - b.fd);
}
