// Independent oracles and tools some tests need (tshark, nft, iptables-nft, container engines, …)
// come from Debian packages, installed when missing: CI runs as root on a fresh machine with
// Debian's mirror reachable. The preload (test/setup/packages.ts) installs every one of them in a
// single apt transaction before the first test file runs, so no test hook ever waits for apt
// (a hook's time limit must never cut dpkg off halfway: that breaks the machine's package state);
// `ensureTool` stays as each test's own check.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

/** binary (a name on PATH or an absolute path) → the Debian package that provides it. */
export const TEST_PACKAGES: [binary: string, pkg: string][] = [
  ["tshark", "tshark"],
  ["capinfos", "wireshark-common"],
  ["tcpdump", "tcpdump"],
  ["ping", "iputils-ping"],
  ["nft", "nftables"],
  ["iptables-nft", "iptables"],
  ["curl", "curl"],
  ["dockerd", "docker.io"],
  ["podman", "podman"],
  ["/usr/lib/cni/bridge", "containernetworking-plugins"],
  ["containerd", "containerd"],
  ["runc", "runc"],
  ["/usr/lib/podman/netavark", "netavark"],
  ["/usr/lib/podman/aardvark-dns", "aardvark-dns"],
  ["chromium", "chromium"],
  ["mausezahn", "netsniff-ng"],
  ["dot", "graphviz"],
];

function has(binary: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" }).status === 0;
}

function aptGet(args: string[]): { status: number | null; output: string } {
  const r = spawnSync("apt-get", ["-o", "DPkg::Lock::Timeout=600", ...args], {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return { status: r.status, output: `${r.stderr ?? ""}${r.stdout ?? ""}` };
}

/** A fresh machine may have no package lists at all: then install cannot find anything. */
function haveLists(): boolean {
  const dir = "/var/lib/apt/lists";
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith("_Packages") || f.endsWith("_Packages.lz4"));
}

/**
 * Installs the packages of every `[binary, pkg]` whose binary is missing, in one transaction
 * (refreshing the package lists first when there are none, or once more when the install fails);
 * throws with apt's output when a binary is still missing.
 */
export function ensureTools(wanted: [binary: string, pkg: string][]): string[] {
  const missing = wanted.filter(([binary]) => !has(binary));
  if (missing.length === 0) return [];
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))];
  if (!haveLists()) aptGet(["update"]);
  let r = aptGet(["install", "-y", "--no-install-recommends", ...pkgs]);
  if (r.status !== 0) {
    aptGet(["update"]);
    r = aptGet(["install", "-y", "--no-install-recommends", ...pkgs]);
  }
  const still = missing.filter(([binary]) => !has(binary));
  if (still.length > 0)
    throw new Error(`${still.map(([b]) => b).join(", ")} missing and 'apt-get install -y ${pkgs.join(" ")}' did not provide it: ${r.output.slice(-2000)}`);
  return pkgs;
}

/** Make `binary` available, installing Debian package `pkg` if needed. */
export function ensureTool(binary: string, pkg: string): void {
  ensureTools([[binary, pkg]]);
}
