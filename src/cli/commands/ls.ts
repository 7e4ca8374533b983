// `wiresight ls`: discover and print every namespace as a tree.

import { discoverWithEngines } from "../../discovery/discover-with-engines.ts";
import { indexTopology } from "../../model/index-topology.ts";
import { colorMode, parseCommandArgs, useColor } from "../args.ts";
import { renderLs } from "../render/ls-tree.ts";
import { makeStyle } from "../render/style.ts";
import { reportProblems } from "./report.ts";

export const LS_HELP = `Usage: wiresight ls [options]

Discover every network namespace and show its interfaces as a tree: state, kind, name, MAC,
addresses, and how interfaces are wired (veth peers across namespaces, bridge ports,
macvlan/vlan lower devices, vxlan underlays); tun/tap devices show the processes holding
them open, as users:(("name",pid=N)). Running container engines (dockerd, podman system
service) are found and asked without configuration: a namespace header names its containers,
and a bridge that is a container network shows the network's name.

Options:
  -r, --routes          also list each namespace's routes (all tables)
  -t, --tenants         also list each namespace's tenants (its topmost processes) with their
                        bounding capabilities and DNS settings (hostname, resolv.conf, hosts)
  -f, --forwards        also list each namespace's forwarded ports (DNAT rules, docker-proxy)
  -v, --verbose         list every warning instead of counting them
      --color WHEN      auto (default: on a terminal, unless NO_COLOR is set), always, never
  -h, --help            show this help
`;

export async function lsCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("ls", argv, {
    routes: { type: "boolean", short: "r" },
    tenants: { type: "boolean", short: "t" },
    forwards: { type: "boolean", short: "f" },
    verbose: { type: "boolean", short: "v" },
    color: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(LS_HELP);
    return 0;
  }
  const color = useColor(colorMode(values.color), process.stdout);
  const topology = await discoverWithEngines();
  process.stdout.write(
    renderLs(indexTopology(topology), {
      routes: Boolean(values.routes),
      tenants: Boolean(values.tenants),
      forwards: Boolean(values.forwards),
      style: makeStyle(color),
    }),
  );
  reportProblems(topology, Boolean(values.verbose), useColor(colorMode(values.color), process.stderr));
  return 0;
}
