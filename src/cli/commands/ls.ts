// `wiresight ls`: discover and print every namespace as a tree.

import { indexTopology } from "../../model/index-topology.ts";
import { colorMode, parseCommandArgs, useColor } from "../args.ts";
import { renderLs } from "../render/ls-tree.ts";
import { makeStyle } from "../render/style.ts";
import { reportProblems } from "./report.ts";
import { AT_OPTIONS_HELP, topologyFor } from "./topology-source.ts";

export const LS_HELP = `Usage: wiresight ls [options]

Discover every network namespace and show its interfaces as a tree: state, kind, name, MAC,
addresses, and how interfaces are wired (veth peers across namespaces, bridge ports,
macvlan/vlan lower devices, vxlan underlays).

Options:
  -r, --routes          also list each namespace's routes (all tables)
  -v, --verbose         list every warning instead of counting them
      --color WHEN      auto (default: on a terminal, unless NO_COLOR is set), always, never
${AT_OPTIONS_HELP}
  -h, --help            show this help
`;

export function lsCommand(argv: string[]): number {
  const { values } = parseCommandArgs("ls", argv, {
    routes: { type: "boolean", short: "r" },
    verbose: { type: "boolean", short: "v" },
    color: { type: "string" },
    at: { type: "string" },
    db: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(LS_HELP);
    return 0;
  }
  const color = useColor(colorMode(values.color), process.stdout);
  const { topology } = topologyFor(values);
  process.stdout.write(renderLs(indexTopology(topology), { routes: Boolean(values.routes), style: makeStyle(color) }));
  reportProblems(topology, Boolean(values.verbose), useColor(colorMode(values.color), process.stderr));
  return 0;
}
