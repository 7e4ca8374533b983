// `wiresight dump`: the whole Topology as JSON, in the documented shape (docs/dump.schema.json)
// and a stable order, so two dumps of an unchanged host differ only in time and duration.

import { parseCommandArgs } from "../args.ts";
import { reportProblems } from "./report.ts";
import { AT_OPTIONS_HELP, topologyFor } from "./topology-source.ts";

export const DUMP_HELP = `Usage: wiresight dump [options]

Discover every network namespace and print the whole topology as JSON
(shape: docs/dump.schema.json in the source tree).

Options:
  -p, --pretty          indent the JSON
  -v, --verbose         list every warning on stderr (they are always in the JSON)
${AT_OPTIONS_HELP}
  -h, --help            show this help
`;

export function dumpCommand(argv: string[]): number {
  const { values } = parseCommandArgs("dump", argv, {
    pretty: { type: "boolean", short: "p" },
    verbose: { type: "boolean", short: "v" },
    at: { type: "string" },
    db: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(DUMP_HELP);
    return 0;
  }
  const { topology } = topologyFor(values);
  process.stdout.write(JSON.stringify(topology, null, values.pretty ? 2 : undefined) + "\n");
  reportProblems(topology, Boolean(values.verbose), false);
  return 0;
}
