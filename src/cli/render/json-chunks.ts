// JSON text of a value, written in pieces: exactly what JSON.stringify(value, null, indent)
// returns, but the elements of top-level arrays (namespaces, processes…) are stringified one at a
// time. At 500 namespaces the dump is ~7 MB of text; holding it as one string (and its UTF-8 copy
// for the write) was the largest single part of `dump`'s peak memory.

/** Calls `write` with consecutive pieces whose concatenation equals JSON.stringify(value, null, indent). */
export function writeJsonChunks(value: unknown, indent: number | undefined, write: (text: string) => void): void {
  if (value === null || typeof value !== "object" || Array.isArray(value) || hasToJSON(value)) {
    write(JSON.stringify(value, null, indent));
    return;
  }
  const pad = indent ? " ".repeat(indent) : "";
  const nl = indent ? "\n" : "";
  const colon = indent ? ": " : ":";
  let first = true;
  write("{");
  for (const [key, member] of Object.entries(value)) {
    const text = Array.isArray(member) ? null : JSON.stringify(member, null, indent);
    if (text === undefined) continue; // undefined, functions and symbols are left out, as JSON.stringify does
    write(`${first ? "" : ","}${nl}${pad}${JSON.stringify(key)}${colon}`);
    first = false;
    if (text !== null) write(nested(text, nl + pad));
    else writeArray(member as unknown[], indent, pad, write);
  }
  write(first ? "}" : `${nl}}`);
}

function writeArray(items: unknown[], indent: number | undefined, pad: string, write: (text: string) => void): void {
  if (items.length === 0) {
    write("[]");
    return;
  }
  const nl = indent ? "\n" : "";
  const inner = nl + pad + pad;
  write("[");
  items.forEach((item, i) => {
    // In an array, what JSON.stringify leaves out of objects becomes null.
    const text = JSON.stringify(item, null, indent) ?? "null";
    write(`${i === 0 ? "" : ","}${inner}${nested(text, inner)}`);
  });
  write(`${nl}${pad}]`);
}

/** Indents every line after the first (JSON text has no raw newline inside strings). */
function nested(text: string, lineStart: string): string {
  return lineStart.length > 1 ? text.replaceAll("\n", lineStart) : text;
}

function hasToJSON(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === "function";
}
