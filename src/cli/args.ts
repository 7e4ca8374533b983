// Argument parsing on node:util parseArgs (strict), with its errors rephrased into one line a
// user can act on.

import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage-error.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** A relative time (`-1h`, `-30m`): an argument, never an option, though it starts with `-`. */
const RELATIVE = /^-\d/;

export function parseCommandArgs<O extends Options>(command: string, argv: string[], options: O, maxPositionals = 0) {
  // parseArgs takes every `-…` for an option: glue a relative time to the option before it
  // (`--at -1h` → `--at=-1h`), and pass a positional one through a placeholder.
  const held: string[] = [];
  const args: string[] = [];
  for (const a of argv) {
    const prev = args.at(-1);
    const name = prev?.startsWith("--") && !prev.includes("=") ? prev.slice(2) : undefined;
    if (!RELATIVE.test(a)) args.push(a);
    else if (name !== undefined && options[name]?.type === "string") args[args.length - 1] = `${prev}=${a}`;
    else args.push(`\0${held.push(a) - 1}`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: maxPositionals > 0 });
  } catch (err) {
    const e = err as Error & { code?: string };
    e.message = e.message.replace(/\0(\d+)/g, (_, i: string) => held[Number(i)]!);
    const m = /'([^']+)'/.exec(e.message);
    switch (e.code) {
      case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
        throw new UsageError(`unknown option ${m?.[1] ?? ""} for '${command}'`);
      case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
        throw new UsageError(`option ${m?.[1] ?? ""} of '${command}': ${e.message.replace(/^Option '[^']+' /, "")}`);
      case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
        throw new UsageError(`'${command}' takes no argument ${m?.[1] ? `'${m[1]}'` : ""}`.trim());
      default:
        throw new UsageError(e.message);
    }
  }
  parsed.positionals = parsed.positionals.map((p) => (p.startsWith("\0") ? held[Number(p.slice(1))]! : p));
  if (parsed.positionals.length > maxPositionals)
    throw new UsageError(`'${command}' takes at most ${maxPositionals} argument(s), got ${parsed.positionals.length}`);
  return parsed;
}

export type ColorMode = "auto" | "always" | "never";

export function colorMode(value: string | undefined): ColorMode {
  if (value === undefined) return "auto";
  if (value === "auto" || value === "always" || value === "never") return value;
  throw new UsageError(`--color takes auto, always or never, not '${value}'`);
}

/** Colour when asked, or on a terminal unless NO_COLOR is set (https://no-color.org). */
export function useColor(mode: ColorMode, stream: { isTTY?: boolean }): boolean {
  if (mode !== "auto") return mode === "always";
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}
