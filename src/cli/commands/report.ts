// What discovery could not see, on stderr so that stdout stays clean for pipes: missing
// capabilities first (they explain most gaps), then warnings, counted unless --verbose.

import type { Topology } from "../../model/topology.ts";
import { makeStyle } from "../render/style.ts";

export function reportProblems(t: Topology, verbose: boolean, color: boolean): void {
  const s = makeStyle(color);
  const lines: string[] = [];
  if (t.privileges.missing.length > 0) {
    lines.push(s.yellow(`wiresight: running without ${t.privileges.missing.map((m) => m.capability).join(", ")}; not seen:`));
    for (const m of t.privileges.missing) lines.push(`  - ${m.capability}: ${m.consequence}`);
  }
  if (t.warnings.length > 0) {
    if (verbose) {
      lines.push(s.yellow(`wiresight: ${t.warnings.length} warning(s):`));
      for (const w of t.warnings) lines.push(`  - ${w.subject}: ${w.message}`);
    } else {
      lines.push(s.dim(`wiresight: ${t.warnings.length} warning(s); -v lists them`));
    }
  }
  if (lines.length > 0) process.stderr.write(lines.join("\n") + "\n");
}
