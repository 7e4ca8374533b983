// `wiresight dump`: the whole Topology as JSON, in the documented shape (docs/dump.schema.json)
// and a stable order, so two dumps of an unchanged host differ only in time and duration.

import { discoverWithEngines } from "../../discovery/discover-with-engines.ts";
import { parseCommandArgs } from "../args.ts";
import { reportProblems } from "./report.ts";

export const DUMP_HELP = `Usage: wiresight dump [options]

Discover every network namespace and print the whole topology as JSON
(shape: docs/dump.schema.json in the source tree), including the container engines found
running, their containers and networks.

Options:
  -p, --pretty          indent the JSON
  -v, --verbose         list every warning on stderr (they are always in the JSON)
  -h, --help            show this help
`;

export async function dumpCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("dump", argv, {
    pretty: { type: "boolean", short: "p" },
    verbose: { type: "boolean", short: "v" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(DUMP_HELP);
    return 0;
  }
  const topology = await discoverWithEngines();
  process.stdout.write(JSON.stringify(topology, null, values.pretty ? 2 : undefined) + "\n");
  reportProblems(topology, Boolean(values.verbose), false);
  return 0;
}
