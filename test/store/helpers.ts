// Shared by the store tests: a temporary database directory, and the lab namespaces' keys as
// discovery saw them (tests look only at what they built: other things on the host change too).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Topology } from "../../src/model/topology.ts";
import { sh } from "../helpers/lab.ts";

export function tempDir(): { dir: string; db: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "wiresight-store-"));
  return { dir, db: join(dir, "history.db"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The key discovery gave the namespace bind-mounted at /run/netns/<name>. */
export function netnsKeyOf(t: Topology, name: string): string {
  const inode = Number(sh("stat", ["-L", "-c", "%i", `/run/netns/${name}`]).trim());
  const ns = t.namespaces.find((n) => n.inode === inode);
  if (!ns) throw new Error(`namespace ${name} (inode ${inode}) not discovered`);
  return ns.key;
}
