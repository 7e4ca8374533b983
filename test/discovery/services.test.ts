// /etc/services parsing: the first entry per port and protocol wins; comments, aliases and blank
// lines are fine; malformed lines are counted and skipped, never fatal.

import { expect, test } from "bun:test";
import { parseServices, readServices, serviceName } from "../../src/discovery/services.ts";

test("names by port and protocol, first wins, malformed lines counted", () => {
  const t = parseServices("ssh\t\t22/tcp\t\t\t# SSH\n\n  # only a comment\nhttp 80/tcp www\nwww-alt 80/tcp\ndomain 53/udp\nnoport\nx abc/tcp\ny 70000/udp\nz 5/\n");
  expect(serviceName(t, "tcp", 22)).toBe("ssh");
  expect(serviceName(t, "tcp", 80)).toBe("http");
  expect(serviceName(t, "udp", 53)).toBe("domain");
  expect(serviceName(t, "tcp", 53)).toBeNull();
  expect(t.malformed).toBe(4);
});

test("an unreadable file gives an empty table and a warning", () => {
  const warnings: string[] = [];
  const t = readServices("/nonexistent/services", (m) => warnings.push(m));
  expect(t.byPort.size).toBe(0);
  expect(warnings).toEqual([expect.stringContaining("ENOENT")]);
});
