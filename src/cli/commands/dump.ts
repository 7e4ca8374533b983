// `wiresight dump`: the whole Topology as JSON, in the documented shape (docs/dump.schema.json)
// and a stable order, so two dumps of an unchanged host differ only in time and duration; or, with
// --format, the same discovery in Ghostwire's shapes (src/api/ghostwire-v1.ts), or its wiring (what
// the map at `/` of `serve` draws) as Graphviz or Mermaid text (src/api/dot.ts, mermaid.ts).

import pkg from "../../../package.json" with { type: "json" };
import { toDot } from "../../api/dot.ts";
import { toGhostwireDiscovery, toMobysharkTargets } from "../../api/ghostwire-v1.ts";
import { toMermaid } from "../../api/mermaid.ts";
import type { Topology } from "../../model/topology.ts";
import { wiringOf } from "../../model/wiring.ts";
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
                        (docs/ghostwire.md says what maps to what);
                        dot: the wiring as a Graphviz graph (dot -Tsvg draws it);
                        mermaid: the wiring as a Mermaid flowchart (for docs and tickets);
                        both show what the map of \`wiresight serve\` shows: a box per
                        namespace, its interfaces, and a line per veth, bridge port, lower
                        device, underlay, tun/tap user and forwarded port
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
  const format = values.format ?? "wiresight";
  const text = textRenderer(format);
  const render = text ? undefined : renderer(format); // before discovery: a typo costs nothing
  const workers = parseWorkers(values.workers);
  const { topology } = await topologyFor(values, () => discoverWithWorkers({ listeningOnly: Boolean(values["listening-only"]) }, workers));
  if (text) process.stdout.write(text(topology));
  else {
    writeJsonChunks(render!(topology), values.pretty ? 2 : undefined, (chunk) => process.stdout.write(chunk));
    process.stdout.write("\n");
  }
  reportProblems(topology, Boolean(values.verbose), false);
  return 0;
}

const FORMATS: Record<string, (t: Topology) => unknown> = {
  wiresight: (t) => t,
  "ghostwire-v1": (t) => toGhostwireDiscovery(t, { creatorVersion: pkg.version }),
  mobyshark: (t) => toMobysharkTargets(t, { creatorVersion: pkg.version }),
};

/** The formats that are text rather than JSON (--pretty does not apply). */
const TEXT_FORMATS: Record<string, (t: Topology) => string> = {
  dot: (t) => toDot(wiringOf(t)),
  mermaid: (t) => toMermaid(wiringOf(t)),
};

export function renderer(format: string): (t: Topology) => unknown {
  const r = Object.hasOwn(FORMATS, format) ? FORMATS[format] : undefined; // not "toString" &c.
  if (!r) throw new UsageError(`--format of 'dump' takes ${[...Object.keys(FORMATS), ...Object.keys(TEXT_FORMATS)].join(", ")}, not '${format}'`);
  return r;
}

export function textRenderer(format: string): ((t: Topology) => string) | undefined {
  return Object.hasOwn(TEXT_FORMATS, format) ? TEXT_FORMATS[format] : undefined;
}
