// What the container-engine test helpers (docker.ts, podman.ts) share to leave the host as they
// found it: the nf_tables tables an engine created, and mounts left under its directories.

import { readFileSync } from "node:fs";
import { sh } from "./lab.ts";

const BUILTIN_CHAINS = new Set(["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]);

/** "family name" of every nf_tables table. */
export function nftTables(): string[] {
  return sh("nft", ["list", "tables"], { allowFail: true })
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("table "))
    .map((l) => l.slice(6));
}

/**
 * Deletes the tables that were not there before and hold nothing but base chains and chains
 * named with `chainPrefix` (the engine's own): a table someone else also uses is left alone.
 */
export function deleteEngineTables(before: Set<string>, chainPrefix: string): void {
  for (const t of nftTables()) {
    if (before.has(t)) continue;
    const listing = sh("nft", ["list", "table", ...t.split(" ")], { allowFail: true });
    const chains = [...listing.matchAll(/^\s*chain (\S+) \{/gm)].map((m) => m[1]!);
    if (chains.every((c) => BUILTIN_CHAINS.has(c) || c.startsWith(chainPrefix))) sh("nft", ["delete", "table", ...t.split(" ")], { allowFail: true });
  }
}

/** Lazily unmounts everything mounted under `dir`, deepest first. */
export function unmountUnder(dir: string): void {
  const mounts = readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1] ?? "")
    .filter((m) => m.startsWith(dir))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) sh("umount", ["-l", m], { allowFail: true });
}
