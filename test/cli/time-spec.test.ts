// How moments, durations, sizes and the default database path are read from the command line.

import { describe, expect, test } from "bun:test";
import { parseCommandArgs } from "../../src/cli/args.ts";
import { defaultDbPath, SYSTEM_DB } from "../../src/cli/db-path.ts";
import { parseSize } from "../../src/cli/commands/record.ts";
import { parseDuration, parseMoment } from "../../src/cli/time-spec.ts";
import { UsageError } from "../../src/cli/usage-error.ts";

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe("moments", () => {
  test("revisions, now, relative times", () => {
    expect(parseMoment("12", NOW)).toEqual({ revision: 12 });
    expect(parseMoment("now", NOW)).toEqual({ time: NOW });
    expect(parseMoment("-1h", NOW)).toEqual({ time: NOW - 3_600_000 });
    expect(parseMoment("-30m", NOW)).toEqual({ time: NOW - 1_800_000 });
    expect(parseMoment("-2d", NOW)).toEqual({ time: NOW - 2 * 86_400_000 });
    expect(parseMoment("-1.5h", NOW)).toEqual({ time: NOW - 5_400_000 });
    expect(parseMoment("-10s", NOW)).toEqual({ time: NOW - 10_000 });
    expect(parseMoment("-1w", NOW)).toEqual({ time: NOW - 604_800_000 });
  });

  test("ISO times: local unless zoned, to the millisecond", () => {
    expect(parseMoment("2026-11-22T10:00", NOW)).toEqual({ time: new Date(2026, 10, 22, 10, 0).getTime() });
    expect(parseMoment("2026-11-22 10:00:05", NOW)).toEqual({ time: new Date(2026, 10, 22, 10, 0, 5).getTime() });
    expect(parseMoment("2026-11-22", NOW)).toEqual({ time: new Date(2026, 10, 22).getTime() });
    expect(parseMoment("2026-11-22T10:00:00.250Z", NOW)).toEqual({ time: Date.UTC(2026, 10, 22, 10, 0, 0, 250) });
    expect(parseMoment("2026-11-22T10:00+02:00", NOW)).toEqual({ time: Date.UTC(2026, 10, 22, 8, 0) });
    expect(parseMoment("2026-11-22T10:00-0130", NOW)).toEqual({ time: Date.UTC(2026, 10, 22, 11, 30) });
  });

  test("anything else is a usage error that says what is accepted", () => {
    for (const bad of ["", "0", "yesterday", "-1", "-1y", "1h", "2026-13-01", "2026-02-30T10:00", "2026-11-22T25:00", "12abc", "-h"]) {
      expect(() => parseMoment(bad, NOW)).toThrow(UsageError);
    }
    expect(() => parseMoment("yesterday", NOW)).toThrow(/revision \(12\), a time \(2026-11-22T10:00\), a relative time \(-1h\) or now/);
  });
});

describe("durations and sizes", () => {
  test("durations", () => {
    expect(parseDuration("10s")).toBe(10_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("30d")).toBe(30 * 86_400_000);
    for (const bad of ["10", "0s", "s", "-5s", "5 minutes"]) expect(() => parseDuration(bad, "--every")).toThrow(/--every/);
  });

  test("sizes", () => {
    expect(parseSize("1048576")).toBe(1048576);
    expect(parseSize("100k")).toBe(102400);
    expect(parseSize("500M")).toBe(500 * 1024 ** 2);
    expect(parseSize("2G")).toBe(2 * 1024 ** 3);
    expect(parseSize("1.5GiB")).toBe(1.5 * 1024 ** 3);
    for (const bad of ["", "M", "10T", "-1M"]) expect(() => parseSize(bad)).toThrow(UsageError);
  });
});

describe("arguments that start with a dash", () => {
  test("relative times stay arguments and option values", () => {
    const opts = { at: { type: "string" as const }, json: { type: "boolean" as const } };
    expect(parseCommandArgs("diff", ["-1h", "--json", "-30m"], opts, 2).positionals).toEqual(["-1h", "-30m"]);
    expect(parseCommandArgs("ls", ["--at", "-2d"], opts).values.at).toBe("-2d");
    expect(() => parseCommandArgs("ls", ["-1h"], opts)).toThrow("'ls' takes no argument '-1h'");
    expect(() => parseCommandArgs("ls", ["-x"], opts)).toThrow(/unknown option -x/);
  });
});

describe("default database path", () => {
  test("--db, then $WIRESIGHT_DB, then the system path as root, else XDG state", () => {
    expect(defaultDbPath({ WIRESIGHT_DB: "/tmp/x.db" }, 0)).toBe("/tmp/x.db");
    expect(defaultDbPath({}, 0)).toBe(SYSTEM_DB);
    expect(SYSTEM_DB).toBe("/var/lib/wiresight/wiresight.db");
    expect(defaultDbPath({ XDG_STATE_HOME: "/home/u/.state", HOME: "/home/u" }, 1000)).toBe("/home/u/.state/wiresight/wiresight.db");
    expect(defaultDbPath({ HOME: "/home/u" }, 1000)).toBe("/home/u/.local/state/wiresight/wiresight.db");
    expect(defaultDbPath({ XDG_STATE_HOME: "relative/ignored", HOME: "/home/u" }, 1000)).toBe("/home/u/.local/state/wiresight/wiresight.db");
  });
});
