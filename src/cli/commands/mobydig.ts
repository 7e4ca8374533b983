// `wiresight mobydig CONTAINER`: Ghostwire's neighbourhood check from the command line — the DNS
// names a Docker container can resolve on its networks (neighborhood.ts), each resolved by the
// engine's DNS from inside the container's namespace and each address pinged (probe.ts). Prints a
// line per name, or Ghostwire's /mobydig messages as JSON lines with --json.
//
// `wiresight mobydig --job -` is how `wiresight serve` runs a check for its /mobydig websocket:
// the job (the container's init PID and start time, the names) comes as JSON on stdin, the
// messages go to stdout as JSON lines. A child process, so the server's own thread never enters a
// namespace (src/server/mobydig.ts).

import { writeSync } from "node:fs";
import { discoverWithEngines } from "../../discovery/discover-with-engines.ts";
import { neighborhood, NeighborhoodError } from "../../mobydig/neighborhood.ts";
import { probe, type ProbeJob } from "../../mobydig/probe.ts";
import type { Verdict } from "../../mobydig/verdicts.ts";
import { parseCommandArgs } from "../args.ts";
import { UsageError } from "../usage-error.ts";

export const MOBYDIG_HELP = `Usage: wiresight mobydig CONTAINER [--json]

Ghostwire's neighbourhood check: which DNS names Docker container CONTAINER can resolve on its
user-defined networks (container names, compose service names, network aliases, each bare and as
NAME.NETWORK), resolved by Docker's embedded DNS (127.0.0.11) from inside the container, and each
address pinged from there (3 pings, verified when one is answered).

Options:
  --json       Ghostwire's /mobydig messages, one JSON object per line, as they happen
  -h, --help   show this help

Exit status: 0 when every name resolved and every address answered, 1 otherwise.
`;

/** The job on stdin is a few names; anything this big is not one. */
const MAX_JOB_BYTES = 1024 * 1024;

export async function mobydigCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("mobydig", argv, { json: { type: "boolean" }, job: { type: "string" }, help: { type: "boolean", short: "h" } }, 1);
  if (values.help) {
    process.stdout.write(MOBYDIG_HELP);
    return 0;
  }
  if (values.job !== undefined) {
    if (values.job !== "-" || positionals.length > 0) throw new UsageError("--job takes '-' (the job on stdin) and no container");
    return runJob(await readJob());
  }
  const name = positionals[0];
  if (!name) throw new UsageError("mobydig needs a Docker container name");
  const t = await discoverWithEngines();
  let n;
  try {
    n = neighborhood(t, name);
  } catch (err) {
    if (err instanceof NeighborhoodError) throw new Error(err.message);
    throw err;
  }
  const proc = t.processes.find((p) => p.key === n.start.process);
  if (!proc) throw new Error(`Docker container "${name}": its init process is not visible here (engine in another PID namespace)`);
  const failed = new Set<string>();
  const settle = (v: Verdict) => {
    if (v.quality === "invalid") failed.add(v.fqdn);
  };
  const print = values.json ? (v: Verdict) => line(JSON.stringify(v)) : (v: Verdict) => {
    if (v.quality === "verified" || v.quality === "invalid") line(`${v.quality === "verified" ? "ok  " : "FAIL"} ${v.fqdn.padEnd(40)} ${v.address ?? ""}${v.error ? `  (${v.error})` : ""}`);
  };
  await probe({ pid: proc.pid, startTime: proc.startTime, names: n.names }, (v) => {
    settle(v);
    print(v);
  });
  return failed.size === 0 ? 0 : 1;
}

async function runJob(job: ProbeJob): Promise<number> {
  await probe(job, (v) => line(JSON.stringify(v)));
  return 0;
}

/** Written at once, whole: the server forwards each line as it comes. */
function line(text: string): void {
  writeSync(1, `${text}\n`);
}

async function readJob(): Promise<ProbeJob> {
  const text = await new Response(Bun.stdin.stream()).text();
  if (text.length > MAX_JOB_BYTES) throw new UsageError("the job on stdin is too large");
  let job: unknown;
  try {
    job = JSON.parse(text);
  } catch {
    throw new UsageError("the job on stdin is not JSON");
  }
  const j = job as Partial<ProbeJob>;
  const int = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;
  if (!j || !int(j.pid) || !int(j.startTime) || !Array.isArray(j.names) || !j.names.every((n) => typeof n === "string" && n !== "") || (j.dnsServer !== undefined && typeof j.dnsServer !== "string")) {
    throw new UsageError("the job on stdin needs pid, startTime and names (strings), and at most a dnsServer");
  }
  return { pid: j.pid!, startTime: j.startTime!, names: j.names, dnsServer: j.dnsServer };
}
