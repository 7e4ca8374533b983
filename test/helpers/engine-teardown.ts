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

/**
 * Deletes every nf_tables rule that names one of `ifnames` (as `iifname "X"` / `oifname "X"`).
 * dockerd leaves its bridge's masquerade rules in POSTROUTING when it exits, and those sit in
 * tables other engines' chains keep alive, so deleting whole tables does not take them.
 */
export function deleteRulesNaming(ifnames: string[]): void {
  if (ifnames.length === 0) return;
  const quoted = ifnames.map((n) => `"${n}"`);
  let table: string[] = [];
  let chain = "";
  for (const line of sh("nft", ["-a", "list", "ruleset"], { allowFail: true }).split("\n")) {
    const t = /^table (\S+) (\S+) \{/.exec(line);
    if (t) table = [t[1]!, t[2]!];
    const c = /^\s*chain (\S+) \{/.exec(line);
    if (c) chain = c[1]!;
    const rule = /# handle (\d+)\s*$/.exec(line);
    if (rule && chain && !/^\s*chain /.test(line) && quoted.some((q) => line.includes(q))) {
      sh("nft", ["delete", "rule", ...table, chain, "handle", rule[1]!], { allowFail: true });
    }
  }
}
