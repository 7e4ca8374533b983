// Partial failure is normal: a namespace that vanishes between the procfs scan and its
// collection is skipped with a warning, and the rest of the host is still discovered.

import { afterAll, describe, expect, test } from "bun:test";
import { discover } from "../../src/discovery/discover.ts";
import { readlinkSync } from "node:fs";
import { Lab, requireRoot, sh } from "../helpers/lab.ts";

function nsLinkAlive(pid: number): boolean {
  try {
    readlinkSync(`/proc/${pid}/ns/net`);
    return true;
  } catch {
    return false;
  }
}

const root = requireRoot();
const lab = new Lab();
afterAll(() => lab.cleanup());

describe.if(root)("a namespace vanishing mid-discovery", () => {
  test("is skipped with a warning; the others are still found", async () => {
    const keep = lab.netns("keep");
    const holder = lab.spawn("unshare", ["--net", "sh", "-c", "echo ready; exec sleep 600"]);
    await lab.waitFor(holder, "ready", { exec: "sleep" });
    const doomedPid = holder.pid!;
    const doomedInode = Number(sh("stat", ["-L", "-c", "%i", `/proc/${doomedPid}/ns/net`]).trim());

    let killed = false;
    const t = discover({
      beforeNamespace: (c) => {
        if (c.inode !== doomedInode || killed) return;
        // The only holder dies right before we open the namespace. Until it is reaped it is a
        // zombie whose namespace links are already gone, which is exactly what a real race sees.
        process.kill(doomedPid, "SIGKILL");
        for (let i = 0; i < 500 && nsLinkAlive(doomedPid); i++) Bun.sleepSync(10);
        killed = true;
      },
    });
    expect(killed).toBe(true);
    expect(t.namespaces.some((n) => n.inode === doomedInode)).toBe(false);
    expect(t.warnings.some((w) => w.subject === `net:[${doomedInode}]` && /skipped/.test(w.message))).toBe(true);
    const keepInode = Number(sh("stat", ["-L", "-c", "%i", `/run/netns/${keep}`]).trim());
    expect(t.namespaces.some((n) => n.inode === keepInode)).toBe(true);
  });
});
