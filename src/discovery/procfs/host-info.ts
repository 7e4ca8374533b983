// What the host is, beyond its name: the kernel's build string (/proc/version), its os-release as
// PID 1 sees it (the host's files, even when wiresight runs in a container with the host's PID
// namespace) and the CPUs online. Read once per procfs scan.

import { readFileSync } from "node:fs";
import { closeQuietly, openRootDir, readFileInRoot } from "../../ffi/index.ts";
import type { OsRelease } from "../../model/topology.ts";
import { parseCpuList } from "./processes.ts";

/** os-release(5) files are a few hundred bytes; anything past this is not one. */
const OS_RELEASE_LIMIT = 64 * 1024;

/**
 * The variables of an os-release text: KEY=value lines, values optionally in single or double
 * quotes with backslash escapes (os-release(5) uses shell-compatible quoting); comments and
 * malformed lines are skipped.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\([\\"$`])/g, "$1");
    }
    vars[m[1]!] = value;
  }
  return vars;
}

export function osReleaseFrom(vars: Record<string, string>): OsRelease {
  const v = (k: string) => vars[k] ?? null;
  return { name: v("NAME"), version: v("VERSION"), id: v("ID"), versionId: v("VERSION_ID"), prettyName: v("PRETTY_NAME") };
}

/**
 * /etc/os-release, else /usr/lib/os-release (os-release(5)), under PID 1's root: the host's files
 * even when wiresight runs in a container. Where PID 1's root cannot be opened (no ptrace access
 * to it), our own root is asked instead, with a warning. null if no file was found.
 */
export function readHostOsRelease(procRoot: string, warn: (message: string) => void): OsRelease | null {
  let root: number;
  let fallback = "";
  try {
    root = openRootDir(`${procRoot}/1/root`);
  } catch (err) {
    try {
      root = openRootDir("/");
    } catch {
      warn(`host os-release not read: ${(err as Error).message}`);
      return null;
    }
    fallback = ` (PID 1's root: ${(err as Error).message}; read from wiresight's own root)`;
  }
  try {
    for (const path of ["/etc/os-release", "/usr/lib/os-release"]) {
      const file = readFileInRoot(root, path, OS_RELEASE_LIMIT);
      if (!file) continue;
      if (fallback) warn(`host os-release${fallback}`);
      return osReleaseFrom(parseOsRelease(new TextDecoder().decode(file.bytes)));
    }
    return null;
  } catch (err) {
    warn(`host os-release not read: ${(err as Error).message}`);
    return null;
  } finally {
    closeQuietly(root);
  }
}

/** /proc/version without its newline; null if unreadable. */
export function readKernelVersion(procRoot: string): string | null {
  try {
    return readFileSync(`${procRoot}/version`, "utf8").trim();
  } catch {
    return null;
  }
}

/** The CPUs online, from sysfs; null if unreadable or malformed. */
export function readCpusOnline(sysRoot = "/sys"): [number, number][] | null {
  try {
    return parseCpuList(readFileSync(`${sysRoot}/devices/system/cpu/online`, "utf8"));
  } catch {
    return null;
  }
}
