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
  -l, --listening-only  sockets: listening TCP and unconnected UDP only. Much faster on hosts
                        with many namespaces (the kernel walks its host-wide TCP table once per
                        namespace for a dump in every state); the default is every state
  -v, --verbose         list every warning on stderr (they are always in the JSON)
  -h, --help            show this help
`;

export async function dumpCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("dump", argv, {
    pretty: { type: "boolean", short: "p" },
    "listening-only": { type: "boolean", short: "l" },
    verbose: { type: "boolean", short: "v" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(DUMP_HELP);
    return 0;
  }
  const topology = await discoverWithEngines({ listeningOnly: Boolean(values["listening-only"]) });
  process.stdout.write(JSON.stringify(topology, null, values.pretty ? 2 : undefined) + "\n");
  reportProblems(topology, Boolean(values.verbose), false);
  return 0;
}
