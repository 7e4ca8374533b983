// `wiresight diff FROM [TO]`: what changed between two recorded moments.

import { Store } from "../../store/index.ts";
import { colorMode, parseCommandArgs, useColor } from "../args.ts";
import { DB_PATH_HELP, dbPath } from "../db-path.ts";
import { namer, renderDiff } from "../render/diff-text.ts";
import { makeStyle } from "../render/style.ts";
import { parseMoment } from "../time-spec.ts";
import { UsageError } from "../usage-error.ts";

export const DIFF_HELP = `Usage: wiresight diff FROM [TO] [options]

What changed between two recorded moments: entities added (+), removed (-) and changed (~),
with each changed field before and after. TO defaults to the latest recording.

FROM and TO are each a revision (12, see 'wiresight history'), a time (2026-11-22T10:00, local
time unless it ends in Z or an offset), a time relative to now (-1h, -30m, -2d) or now. A time
means the last recording at or before it.

Options:
      --db PATH         the database
      --json            print the diff as JSON
      --color WHEN      auto (default), always, never
  -h, --help            show this help

${DB_PATH_HELP}
`;

export function diffCommand(argv: string[]): number {
  const { values, positionals } = parseCommandArgs(
    "diff",
    argv,
    { db: { type: "string" }, json: { type: "boolean" }, color: { type: "string" }, help: { type: "boolean", short: "h" } },
    2,
  );
  if (values.help) {
    process.stdout.write(DIFF_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("'diff' needs FROM: a revision, a time, a relative time (-1h) or now");
  const now = Date.now();
  const from = parseMoment(positionals[0]!, now);
  const to = parseMoment(positionals[1] ?? "now", now);
  const color = useColor(colorMode(values.color), process.stdout);
  const store = Store.open(dbPath(values.db), { readonly: true });
  try {
    const d = store.diff(from, to);
    if (values.json) {
      process.stdout.write(JSON.stringify(d, null, 2) + "\n");
      return 0;
    }
    const [a, b] = [store.at({ revision: d.from }), store.at({ revision: d.to })];
    const header = `revision ${d.from} (${a.discoveredAt}) → revision ${d.to} (${b.discoveredAt})`;
    process.stdout.write(renderDiff(d, header, namer(b, a), makeStyle(color)));
    return 0;
  } finally {
    store.close();
  }
}
