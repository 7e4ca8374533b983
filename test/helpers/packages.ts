// Independent oracles and tools some tests need (tshark, nft, iptables-nft, …) come from Debian
// packages: installed on first use when missing, as CI runs as root with Debian's mirror reachable.
import { spawnSync } from "node:child_process";

function has(binary: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" }).status === 0;
}

function aptGet(args: string[]): { status: number | null; output: string } {
  const r = spawnSync("apt-get", ["-o", "DPkg::Lock::Timeout=300", ...args], {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return { status: r.status, output: `${r.stderr ?? ""}${r.stdout ?? ""}` };
}

/**
 * Make `binary` available, installing Debian package `pkg` if needed (refreshing the package lists
 * once when a fresh machine has none); throws with apt's output if it cannot.
 */
export function ensureTool(binary: string, pkg: string): void {
  if (has(binary)) return;
  let r = aptGet(["install", "-y", "--no-install-recommends", pkg]);
  if (!has(binary)) {
    aptGet(["update"]);
    r = aptGet(["install", "-y", "--no-install-recommends", pkg]);
  }
  if (!has(binary)) throw new Error(`${binary} is missing and 'apt-get install -y ${pkg}' did not provide it: ${r.output.slice(-2000)}`);
}
