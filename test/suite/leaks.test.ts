// .ci/leaks.ts is what makes CI fail when the suite leaves something behind: here it watches a
// command that leaves a namespace, a mount and an orphaned process, and must name each one, kill
// that process (and only it), and turn the command's success into a failure.

import { afterAll, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";

const root = requireRoot();
const lab = new Lab();
afterAll(() => {
  sh("umount", ["-l", join(lab.dir, "mnt")], { allowFail: true });
  sh("ip", ["netns", "del", `${lab.prefix}-left`], { allowFail: true });
  lab.cleanup();
});

test.if(root)("a namespace, a mount and an orphaned process left behind are named, and the process killed", () => {
  const mnt = join(lab.dir, "mnt");
  mkdirSync(mnt);
  const marker = `${lab.prefix}-orphan`;
  const script = [
    `ip netns add ${lab.prefix}-left`,
    `mount -t tmpfs none ${mnt}`,
    // A subshell that exits at once: the sleeper is orphaned and reparented to the watcher.
    `(setsid bash -c 'exec -a ${marker} sleep 600' &)`,
    "exit 0",
  ].join("; ");
  const r = spawnSync(process.execPath, [join(import.meta.dir, "../../.ci/leaks.ts"), "--", "sh", "-c", script], { encoding: "utf8" });
  expect(r.status).toBe(1);
  const out = r.stdout;
  expect(out).toContain("The test suite left");
  expect(out).toContain(`ip netns ${lab.prefix}-left`);
  expect(out).toContain(`held by bind mount /run/netns/${lab.prefix}-left`);
  expect(out).toContain(`mount ${mnt}`);
  expect(out).toMatch(new RegExp(`process \\d+ \\(sleep\\): ${marker} 600`));
  const pid = Number(new RegExp(`process (\\d+) \\(sleep\\)`).exec(out)![1]);
  expect(existsSync(`/proc/${pid}/cmdline`) && spawnSync("cat", [`/proc/${pid}/cmdline`]).stdout.toString().includes(marker)).toBe(false);
}, 60_000);

test.if(root)("a command that leaves nothing passes through with its own status", () => {
  const ok = spawnSync(process.execPath, [join(import.meta.dir, "../../.ci/leaks.ts"), "--", "sh", "-c", "sleep 0.1 & wait; exit 0"], { encoding: "utf8" });
  expect(ok.stdout).toContain("left nothing behind");
  expect(ok.status).toBe(0);
  const failing = spawnSync(process.execPath, [join(import.meta.dir, "../../.ci/leaks.ts"), "--", "sh", "-c", "exit 3"], { encoding: "utf8" });
  expect(failing.status).toBe(3);
}, 60_000);
