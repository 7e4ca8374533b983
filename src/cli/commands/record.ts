// `wiresight record`: discover and record into the history database, once or every interval.
// Each recording is one transaction: stopping it at any moment (Ctrl-C, kill -9) loses at most
// the recording in progress.

import { discoverWithEngines } from "../../discovery/discover-with-engines.ts";
import { Store, type RetentionPolicy } from "../../store/index.ts";
import { parseCommandArgs } from "../args.ts";
import { DB_PATH_HELP, dbPath } from "../db-path.ts";
import { parseDuration } from "../time-spec.ts";
import { UsageError } from "../usage-error.ts";
import { reportProblems } from "./report.ts";

export const RECORD_HELP = `Usage: wiresight record [options]

Discover every network namespace and record the topology in the history database. Only what
changed since the last recording is written; an unchanged host costs one small row.

Options:
      --db PATH         the database (created if missing)
      --every DURATION  keep recording, once per DURATION (10s, 5m…), until stopped
      --count N         with --every: stop after N recordings
      --keep AGE        drop recordings older than AGE (30d, 12h…) after each recording
      --max-size SIZE   drop the oldest recordings while the data exceeds SIZE (500M, 2G…)
  -q, --quiet           print nothing but errors
  -v, --verbose         list every discovery warning
  -h, --help            show this help

${DB_PATH_HELP}
`;

export async function recordCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("record", argv, {
    db: { type: "string" },
    every: { type: "string" },
    count: { type: "string" },
    keep: { type: "string" },
    "max-size": { type: "string" },
    quiet: { type: "boolean", short: "q" },
    verbose: { type: "boolean", short: "v" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(RECORD_HELP);
    return 0;
  }
  const every = values.every === undefined ? null : parseDuration(values.every, "--every");
  const count = values.count === undefined ? (every === null ? 1 : Infinity) : parseCount(values.count);
  const retention: RetentionPolicy = {};
  if (values.keep !== undefined) retention.maxAgeMs = parseDuration(values.keep, "--keep");
  if (values["max-size"] !== undefined) retention.maxBytes = parseSize(values["max-size"]);

  const store = Store.open(dbPath(values.db));
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const topology = await discoverWithEngines();
      const r = store.record(topology);
      if (retention.maxAgeMs !== undefined || retention.maxBytes !== undefined) store.prune(retention);
      if (!values.quiet) {
        const s = topology.stats;
        process.stdout.write(
          `revision ${r.revision}: +${r.added} -${r.removed} ~${r.changed}  (${s.namespaces} namespaces, ${s.interfaces} interfaces, ${s.routes} routes, ${s.sockets} sockets, ${s.processes} processes) in ${Math.round(performance.now() - started)} ms\n`,
        );
        if (i === 0) reportProblems(topology, Boolean(values.verbose), false);
      }
      if (every !== null && i + 1 < count) await Bun.sleep(Math.max(0, every - (performance.now() - started)));
    }
  } finally {
    store.close();
  }
  return 0;
}

function parseCount(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--count takes a whole number of recordings, not '${text}'`);
  return Number(text);
}

/** `500M`, `2G`, `100k`, `1048576` → bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgG]?)i?[bB]?$/.exec(text.trim());
  if (!m) throw new UsageError(`--max-size looks like 500M, 2G or 100k, not '${text}'`);
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"];
  return Math.floor(Number(m[1]) * unit);
}
