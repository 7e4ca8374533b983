#!/usr/bin/env bun
// The wiresight command line: dispatch to a command, and turn every failure into one clear line
// on stderr with a meaningful exit code (2 for usage mistakes, 1 for everything else).

import pkg from "../../package.json" with { type: "json" };
import { CAPTURE_HELP, captureCommand } from "./commands/capture.ts";
import { DIFF_HELP, diffCommand } from "./commands/diff.ts";
import { DUMP_HELP, dumpCommand } from "./commands/dump.ts";
import { HISTORY_HELP, historyCommand } from "./commands/history.ts";
import { LS_HELP, lsCommand } from "./commands/ls.ts";
import { WHEREIS_HELP, whereisCommand } from "./commands/whereis.ts";
import { RECORD_HELP, recordCommand } from "./commands/record.ts";
import { SERVE_HELP, serveCommand } from "./commands/serve.ts";
import { endQuietlyWhenOutputCloses, isClosedOutput } from "./closed-output.ts";
import { MOBYDIG_HELP, mobydigCommand } from "./commands/mobydig.ts";
import { UsageError } from "./usage-error.ts";

const HELP = `wiresight ${pkg.version} — see how a Linux host's network namespaces are wired

Usage: wiresight <command> [options]

Commands:
  ls        every network namespace and its interfaces, as a tree
  dump      the whole topology as JSON
  whereis   which namespaces and interfaces own an IP address, and the path a packet takes to it
  capture   live packets of one namespace as pcapng: wiresight capture web | tshark -r -
  mobydig   which names a Docker container can resolve on its networks, resolved and pinged
            from inside it (Ghostwire's neighbourhood check)
  record    discover and record into the history database (--every 10s to keep recording)
  history   the recordings, with what each changed
  diff      what changed between two moments: wiresight diff -1h, wiresight diff 3 7
  serve     watch, record and serve it all: GraphQL (queries, history, live subscriptions, alert
            rules) with a playground, Ghostwire's /json, live capture; wiresight serve --help
  help      show help for a command: wiresight help ls

ls and dump also show the past: wiresight ls --at -1h, wiresight dump --at 12

Options:
  -h, --help       show this help
  -V, --version    print the version

Exit status: 0 success, 1 failure (for whereis: the address is not on this host),
2 usage error.

Run as root to see every namespace; without it wiresight shows what it can and says what
it could not see.
`;

const COMMANDS: Record<string, { run: (argv: string[]) => number | Promise<number>; help: string }> = {
  ls: { run: lsCommand, help: LS_HELP },
  dump: { run: dumpCommand, help: DUMP_HELP },
  whereis: { run: whereisCommand, help: WHEREIS_HELP },
  capture: { run: captureCommand, help: CAPTURE_HELP },
  mobydig: { run: mobydigCommand, help: MOBYDIG_HELP },
  record: { run: recordCommand, help: RECORD_HELP },
  history: { run: historyCommand, help: HISTORY_HELP },
  diff: { run: diffCommand, help: DIFF_HELP },
  serve: { run: serveCommand, help: SERVE_HELP },
};

export function main(argv: string[]): number | Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help") {
    process.stdout.write(HELP);
    return first === undefined ? 2 : 0;
  }
  if (first === "-V" || first === "--version") {
    process.stdout.write(`wiresight ${pkg.version}\n`);
    return 0;
  }
  if (first === "help") {
    const topic = rest[0];
    if (topic === undefined) process.stdout.write(HELP);
    else if (COMMANDS[topic]) process.stdout.write(COMMANDS[topic].help);
    else throw new UsageError(`no help for unknown command '${topic}'`);
    return 0;
  }
  if (first.startsWith("-")) throw new UsageError(`unknown option ${first}`);
  const command = COMMANDS[first];
  if (!command) throw new UsageError(`unknown command '${first}'`);
  return command.run(rest);
}

async function run(): Promise<void> {
  endQuietlyWhenOutputCloses();
  let code: number;
  try {
    code = await main(process.argv.slice(2));
  } catch (err) {
    if (isClosedOutput(err)) {
      code = 0; // the reader of our output is gone (| head): nothing to say, nowhere to say it
    } else if (err instanceof UsageError) {
      process.stderr.write(`wiresight: ${err.message}\nRun 'wiresight --help' for usage.\n`);
      code = 2;
    } else {
      process.stderr.write(`wiresight: ${(err as Error).message ?? String(err)}\n`);
      if (process.env.WIRESIGHT_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
      code = 1;
    }
  }
  process.exitCode = code;
}

// Not a top-level await: the bytecode build is CommonJS. run() catches everything itself.
if (import.meta.main) void run();
