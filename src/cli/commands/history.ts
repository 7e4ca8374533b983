// `wiresight history`: the recordings, newest first, each with what it changed, and the
// database's size and row counts.

import { Store } from "../../store/index.ts";
import { parseCommandArgs } from "../args.ts";
import { DB_PATH_HELP, dbPath } from "../db-path.ts";
import { UsageError } from "../usage-error.ts";

export const HISTORY_HELP = `Usage: wiresight history [options]

List the recordings in the history database, newest first: revision, time, what changed
(+ added, - removed, ~ changed entities) and what was seen; then the database's size and rows.

Options:
      --db PATH         the database
  -n, --limit N         show the last N recordings (default 20)
      --json            print JSON instead
  -h, --help            show this help

${DB_PATH_HELP}
`;

export function historyCommand(argv: string[]): number {
  const { values } = parseCommandArgs("history", argv, {
    db: { type: "string" },
    limit: { type: "string", short: "n" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(HISTORY_HELP);
    return 0;
  }
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new UsageError(`--limit takes a whole number, not '${values.limit}'`);
  const store = Store.open(dbPath(values.db), { readonly: true });
  try {
    const recordings = store.history(limit);
    const info = store.info();
    if (values.json) {
      process.stdout.write(JSON.stringify({ recordings, database: info }, null, 2) + "\n");
      return 0;
    }
    const rows = [["REV", "TIME", "ADDED", "REMOVED", "CHANGED", "NAMESPACES", "INTERFACES", "ROUTES", "PROCESSES", "WARNINGS"]];
    for (const r of recordings)
      rows.push([r.revision, r.time, `+${r.added}`, `-${r.removed}`, `~${r.changed}`, r.stats.namespaces, r.stats.interfaces, r.stats.routes, r.stats.processes, r.warnings].map(String));
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) process.stdout.write(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd() + "\n");
    const { first, last, count } = info.revisions;
    process.stdout.write(
      `\n${info.path}: ${count} recording(s)${count ? ` (revisions ${first}–${last})` : ""}, ${formatBytes(info.fileBytes)} on disk; rows: ${Object.entries(info.rows)
        .map(([t, n]) => `${t} ${n}`)
        .join(", ")}\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
