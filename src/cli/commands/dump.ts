// `wiresight dump`: the whole Topology as JSON, in the documented shape (docs/dump.schema.json)
// and a stable order, so two dumps of an unchanged host differ only in time and duration; or, with
// --format, the same discovery in Ghostwire's shapes (src/api/ghostwire-v1.ts).

import pkg from "../../../package.json" with { type: "json" };
import { toGhostwireDiscovery, toMobysharkTargets } from "../../api/ghostwire-v1.ts";
import type { Topology } from "../../model/topology.ts";
import { parseCommandArgs } from "../args.ts";
import { UsageError } from "../usage-error.ts";
import { writeJsonChunks } from "../render/json-chunks.ts";
import { reportProblems } from "./report.ts";
import { AT_OPTIONS_HELP, WORKERS_HELP, discoverWithWorkers, parseWorkers, topologyFor } from "./topology-source.ts";

export const DUMP_HELP = `Usage: wiresight dump [options]

Discover every network namespace and print the whole topology as JSON
(shape: docs/dump.schema.json in the source tree), including the container engines found
running, their containers and networks.

Options:
  -f, --format FORMAT   wiresight (default): our own shape;
                        ghostwire-v1: Ghostwire's discovery JSON (its /json), for Edgeshark tools;
                        mobyshark: Ghostwire's capture-target list (its /mobyshark)
                        (docs/ghostwire.md says what maps to what)
  -p, --pretty          indent the JSON
  -l, --listening-only  sockets: listening TCP and unconnected UDP only. Much faster on hosts
                        with many namespaces (the kernel walks its host-wide TCP table once per
                        namespace for a dump in every state); the default is every state
  -v, --verbose         list every warning on stderr (they are always in the JSON)
${WORKERS_HELP}
${AT_OPTIONS_HELP}
  -h, --help            show this help
`;

export async function dumpCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("dump", argv, {
    format: { type: "string", short: "f" },
    pretty: { type: "boolean", short: "p" },
    "listening-only": { type: "boolean", short: "l" },
    verbose: { type: "boolean", short: "v" },
    workers: { type: "string" },
    at: { type: "string" },
    db: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(DUMP_HELP);
    return 0;
  }
  const render = renderer(values.format ?? "wiresight"); // before discovery: a typo costs nothing
  const workers = parseWorkers(values.workers);
  const { topology } = await topologyFor(values, () => discoverWithWorkers({ listeningOnly: Boolean(values["listening-only"]) }, workers));
  writeJsonChunks(render(topology), values.pretty ? 2 : undefined, (text) => process.stdout.write(text));
  process.stdout.write("\n");
  reportProblems(topology, Boolean(values.verbose), false);
  return 0;
}

const FORMATS: Record<string, (t: Topology) => unknown> = {
  wiresight: (t) => t,
  "ghostwire-v1": (t) => toGhostwireDiscovery(t, { creatorVersion: pkg.version }),
  mobyshark: (t) => toMobysharkTargets(t, { creatorVersion: pkg.version }),
};

export function renderer(format: string): (t: Topology) => unknown {
  const r = Object.hasOwn(FORMATS, format) ? FORMATS[format] : undefined; // not "toString" &c.
  if (!r) throw new UsageError(`--format of 'dump' takes ${Object.keys(FORMATS).join(", ")}, not '${format}'`);
  return r;
}
