// Independent oracles some tests need (tshark, tcpdump, ping) come from Debian packages: installed
// on first use when missing, as CI runs as root with Debian's mirror reachable.
import { spawnSync } from "node:child_process";

function has(binary: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" }).status === 0;
}

/** Make `binary` available, installing Debian package `pkg` if needed; throws with apt's output if it cannot. */
export function ensureTool(binary: string, pkg: string): void {
  if (has(binary)) return;
  const r = spawnSync("apt-get", ["install", "-y", "-o", "DPkg::Lock::Timeout=300", pkg], {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (!has(binary)) throw new Error(`${binary} is missing and 'apt-get install -y ${pkg}' did not provide it: ${r.stderr || r.stdout}`);
}
