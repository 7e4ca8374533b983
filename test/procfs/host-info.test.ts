// The host's os-release (quoting as os-release(5) allows it) and CPUs online.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { osReleaseFrom, parseOsRelease, readHostOsRelease } from "../../src/discovery/procfs/host-info.ts";

describe("os-release", () => {
  test("quoted, unquoted and escaped values; comments and junk skipped", () => {
    const text = [
      "# comment",
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
      'NAME="Debian GNU/Linux"',
      "VERSION_ID='12'",
      'VERSION="12 (\\"bookworm\\")"',
      "ID=debian",
      "not a line",
      "",
    ].join("\n");
    expect(osReleaseFrom(parseOsRelease(text))).toEqual({
      name: "Debian GNU/Linux",
      version: '12 ("bookworm")',
      id: "debian",
      versionId: "12",
      prettyName: "Debian GNU/Linux 12 (bookworm)",
    });
    expect(osReleaseFrom(parseOsRelease("ID=arch\n"))).toEqual({ name: null, version: null, id: "arch", versionId: null, prettyName: null });
  });

  test("PID 1's root out of reach: our own root's file, and a warning that says so", () => {
    const ours = osReleaseFrom(parseOsRelease(readFileSync("/etc/os-release", "utf8")));
    const warnings: string[] = [];
    expect(readHostOsRelease("/nonexistent-proc", (m) => warnings.push(m))).toEqual(ours);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("read from wiresight's own root");
  });
});
