// /etc/services: port and protocol → service name, parsed once per discovery. The file is
// read as the host has it; a line that does not parse is skipped (and counted), never fatal.

import { readFileSync } from "node:fs";

export interface ServiceTable {
  /** "tcp/22" → "ssh". The first line for a port wins, as getservbyport(3) answers. */
  byPort: Map<string, string>;
  /** Lines that were neither blank, a comment, nor `name port/protocol [aliases]`. */
  malformed: number;
}

export function parseServices(text: string): ServiceTable {
  const byPort = new Map<string, string>();
  let malformed = 0;
  for (const full of text.split("\n")) {
    const hash = full.indexOf("#");
    const line = (hash >= 0 ? full.slice(0, hash) : full).trim();
    if (line === "") continue;
    const [name, portProto] = line.split(/\s+/);
    const m = portProto === undefined ? null : /^(\d{1,5})\/([a-z0-9-]+)$/i.exec(portProto);
    const port = m ? Number(m[1]) : NaN;
    if (!name || !m || port > 65535) {
      malformed++;
      continue;
    }
    const key = `${m[2]!.toLowerCase()}/${port}`;
    if (!byPort.has(key)) byPort.set(key, name);
  }
  return { byPort, malformed };
}

/** The host's /etc/services; an empty table (and a warning) when it cannot be read. */
export function readServices(path = "/etc/services", warn?: (message: string) => void): ServiceTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    warn?.(`${path} unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): no service names`);
    return { byPort: new Map(), malformed: 0 };
  }
  const table = parseServices(text);
  if (table.malformed > 0) warn?.(`${path}: ${table.malformed} malformed lines skipped`);
  return table;
}

export function serviceName(table: ServiceTable, protocol: string, port: number): string | null {
  return table.byPort.get(`${protocol}/${port}`) ?? null;
}
