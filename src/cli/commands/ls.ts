// `wiresight ls`: discover and print every namespace as a tree.

import { indexTopology } from "../../model/index-topology.ts";
import { colorMode, parseCommandArgs, useColor } from "../args.ts";
import { renderLs } from "../render/ls-tree.ts";
import { makeStyle } from "../render/style.ts";
import { reportProblems } from "./report.ts";
import { AT_OPTIONS_HELP, WORKERS_HELP, discoverWithWorkers, parseWorkers, topologyFor } from "./topology-source.ts";

export const LS_HELP = `Usage: wiresight ls [options]

Discover every network namespace and show its interfaces as a tree: state, kind, name, MAC,
addresses, and how interfaces are wired (veth peers across namespaces, bridge ports,
macvlan/vlan lower devices, vxlan underlays); tun/tap devices show the processes holding
them open, as users:(("name",pid=N)). Running container engines (dockerd, podman system
service) are found and asked without configuration: a namespace header names its containers,
and a bridge that is a container network shows the network's name.

Options:
  -r, --routes          also list each namespace's routes (all tables)
  -p, --ports           also list listening ports (TCP LISTEN, unconnected UDP) with the
                        processes holding them; dual-stack IPv6 sockets are marked
  -a, --all             with -p (implied): sockets in every state, listening first. Slower:
                        the kernel walks its host-wide TCP table once per namespace
  -t, --tcp             ports: TCP only
  -u, --udp             ports: UDP only
  -T, --tenants         also list each namespace's tenants (its topmost processes) with their
                        bounding capabilities and DNS settings (hostname, resolv.conf, hosts)
  -f, --forwards        also list each namespace's forwarded ports (DNAT rules, docker-proxy)
  -v, --verbose         list every warning instead of counting them
      --color WHEN      auto (default: on a terminal, unless NO_COLOR is set), always, never
${WORKERS_HELP}
${AT_OPTIONS_HELP}
  -h, --help            show this help
`;

export async function lsCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("ls", argv, {
    routes: { type: "boolean", short: "r" },
    ports: { type: "boolean", short: "p" },
    all: { type: "boolean", short: "a" },
    tcp: { type: "boolean", short: "t" },
    udp: { type: "boolean", short: "u" },
    tenants: { type: "boolean", short: "T" },
    forwards: { type: "boolean", short: "f" },
    verbose: { type: "boolean", short: "v" },
    color: { type: "string" },
    workers: { type: "string" },
    at: { type: "string" },
    db: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    process.stdout.write(LS_HELP);
    return 0;
  }
  const color = useColor(colorMode(values.color), process.stdout);
  const workers = parseWorkers(values.workers);
  const all = Boolean(values.all);
  const protocols = [...(values.tcp ? ["tcp" as const] : []), ...(values.udp ? ["udp" as const] : [])];
  const ports = values.ports || all || protocols.length > 0 ? { all, protocols } : null;
  // Sockets in every state only when they are shown: listening ones cost far less to read.
  const { topology } = await topologyFor(values, () => discoverWithWorkers({ listeningOnly: !all }, workers));
  process.stdout.write(
    renderLs(indexTopology(topology), {
      routes: Boolean(values.routes),
      ports,
      tenants: Boolean(values.tenants),
      forwards: Boolean(values.forwards),
      style: makeStyle(color),
    }),
  );
  reportProblems(topology, Boolean(values.verbose), useColor(colorMode(values.color), process.stderr));
  return 0;
}
