// `wiresight whereis IP`: discover, then say which namespaces and interfaces own the address and
// the path a packet takes to it (from --from, or from the host's own namespace when nothing owns
// it). The exit code tells scripts the answer: 0 on this host, 1 not, 2 a usage mistake.

import { discoverWithEngines } from "../../discovery/discover-with-engines.ts";
import { indexTopology } from "../../model/index-topology.ts";
import { IpParseError, parseIp } from "../../model/ip.ts";
import { WhereIsError, whereIs } from "../../model/where-is.ts";
import { colorMode, parseCommandArgs, useColor } from "../args.ts";
import { renderWhereIs } from "../render/whereis.ts";
import { makeStyle } from "../render/style.ts";
import { UsageError } from "../usage-error.ts";
import { reportProblems } from "./report.ts";

export const WHEREIS_HELP = `Usage: wiresight whereis IP [options]

Say which network namespaces and interfaces own an IPv4 or IPv6 address (the same private
address may live in many namespaces: all are listed), and the path a packet would take to it,
hop by hop: the route chosen in each namespace (tables local, main, default), veth links
crossed, the bridge port switched to. Without --from, the path is shown only when nothing owns
the address, starting in the host's own (initial) namespace.

Options:
  -f, --from X          start the path at X: "initial", a namespace name, key or inode
                        (net:[N]), an interface key, or an address one namespace holds
  -p, --port N          the destination port: a forwarding on the way (a Kubernetes service's
                        ClusterIP or NodePort, a published port) sends it on to its endpoint
  -j, --json            print the answer as JSON (owners, path, end, notes)
  -v, --verbose         list every discovery warning instead of counting them
      --color WHEN      auto (default: on a terminal, unless NO_COLOR is set), always, never
  -h, --help            show this help

Exit status:
  0  the address is on this host: an interface holds it, or the path delivers it
  1  it is not (the path shows where a packet would go instead), or discovery failed
  2  usage error: a malformed address, an unknown --from, a bad option

It follows the forwardings (DNAT) discovery found: a Kubernetes service's ClusterIP to one of its
pods, and with --port a NodePort or published port. It assumes forwarding is on and no firewall
drops the packet, uses only the default policy rules (custom 'ip rule's are not seen), and
follows veth and bridge links only.
`;

export async function whereisCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    "whereis",
    argv,
    {
      from: { type: "string", short: "f" },
      port: { type: "string", short: "p" },
      json: { type: "boolean", short: "j" },
      verbose: { type: "boolean", short: "v" },
      color: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    1,
  );
  if (values.help) {
    process.stdout.write(WHEREIS_HELP);
    return 0;
  }
  const address = positionals[0];
  if (address === undefined) throw new UsageError("'whereis' needs an IP address: wiresight whereis 10.0.0.2 [--from NAMESPACE]");
  const color = colorMode(values.color);
  // Check the address before the (costlier) discovery, so a typo fails at once.
  asUsage(() => parseIp(address));
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d{1,5}$/.test(values.port) || port > 65535) throw new UsageError(`--port: '${values.port}' is not a port (0-65535)`);
  }

  const topology = await discoverWithEngines();
  const index = indexTopology(topology);
  const result = asUsage(() => whereIs(index, address, { ...(values.from === undefined ? {} : { from: values.from }), ...(port === undefined ? {} : { port }) }));
  if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  else process.stdout.write(renderWhereIs(result, index, makeStyle(useColor(color, process.stdout))));
  reportProblems(topology, Boolean(values.verbose), useColor(color, process.stderr));
  return result.found ? 0 : 1;
}

function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof IpParseError || err instanceof WhereIsError) throw new UsageError(err.message);
    throw err;
  }
}
