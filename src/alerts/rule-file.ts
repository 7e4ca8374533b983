// The rules file read at start: a JSON array of rule inputs, upserted by name. Every rule is
// checked before any is applied, and an error names the file, the rule (position and name) and
// the field, so a bad file is fixed in one look.

import { readFileSync } from "node:fs";
import { AlertRuleError, checkRuleInput } from "./validate.ts";
import type { AlertRuleInput } from "./types.ts";

export class RuleFileError extends Error {
  override name = "RuleFileError";
}

/** Parses and checks a rules file's text; `path` is only for messages. */
export function parseRuleFile(text: string, path: string): AlertRuleInput[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new RuleFileError(`rules file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new RuleFileError(`rules file ${path} must hold a JSON array of rules, got ${data === null ? "null" : typeof data}`);
  const names = new Map<string, number>();
  return data.map((item, i) => {
    const label = `rule ${i + 1}${typeof (item as { name?: unknown })?.name === "string" ? ` ('${(item as { name: string }).name}')` : ""}`;
    try {
      const input = checkRuleInput(item);
      const first = names.get(input.name);
      if (first !== undefined) throw new AlertRuleError(`name: '${input.name}' is already the name of rule ${first + 1} (names must be unique)`, "name");
      names.set(input.name, i);
      return input;
    } catch (err) {
      if (err instanceof AlertRuleError) throw new RuleFileError(`rules file ${path}, ${label}: ${err.message}`);
      throw err;
    }
  });
}

export function readRuleFile(path: string): AlertRuleInput[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new RuleFileError(`cannot read rules file ${path}: ${(err as Error).message}`);
  }
  return parseRuleFile(text, path);
}
